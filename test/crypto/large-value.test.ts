// Issue 14, item 1: a binary file's one value is sealed into and opened from bytes, piece by piece; the
// results must be exactly those of the string path (sealBytes / parseEnvelope / openEnvelope).
import { afterEach, describe, expect, it } from "vitest";
import fc from "fast-check";
import { openEnvelope, parseEnvelope, sealBytes, setCipherBackend } from "../../src/crypto/index.js";
import { openEnvelopeBytes, parseEnvelopeBytes, sealBytesInto, sealedEnvelopeLength } from "../../src/crypto/large-value.js";
import { isStdBase64 } from "../../src/std-base64.js";
import { isSealError } from "../../src/errors.js";

afterEach(() => setCipherBackend("node"));

const latin1 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "latin1"));
const text = (b: Uint8Array): string => Buffer.from(b).toString("latin1");

function sealInto(plain: Uint8Array, key: Uint8Array, aad: string, iv: Uint8Array): Uint8Array {
  const out = new Uint8Array(sealedEnvelopeLength(plain.length, iv.length, "str"));
  sealBytesInto(plain, "str", key, aad, iv, out);
  return out;
}

describe("issue 14 item 1: large values sealed into and opened from bytes", () => {
  it.each(["node", "noble"] as const)("%s: sealBytesInto writes exactly sealBytes's envelope, and openEnvelopeBytes opens it", (backend) => {
    setCipherBackend(backend);
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.string({ maxLength: 20 }),
        // Across the piece size (3 << 14 bytes), so pieces join correctly.
        fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 200 }), fc.integer({ min: 49_100, max: 50_000 }).map((n) => new Uint8Array(n).fill(7))),
        (key, iv, aad, plain) => {
          const out = sealInto(plain, key, aad, iv);
          expect(text(out)).toBe(sealBytes(plain, "str", key, aad, iv));
          const parts = parseEnvelopeBytes(out);
          expect(parts).not.toBeNull();
          const opened = openEnvelopeBytes(out, parts!, key, aad);
          expect(Buffer.from(opened.plain).equals(Buffer.from(plain))).toBe(true);
          expect(opened.type).toBe("str");
        },
      ),
      { numRuns: 25 },
    );
  });

  it("fails authentication as openEnvelope does: another key, another path, a changed byte", () => {
    const key = new Uint8Array(32).fill(1);
    const iv = new Uint8Array(32).fill(2);
    const plain = new Uint8Array(100_000).fill(3);
    const out = sealInto(plain, key, "data:", iv);
    const parts = parseEnvelopeBytes(out)!;
    const other = new Uint8Array(32).fill(9);
    const changed = out.slice();
    changed[5000] = changed[5000] === 65 ? 66 : 65;
    for (const [env, k, aad] of [[out, other, "data:"], [out, key, "other:"], [changed, key, "data:"]] as const) {
      let code = "";
      try {
        openEnvelopeBytes(env, parseEnvelopeBytes(env) ?? parts, k, aad);
      } catch (e) {
        code = isSealError(e) ? e.code : "other";
      }
      expect(code).toBe("DECRYPT_VALUE_FAILED");
      expect(() => openEnvelope(text(env), k, aad)).toThrow(/authentication failed/);
    }
  });

  it("parseEnvelopeBytes agrees with parseEnvelope and the base64 checks, or declines", () => {
    const odd = fc.oneof(fc.stringMatching(/^[A-Za-z0-9+/]{0,9}={0,3}$/), fc.constantFrom("", "AAAA,iv:BBBB", "A\rA=", "AA\nAA", "AAAA=AAA"));
    const good = fc.stringMatching(/^([A-Za-z0-9+/]{4}){1,3}([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/);
    const field = (valid: fc.Arbitrary<string>) => fc.oneof({ arbitrary: valid, weight: 3 }, { arbitrary: odd, weight: 1 });
    const tag = fc.constantFrom("ILGEaXbtAmhTXDy/1TqlUw==", "NKym+LP30Au1j6yBfiH7XA==");
    const env = fc
      .tuple(fc.constantFrom("ENC[AES256_GCM,data:", "ENC[AES256_GCM,data:", "ENC[AES256_GCM,dat:"), field(good), field(good), field(tag), fc.constantFrom("str", "bytes", "str],type:int", ""), fc.constantFrom("]", "]", "]x", "", "],iv:AAAA,tag:BBBB,type:str]"))
      .map(([p, d, iv, t, type, end]) => `${p}${d},iv:${iv},tag:${t},type:${type}${end}`);
    let accepted = 0;
    fc.assert(
      fc.property(env, (s) => {
        const got = parseEnvelopeBytes(latin1(s));
        if (got === null) return;
        accepted++;
        const ref = parseEnvelope(s);
        expect(ref).not.toBeNull();
        expect(s.slice(got.dataStart, got.dataEnd)).toBe(ref!.data);
        expect(isStdBase64(ref!.data)).toBe(true);
        expect(got.iv).toEqual(new Uint8Array(Buffer.from(ref!.iv, "base64")));
        expect(got.tag).toEqual(new Uint8Array(Buffer.from(ref!.tag, "base64")));
        expect(got.type).toBe(ref!.type);
      }),
      { numRuns: 1500 },
    );
    expect(accepted).toBeGreaterThan(80); // the generator reaches the accepting path often, not only the fallback
  });
});
