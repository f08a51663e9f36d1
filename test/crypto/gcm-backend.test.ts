import { afterEach, describe, expect, it } from "vitest";
import fc from "fast-check";
import { activeBackend, getCipherBackend, setCipherBackend } from "../../src/crypto/gcm-backend.js";

afterEach(() => setCipherBackend("node"));

function run(name: "node" | "noble", key: Uint8Array, iv: Uint8Array, aad: Uint8Array, plain: Uint8Array) {
  setCipherBackend(name);
  const b = activeBackend();
  const { data, tag } = b.seal(key, iv, aad, plain);
  return { data: Buffer.from(data).toString("hex"), tag: Buffer.from(tag).toString("hex"), opened: b.open(key, iv, aad, data, tag) };
}

describe("GCM backends", () => {
  it("defaults to node and can switch", () => {
    expect(getCipherBackend()).toBe("node");
    setCipherBackend("noble");
    expect(getCipherBackend()).toBe("noble");
    setCipherBackend("node");
    expect(getCipherBackend()).toBe("node");
  });

  it("node:crypto and @noble/ciphers give identical bytes and both open each other's output", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 8, maxLength: 64 }),
        fc.uint8Array({ maxLength: 64 }),
        fc.uint8Array({ minLength: 1, maxLength: 300 }),
        (key, iv, aad, plain) => {
          const a = run("node", key, iv, aad, plain);
          const b = run("noble", key, iv, aad, plain);
          expect(a.data).toBe(b.data);
          expect(a.tag).toBe(b.tag);
          expect(a.data.length).toBe(plain.length * 2);
          expect(a.tag.length).toBe(32);
          expect(a.opened).toEqual(plain);
          expect(b.opened).toEqual(plain);
        },
      ),
      { numRuns: 300 },
    );
  });

  it.each(["node", "noble"] as const)("%s returns null when authentication fails", (name) => {
    setCipherBackend(name);
    const b = activeBackend();
    const key = new Uint8Array(32).fill(1);
    const iv = new Uint8Array(32).fill(2);
    const aad = new Uint8Array([0x61, 0x3a]);
    const { data, tag } = b.seal(key, iv, aad, new Uint8Array([1, 2, 3]));
    const badTag = Uint8Array.from(tag);
    badTag[0]! ^= 1;
    expect(b.open(key, iv, aad, data, badTag)).toBeNull();
    expect(b.open(key, iv, new Uint8Array([0x62, 0x3a]), data, tag)).toBeNull();
    const otherKey = new Uint8Array(32).fill(3);
    expect(b.open(otherKey, iv, aad, data, tag)).toBeNull();
  });
});
