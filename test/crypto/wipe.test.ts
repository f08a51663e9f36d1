import { describe, expect, it } from "vitest";
import { wipe } from "../../src/crypto/index.js";

describe("wipe", () => {
  it("zero-fills every buffer, skipping absent ones", () => {
    const a = new Uint8Array([1, 2, 3]);
    const buf = Buffer.from("secret");
    const view = new Uint8Array(8).fill(5).subarray(2, 4);
    wipe(a, undefined, buf, null, view);
    expect([...a]).toEqual([0, 0, 0]);
    expect([...buf]).toEqual([0, 0, 0, 0, 0, 0]);
    expect([...new Uint8Array(view.buffer)]).toEqual([5, 5, 0, 0, 5, 5, 5, 5]);
  });
});
