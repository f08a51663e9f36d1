import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { Scalar } from "../../src/tree/index.js";
import { decodeComment, decodeScalar, encodeScalar } from "../../src/crypto/index.js";
import { isSealError } from "../../src/errors.js";

const text = (b: Uint8Array) => Buffer.from(b).toString("latin1");
const bytesOf = (s: string) => new Uint8Array(Buffer.from(s, "utf8"));

function expectSealError(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (e) {
    expect(isSealError(e)).toBe(true);
    expect((e as { code: string }).code).toBe(code);
    return;
  }
  throw new Error("expected a SealError");
}

describe("encodeScalar", () => {
  it.each<[string, string, Scalar]>([
    ["hunter2", "str", { kind: "str", value: "hunter2" }],
    ["-42", "int", { kind: "int", value: -42n }],
    ["9223372036854775807", "int", { kind: "int", value: 9223372036854775807n }],
    ["1.5", "float", { kind: "float", value: 1.5 }],
    ["25", "float", { kind: "float", value: 25 }],
    ["1234568000", "float", { kind: "float", value: 1234568000 }],
    ["-Inf", "float", { kind: "float", value: -Infinity }],
    ["True", "bool", { kind: "bool", value: true }],
    ["False", "bool", { kind: "bool", value: false }],
    ["2024-01-01T00:00:00Z", "time", { kind: "time", value: "2024-01-01T00:00:00Z" }],
    ["2006-01-02T15:04:05+07:06", "time", { kind: "time", value: "2006-01-02T15:04:05+07:06" }],
    ["2006-01-02T15:04:05.12Z", "time", { kind: "time", value: "2006-01-02T15:04:05.120+00:00" }],
  ])("→ %s (%s)", (bytes, type, scalar) => {
    const out = encodeScalar(scalar);
    expect(text(out.bytes)).toBe(bytes);
    expect(out.type).toBe(type);
  });

  it("writes UTF-8 and raw bytes as type str, in fresh buffers", () => {
    expect([...encodeScalar({ kind: "str", value: "é€" }).bytes]).toEqual([0xc3, 0xa9, 0xe2, 0x82, 0xac]);
    const raw = new Uint8Array([0xff, 0x00, 0xfe]);
    const out = encodeScalar({ kind: "bytes", value: raw });
    expect(out).toEqual({ bytes: raw, type: "str" });
    out.bytes.fill(0);
    expect([...raw]).toEqual([0xff, 0x00, 0xfe]);
  });

  it("refuses null, out-of-range ints and malformed times", () => {
    expectSealError(() => encodeScalar({ kind: "null" }), "ENCRYPT_FAILED");
    expectSealError(() => encodeScalar({ kind: "int", value: 2n ** 63n }), "ENCRYPT_FAILED");
    expectSealError(() => encodeScalar({ kind: "int", value: -(2n ** 63n) - 1n }), "ENCRYPT_FAILED");
    expectSealError(() => encodeScalar({ kind: "time", value: "2024-01-01" }), "ENCRYPT_FAILED");
  });
});

