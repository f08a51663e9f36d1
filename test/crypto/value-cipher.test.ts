import { afterEach, describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  encodeScalar,
  isEnvelope,
  openEnvelope,
  parseEnvelope,
  sealBytes,
  sealScalar,
  setCipherBackend,
  decodeScalar,
  decodeComment,
} from "../../src/crypto/index.js";
import { isSealError } from "../../src/errors.js";

afterEach(() => setCipherBackend("node"));

const hex = (s: string) => new Uint8Array(Buffer.from(s, "hex"));
const bytes = (s: string) => new Uint8Array(Buffer.from(s, "utf8"));
const str = (b: Uint8Array) => Buffer.from(b).toString("utf8");
const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64");
const unb64 = (s: string) => new Uint8Array(Buffer.from(s, "base64"));

// sops-format.md §11.2: key = 0x00..0x1f, IV = 0x20..0x3f, computed with Python `cryptography`.
const KEY_SEQ = Uint8Array.from({ length: 32 }, (_, i) => i);
const IV_SEQ = Uint8Array.from({ length: 32 }, (_, i) => 0x20 + i);
const IV_B64 = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";
const SELF_VECTORS: Array<[string, string, string, string]> = [
  ["bar", "str", "foo:", `ENC[AES256_GCM,data:daCD,iv:${IV_B64},tag:ILGEaXbtAmhTXDy/1TqlUw==,type:str]`],
  ["42", "int", "a:b:", `ENC[AES256_GCM,data:I/M=,iv:${IV_B64},tag:NKym+LP30Au1j6yBfiH7XA==,type:int]`],
  ["1.5", "float", "x:", `ENC[AES256_GCM,data:Ju/E,iv:${IV_B64},tag:7PpYIgMYjsjytbnwBm0JlA==,type:float]`],
  ["True", "bool", "flags:", `ENC[AES256_GCM,data:Q7OELQ==,iv:${IV_B64},tag:/idaZC+rDnwunLprUhFRVA==,type:bool]`],
  [" a comment", "comment", ":", `ENC[AES256_GCM,data:N6DRK+Jiu0aoJQ==,iv:${IV_B64},tag:zhXqWBo3rqdX5kCjunNSaw==,type:comment]`],
];

// Real sops output. §11.1: functional-tests/res/format.enc.yaml (sops 3.13.1).
const FORMAT_KEY = hex("af5e68dd342b72c6a0475f81a50da4fde898f4b7742c92cbcf1668211411f4e4");
const FORMAT_FOO = "ENC[AES256_GCM,data:8CvE,iv:tjchf/lmMpXDOA1tLE/N4oY9IqJIzfQ/7NlvQlDUtoA=,tag:1aFCHIRp3j/VPNcCEsE95A==,type:str]";
// The sops repository's age example.yaml (sops 3.7.1); data key from the fixtures README.
const AGE_KEY = hex("9ac088cf7029981341457c39dd56dde54600dfbce9b5ede23aa65c418900ab67");
const AGE_VALUES: Array<[string, string, string]> = [
  ["app2:db:user:", "ENC[AES256_GCM,data:/cSI,iv:v78SLfb75AgxJU6hyorI1NdFIS9BPQhfaYohvnP4+zY=,tag:RT4DZqfxr6acgPTUpYMv0A==,type:str]", "eve"],
  ["number:", "ENC[AES256_GCM,data:ncsT6Jih58uKyg==,iv:UeY6Q0QBhGlfihP5mi/YMOADw58mcZd/Xaz/zwk1TVM=,tag:n5OvH45qiTpJh8IDZ4VzgQ==,type:float]", "1234568000"],
  ["somebooleans:", "ENC[AES256_GCM,data:EQiTQA==,iv:r8Y+bdo0YiWEmY0SrSKrnRcycbGF/1+unE2IEXnYnwg=,tag:IE9M6ZqmfH1QIL9rbZrvVA==,type:bool]", "True"],
  ["somebooleans:", "ENC[AES256_GCM,data:rC2PhLw=,iv:OP6EP6FPkwDbjPXocfPJArwknrbuAJM7lrc6tJZ7HqE=,tag:IpR3rYFbxSa9woOZyNuADQ==,type:bool]", "False"],
  ["an_array:", "ENC[AES256_GCM,data:Kz5fYNAguRjkRY4=,iv:pmunK+mDtaAZr8inbSIJWBMDPUHp8/YyJjnYJ76RCpo=,tag:K7EtHFPMiQZDbJ73zFIErw==,type:str]", "secretuser1"],
];
const AGE_COMMENT = "ENC[AES256_GCM,data:LELzippzGHnQdg4=,iv:3dvWHxOMQ8hRSsdNaR7M7+1/n6ZXkNCyJpN53VVSofA=,tag:+4N8pJgxtJvPoMVdPs6IXQ==,type:comment]";

function sealErrorCode(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isSealError(e)) return e.code;
    throw e;
  }
  return "no error";
}

