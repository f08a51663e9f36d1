import { afterEach, describe, expect, it } from "vitest";
import fc from "fast-check";
import { combineShares, setRandomSource, splitSecret } from "../../src/crypto/index.js";
import { gfMul } from "../../src/crypto/shamir.js";
import { isSealError } from "../../src/errors.js";

afterEach(() => setRandomSource(null));

const hex = (u: Uint8Array) => Buffer.from(u).toString("hex");

/** A random source that serves the given bytes in order, however they are requested. */
function queue(bytes: number[]): (n: number) => Uint8Array {
  let pos = 0;
  return (n) => {
    if (pos + n > bytes.length) throw new Error("test source exhausted");
    const out = Uint8Array.from(bytes.slice(pos, pos + n));
    pos += n;
    return out;
  };
}

/** Slow reference multiplication: shift-and-add with reduction by 0x11B. */
function refMul(a: number, b: number): number {
  let p = 0;
  for (let i = 0; i < 8; i++) {
    if (b & (1 << i)) p ^= a << i;
  }
  for (let bit = 14; bit >= 8; bit--) if (p & (1 << bit)) p ^= 0x11b << (bit - 8);
  return p;
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isSealError(e)) return e.code;
    throw e;
  }
  return "no error";
}

describe("GF(2^8)", () => {
  it("mult(0x57, 0x83) = 0xC1 (FIPS-197)", () => {
    expect(gfMul(0x57, 0x83)).toBe(0xc1);
  });

  it("agrees with a reference multiplication on all 65536 pairs", () => {
    const wrong: string[] = [];
    for (let a = 0; a < 256; a++) for (let c = 0; c < 256; c++) if (gfMul(a, c) !== refMul(a, c)) wrong.push(`${a}*${c}`);
    expect(wrong).toEqual([]);
  });
});

describe("splitSecret / combineShares", () => {
  it("reproduces the §11.3 vector with injected coefficients", () => {
    // byte 0: [0x42, 0x07, 0x13], byte 1: [0xff, 0xa5, 0x01] — coef[0] is the secret byte itself.
    setRandomSource(queue([0x07, 0x13, 0xa5, 0x01]));
    const shares = splitSecret(Uint8Array.from([0x42, 0xff]), 3, 3);
    expect(shares.map(hex)).toEqual(["565b01", "00aa02", "140e03"]);
    const all = [[0, 1, 2], [2, 1, 0], [1, 2, 0], [2, 0, 1]];
    for (const order of all) expect(hex(combineShares(order.map((i) => shares[i]!)))).toBe("42ff");
  });

  it("puts x = i+1 last in each share", () => {
    const shares = splitSecret(new Uint8Array(32).fill(9), 5, 2);
    expect(shares.map((s) => s.length)).toEqual([33, 33, 33, 33, 33]);
    expect(shares.map((s) => s[32])).toEqual([1, 2, 3, 4, 5]);
  });

  it("any threshold of the parts recovers the secret; fewer do not", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 40 }),
        fc.integer({ min: 2, max: 8 }).chain((t) => fc.tuple(fc.constant(t), fc.integer({ min: t, max: 10 }))),
        fc.infiniteStream(fc.nat()),
        (secret, [threshold, parts], picks) => {
          const shares = splitSecret(secret, parts, threshold);
          const pool = [...shares];
          const chosen: Uint8Array[] = [];
          const it = picks[Symbol.iterator]();
          while (chosen.length < threshold) chosen.push(pool.splice(it.next().value! % pool.length, 1)[0]!);
          expect(combineShares(chosen)).toEqual(secret);
          const fewer = chosen.slice(0, threshold - 1);
          if (fewer.length < 2) {
            expect(codeOf(() => combineShares(fewer))).toBe("BAD_METADATA");
          } else {
            expect(combineShares(fewer)).not.toEqual(secret);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("validates its arguments like sops", () => {
    const s = new Uint8Array(32);
    expect(codeOf(() => splitSecret(s, 2, 3))).toBe("BAD_CONFIG");
    expect(codeOf(() => splitSecret(s, 3, 1))).toBe("BAD_CONFIG");
    expect(codeOf(() => splitSecret(s, 256, 2))).toBe("BAD_CONFIG");
    expect(codeOf(() => splitSecret(new Uint8Array(0), 3, 2))).toBe("BAD_CONFIG");
    const shares = splitSecret(s, 3, 2);
    expect(codeOf(() => combineShares([shares[0]!]))).toBe("BAD_METADATA");
    expect(codeOf(() => combineShares([shares[0]!, shares[0]!]))).toBe("BAD_METADATA");
    expect(codeOf(() => combineShares([shares[0]!, shares[1]!.subarray(1)]))).toBe("BAD_METADATA");
    expect(codeOf(() => combineShares([new Uint8Array([1]), new Uint8Array([2])]))).toBe("BAD_METADATA");
  });
});
