import { afterEach, describe, expect, it } from "vitest";
import { randomBytes, setRandomSource } from "../../src/crypto/index.js";

afterEach(() => setRandomSource(null));

describe("randomBytes", () => {
  it("returns n bytes from node:crypto by default, different each time", () => {
    const a = randomBytes(32);
    const c = randomBytes(32);
    expect(a).toBeInstanceOf(Uint8Array);
    expect(a.length).toBe(32);
    expect(a).not.toEqual(c);
    expect(randomBytes(0).length).toBe(0);
  });

  it("uses an installed source until reset", () => {
    setRandomSource((n) => new Uint8Array(n).fill(0xab));
    expect(randomBytes(3)).toEqual(new Uint8Array([0xab, 0xab, 0xab]));
    setRandomSource(null);
    expect(randomBytes(16)).not.toEqual(new Uint8Array(16).fill(0xab));
  });

  it("rejects bad sizes and short sources", () => {
    expect(() => randomBytes(-1)).toThrow(RangeError);
    expect(() => randomBytes(1.5)).toThrow(RangeError);
    setRandomSource(() => new Uint8Array(1));
    expect(() => randomBytes(4)).toThrow(RangeError);
  });
});