describe.each(["node", "noble"] as const)("value cipher with the %s backend", (backend) => {
  it("reproduces the §11.2 vectors byte for byte and opens them", () => {
    setCipherBackend(backend);
    for (const [plain, type, aad, envelope] of SELF_VECTORS) {
      expect(sealBytes(bytes(plain), type, KEY_SEQ, aad, IV_SEQ)).toBe(envelope);
      const opened = openEnvelope(envelope, KEY_SEQ, aad);
      expect(str(opened.plain)).toBe(plain);
      expect(opened.type).toBe(type);
      expect(opened.iv).toEqual(IV_SEQ);
    }
  });

  it("decrypts real sops output (§11.1 and the age example)", () => {
    setCipherBackend(backend);
    const foo = openEnvelope(FORMAT_FOO, FORMAT_KEY, "foo:");
    expect(decodeScalar(foo.plain, foo.type)).toEqual({ kind: "str", value: "bar" });
    for (const [aad, envelope, plain] of AGE_VALUES) {
      const opened = openEnvelope(envelope, AGE_KEY, aad);
      expect(str(opened.plain)).toBe(plain);
      expect(opened.iv.length).toBe(32);
      // re-sealing with the recorded IV reproduces sops's exact ciphertext
      expect(sealBytes(opened.plain, opened.type, AGE_KEY, aad, opened.iv)).toBe(envelope);
    }
    const c = openEnvelope(AGE_COMMENT, AGE_KEY, "this:is:a:nested:");
    expect(c.type).toBe("comment");
    expect(decodeComment(c.plain).length).toBeGreaterThan(0);
  });

  it("fails without leaking when the AAD, key, data, iv or tag is wrong", () => {
    setCipherBackend(backend);
    expect(sealErrorCode(() => openEnvelope(AGE_VALUES[0]![1], AGE_KEY, "app2:db:password:"))).toBe("DECRYPT_VALUE_FAILED");
    expect(sealErrorCode(() => openEnvelope(AGE_VALUES[0]![1], FORMAT_KEY, "app2:db:user:"))).toBe("DECRYPT_VALUE_FAILED");
    const p = parseEnvelope(SELF_VECTORS[0]![3])!;
    const flip = (s: string) => { const b = unb64(s); b[0]! ^= 0x80; return b64(b); };
    for (const env of [
      `ENC[AES256_GCM,data:${flip(p.data)},iv:${p.iv},tag:${p.tag},type:str]`,
      `ENC[AES256_GCM,data:${p.data},iv:${flip(p.iv)},tag:${p.tag},type:str]`,
      `ENC[AES256_GCM,data:${p.data},iv:${p.iv},tag:${flip(p.tag)},type:str]`,
    ]) {
      try {
        openEnvelope(env, KEY_SEQ, "foo:");
        throw new Error("should fail");
      } catch (e) {
        expect(isSealError(e, "DECRYPT_VALUE_FAILED")).toBe(true);
        expect((e as Error).message).not.toContain("bar");
        expect((e as Error).message).not.toContain(Buffer.from(KEY_SEQ).toString("hex").slice(0, 8));
      }
    }
  });

  it("round-trips random values and IV lengths the backend supports", () => {
    setCipherBackend(backend);
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: backend === "noble" ? 8 : 1, maxLength: 48 }),
        fc.string(),
        fc.uint8Array({ minLength: 1, maxLength: 200 }),
        fc.constantFrom("str", "int", "float", "bool", "time", "comment", "bytes"),
        (key, iv, aad, plain, type) => {
          const env = sealBytes(plain, type, key, aad, iv);
          expect(isEnvelope(env)).toBe(true);
          const opened = openEnvelope(env, key, aad);
          expect(opened.plain).toEqual(plain);
          expect(opened.type).toBe(type);
          expect(opened.iv).toEqual(iv);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("envelope parsing", () => {
  it("follows sops's regex: anchored at the start only, greedy groups", () => {
    expect(parseEnvelope("ENC[AES256_GCM,data:a,iv:b,tag:c,type:str]")).toEqual({ data: "a", iv: "b", tag: "c", type: "str" });
    expect(parseEnvelope("ENC[AES256_GCM,data:a,iv:b,tag:c,type:str] trailing")?.type).toBe("str");
    expect(parseEnvelope("ENC[AES256_GCM,data:a,iv:b,tag:c,type:str]x]")?.type).toBe("str]x");
    expect(parseEnvelope("ENC[AES256_GCM,data:a,iv:b,iv:d,tag:c,type:str]")).toEqual({ data: "a,iv:b", iv: "d", tag: "c", type: "str" });
    expect(parseEnvelope("ENC[AES256_GCM,data:a,iv:b,tag:c,type:d,type:str]")).toEqual({ data: "a", iv: "b", tag: "c,type:d", type: "str" });
    expect(parseEnvelope("ENC[AES256_GCM,data:a,iv:b,tag:c,tag:e,type:str]")).toEqual({ data: "a", iv: "b,tag:c", tag: "e", type: "str" });
    expect(parseEnvelope(" ENC[AES256_GCM,data:a,iv:b,tag:c,type:str]")).toBeNull();
    expect(parseEnvelope("ENC[AES256_GCM,data:,iv:b,tag:c,type:str]")).toBeNull();
    expect(parseEnvelope("ENC[AES256_GCM,data:a\n,iv:b,tag:c,type:str]")).toBeNull();
    expect(parseEnvelope("ENC[AES256_GCM,data:a,iv:b,tag:c,type:str")).toBeNull();
    expect(parseEnvelope("plain value")).toBeNull();
    expect(isEnvelope("ENC[AES256_GCM,data:a,iv:b,tag:c,type:str]")).toBe(true);
    expect(isEnvelope("ENC[AES256_GCM,data:a,iv:b]")).toBe(false);
    expect(isEnvelope("")).toBe(false);
  });

  it("rejects malformed base64 (Go StdEncoding is strict about padding and alphabet)", () => {
    const p = parseEnvelope(SELF_VECTORS[0]![3])!;
    const bad = [
      `ENC[AES256_GCM,data:daCD,iv:${p.iv.replace("=", "")},tag:${p.tag},type:str]`,
      `ENC[AES256_GCM,data:da-D,iv:${p.iv},tag:${p.tag},type:str]`,
      `ENC[AES256_GCM,data:daCD,iv:${p.iv},tag:${p.tag} ,type:str]`,
      "ENC[AES256_GCM,data:daCD,iv:,tag:x,type:str]",
    ];
    for (const env of bad) expect(sealErrorCode(() => openEnvelope(env, KEY_SEQ, "foo:"))).toBe("DECRYPT_VALUE_FAILED");
  });

  it("an IV longer than node:crypto takes (found by the fuzzer) is DECRYPT_VALUE_FAILED, not an internal error", () => {
    const p = parseEnvelope(SELF_VECTORS[0]![3])!;
    for (const n of [128, 129, 400]) {
      const env = `ENC[AES256_GCM,data:${p.data},iv:${b64(Buffer.alloc(n, 7))},tag:${p.tag},type:str]`;
      expect(sealErrorCode(() => openEnvelope(env, KEY_SEQ, "foo:"))).toBe("DECRYPT_VALUE_FAILED");
    }
  });

  it("like Go, takes the last 16 bytes of data‖tag as the tag whatever the textual split", () => {
    const p = parseEnvelope(AGE_VALUES[4]![1])!;
    const joined = Buffer.concat([unb64(p.data), unb64(p.tag)]);
    const moved = `ENC[AES256_GCM,data:${b64(joined.subarray(0, joined.length - 12))},iv:${p.iv},tag:${b64(joined.subarray(joined.length - 12))},type:str]`;
    expect(str(openEnvelope(moved, AGE_KEY, "an_array:").plain)).toBe("secretuser1");
  });

  it("reports an unknown type only after decrypting (the caller decodes)", () => {
    const env = sealBytes(bytes("x"), "str", KEY_SEQ, "k:", IV_SEQ).replace("type:str]", "type:weird]");
    expect(openEnvelope(env, KEY_SEQ, "k:").type).toBe("weird");
  });
});

describe("sealing guards", () => {
  it("refuses empty plaintext, unknown types, bad key and IV lengths", () => {
    expect(sealErrorCode(() => sealBytes(new Uint8Array(0), "str", KEY_SEQ, "a:", IV_SEQ))).toBe("ENCRYPT_FAILED");
    expect(sealErrorCode(() => sealBytes(bytes("x"), "int64", KEY_SEQ, "a:", IV_SEQ))).toBe("ENCRYPT_FAILED");
    expect(sealErrorCode(() => sealBytes(bytes("x"), "str", KEY_SEQ.subarray(0, 16), "a:", IV_SEQ))).toBe("ENCRYPT_FAILED");
    expect(sealErrorCode(() => sealBytes(bytes("x"), "str", KEY_SEQ, "a:", new Uint8Array(0)))).toBe("ENCRYPT_FAILED");
    setCipherBackend("noble");
    expect(sealErrorCode(() => sealBytes(bytes("x"), "str", KEY_SEQ, "a:", new Uint8Array(4)))).toBe("ENCRYPT_FAILED");
    expect(sealErrorCode(() => openEnvelope(SELF_VECTORS[0]![3], KEY_SEQ.subarray(1), "foo:"))).toBe("DECRYPT_VALUE_FAILED");
  });

  it("sealScalar encodes then seals (bools as True)", () => {
    const env = sealScalar({ kind: "bool", value: true }, KEY_SEQ, "flags:", IV_SEQ);
    expect(env).toBe(SELF_VECTORS[3]![3]);
    const { bytes: b } = encodeScalar({ kind: "int", value: 42n });
    expect(sealScalar({ kind: "int", value: 42n }, KEY_SEQ, "a:b:", IV_SEQ)).toBe(sealBytes(b, "int", KEY_SEQ, "a:b:", IV_SEQ));
  });
});
