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
