import { describe, expect, it } from "vitest";
import { runPool } from "../../src/ops/run-pool.js";

describe("runPool", () => {
  it("never runs more than the limit at once, keeps order, and reports failures as data", async () => {
    let running = 0;
    let peak = 0;
    const seen: number[] = [];
    const out = await runPool(
      Array.from({ length: 25 }, (_, i) => i),
      4,
      async (i) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, (i * 7) % 5));
        running--;
        if (i % 10 === 3) throw new Error(`boom ${i}`);
        return i * 2;
      },
      (_item, _o, done) => seen.push(done),
    );
    expect(peak).toBe(4);
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(out.map((o) => (o.ok ? o.value : "x"))).toEqual(Array.from({ length: 25 }, (_, i) => (i % 10 === 3 ? "x" : i * 2)));
  });
});

// Issue 13 item 6: with age data keys sealed by node:crypto, a job over local keys finishes without any real
// I/O; the pool must still give the event loop a turn between jobs, or `rotate --all` prints its progress
// lines only at the end and a signal waits for the whole batch.
describe("issue 13 item 6: runPool lets the event loop run between jobs", () => {
  it("a macrotask queued before the batch runs before the batch ends, even when every job resolves at once", async () => {
    const order: string[] = [];
    setImmediate(() => order.push("event loop"));
    await runPool(Array.from({ length: 20 }, (_, i) => i), 4, async (i) => i, (_item, _o, done) => order.push(`job ${done}`));
    expect(order.indexOf("event loop")).toBeGreaterThan(-1);
    expect(order.indexOf("event loop")).toBeLessThan(order.length - 1);
  });
});