describe("decodeScalar", () => {
  it("str: valid UTF-8 is a string (a BOM is kept), anything else stays bytes", () => {
    expect(decodeScalar(bytesOf("eve"), "str")).toEqual({ kind: "str", value: "eve" });
    expect(decodeScalar(bytesOf("\uFEFFx"), "str")).toEqual({ kind: "str", value: "\uFEFFx" });
    const raw = new Uint8Array([0x80, 0x41]);
    const s = decodeScalar(raw, "str");
    expect(s).toEqual({ kind: "bytes", value: raw });
    raw.fill(0);
    expect(s).toEqual({ kind: "bytes", value: new Uint8Array([0x80, 0x41]) });
  });

  it("bytes (legacy Python sops) is always bytes", () => {
    expect(decodeScalar(bytesOf("abc"), "bytes")).toEqual({ kind: "bytes", value: bytesOf("abc") });
  });

  it("int follows Go Atoi (int64)", () => {
    expect(decodeScalar(bytesOf("-42"), "int")).toEqual({ kind: "int", value: -42n });
    expect(decodeScalar(bytesOf("+7"), "int")).toEqual({ kind: "int", value: 7n });
    expect(decodeScalar(bytesOf("-9223372036854775808"), "int")).toEqual({ kind: "int", value: -(2n ** 63n) });
    for (const bad of ["", "+", "1.0", " 1", "1_000", "9223372036854775808", "0x10"]) {
      expectSealError(() => decodeScalar(bytesOf(bad), "int"), "DECRYPT_VALUE_FAILED");
    }
  });

  it("float follows Go ParseFloat", () => {
    expect(decodeScalar(bytesOf("1234568000"), "float")).toEqual({ kind: "float", value: 1234568000 });
    expect(decodeScalar(bytesOf("+Inf"), "float")).toEqual({ kind: "float", value: Infinity });
    const nan = decodeScalar(bytesOf("NaN"), "float");
    expect(nan.kind === "float" && Number.isNaN(nan.value)).toBe(true);
    expectSealError(() => decodeScalar(bytesOf("1.5.5"), "float"), "DECRYPT_VALUE_FAILED");
  });

  it("bool accepts exactly Go's ParseBool set", () => {
    for (const t of ["1", "t", "T", "TRUE", "true", "True"]) expect(decodeScalar(bytesOf(t), "bool")).toEqual({ kind: "bool", value: true });
    for (const f of ["0", "f", "F", "FALSE", "false", "False"]) expect(decodeScalar(bytesOf(f), "bool")).toEqual({ kind: "bool", value: false });
    for (const bad of ["yes", "tRUE", "", "2", " True"]) expectSealError(() => decodeScalar(bytesOf(bad), "bool"), "DECRYPT_VALUE_FAILED");
  });

  it("time re-emits Go's RFC3339Nano", () => {
    const dec = (s: string) => decodeScalar(bytesOf(s), "time");
    expect(dec("2024-01-01T00:00:00Z")).toEqual({ kind: "time", value: "2024-01-01T00:00:00Z" });
    expect(dec("2024-01-01T00:00:00-00:00")).toEqual({ kind: "time", value: "2024-01-01T00:00:00Z" });
    expect(dec("2006-01-02T15:04:05.123456789123-07:30")).toEqual({ kind: "time", value: "2006-01-02T15:04:05.123456789-07:30" });
    expect(dec("2006-01-02T15:04:05.000Z")).toEqual({ kind: "time", value: "2006-01-02T15:04:05Z" });
    expect(dec("2024-02-29T23:59:59+23:59")).toEqual({ kind: "time", value: "2024-02-29T23:59:59+23:59" });
    for (const bad of ["2024-01-01", "2023-02-29T00:00:00Z", "2024-01-01t00:00:00Z", "2024-01-01T00:00:00z",
      "2024-01-01T24:00:00Z", "2024-01-01T00:00:60Z", "2024-13-01T00:00:00Z", "2024-01-01T00:00:00+24:00",
      "2024-01-01T00:00:00.Z", "2024-01-01T00:00:00", "24-01-01T00:00:00Z"]) {
      expectSealError(() => dec(bad), "DECRYPT_VALUE_FAILED");
    }
  });

  it("refuses comments and unknown types", () => {
    expectSealError(() => decodeScalar(bytesOf("x"), "comment"), "DECRYPT_VALUE_FAILED");
    expectSealError(() => decodeScalar(bytesOf("x"), "int64"), "DECRYPT_VALUE_FAILED");
    expect(() => decodeScalar(bytesOf("x"), "weird")).toThrow(/unknown datatype "weird"/);
  });

  it("error messages never contain the plaintext", () => {
    const secret = "s3cr3t-canary";
    for (const type of ["int", "float", "bool", "time"]) {
      try {
        decodeScalar(bytesOf(secret), type);
        throw new Error("should fail");
      } catch (e) {
        expect((e as Error).message).not.toContain(secret);
      }
    }
  });

  it("decodeComment returns the text", () => {
    expect(decodeComment(bytesOf(" a comment"))).toBe(" a comment");
  });
});

describe("encode/decode round trip", () => {
  const scalar: fc.Arbitrary<Scalar> = fc.oneof(
    fc.string({ minLength: 1, unit: "grapheme" }).map((value) => ({ kind: "str" as const, value })),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((value) => ({ kind: "int" as const, value })),
    fc.double().map((value) => ({ kind: "float" as const, value })),
    fc.boolean().map((value) => ({ kind: "bool" as const, value })),
    fc.date({ min: new Date("0001-01-01T00:00:00Z"), max: new Date("9999-12-31T23:59:59Z"), noInvalidDate: true })
      .map((d) => ({ kind: "time" as const, value: d.toISOString().replace(/(\.\d*?)0+Z$/, "$1Z").replace(/\.Z$/, "Z") })),
  );

  it("decodeScalar(encodeScalar(s)) equals s", () => {
    fc.assert(
      fc.property(scalar, (s) => {
        const { bytes, type } = encodeScalar(s);
        expect(decodeScalar(bytes, type)).toEqual(s);
      }),
      { numRuns: 2000 },
    );
  });
});
