import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { IvStash } from "../../src/crypto/index.js";

const b = (s: string) => new Uint8Array(Buffer.from(s, "utf8"));

describe("IvStash", () => {
  it("recalls the IV for the same (aad, type, plaintext) only", () => {
    const stash = new IvStash();
    const iv = new Uint8Array(32).fill(7);
    stash.remember("db:password:", "str", b("hunter2"), iv);
    expect(stash.recall("db:password:", "str", b("hunter2"))).toEqual(iv);
    expect(stash.recall("db:user:", "str", b("hunter2"))).toBeUndefined();
    expect(stash.recall("db:password:", "int", b("hunter2"))).toBeUndefined();
    expect(stash.recall("db:password:", "str", b("hunter3"))).toBeUndefined();
    expect(stash.size).toBe(1);
    stash.clear();
    expect(stash.recall("db:password:", "str", b("hunter2"))).toBeUndefined();
  });

  it("keeps its own copies of IVs", () => {
    const stash = new IvStash();
    const iv = new Uint8Array(32).fill(1);
    stash.remember("a:", "str", b("x"), iv);
    iv.fill(0);
    const got = stash.recall("a:", "str", b("x"))!;
    expect(got).toEqual(new Uint8Array(32).fill(1));
    got.fill(9);
    expect(stash.recall("a:", "str", b("x"))).toEqual(new Uint8Array(32).fill(1));
  });

  it("length-prefixes its fields, so shifted boundaries never collide", () => {
    const stash = new IvStash();
    stash.remember("ab", "c", b("d"), new Uint8Array([1]));
    expect(stash.recall("a", "bc", b("d"))).toBeUndefined();
    expect(stash.recall("ab", "", b("cd"))).toBeUndefined();
    expect(stash.recall("abc", "", b("d"))).toBeUndefined();
    // with zero-filled (missing) length fields these two would hash the same bytes
    stash.remember("a\u0000\u0000\u0000\u0000b", "", b("p"), new Uint8Array([2]));
    expect(stash.recall("a", "b", b("\u0000\u0000\u0000\u0000p"))).toBeUndefined();
    expect(stash.recall("a", "b\u0000\u0000\u0000\u0000", b("p"))).toBeUndefined();
  });

  it("behaves like a map over distinct triples", () => {
    const tiny = fc.string({ unit: fc.constantFrom("a", "\u0000", "é"), maxLength: 6 });
    fc.assert(
      fc.property(
        // a tiny alphabet with NUL makes boundary collisions likely if the length prefixes were wrong
        fc.uniqueArray(fc.tuple(tiny, fc.constantFrom("", "str", "\u0000"), tiny), {
          selector: ([a, t, p]) => JSON.stringify([a, t, p]),
          maxLength: 30,
        }),
        (triples) => {
          const stash = new IvStash();
          triples.forEach(([a, t, p], i) => stash.remember(a, t, b(p), new Uint8Array([i])));
          triples.forEach(([a, t, p], i) => expect(stash.recall(a, t, b(p))).toEqual(new Uint8Array([i])));
          expect(stash.size).toBe(triples.length);
        },
      ),
      { numRuns: 300 },
    );
  });
});
