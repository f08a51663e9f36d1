/**
 * Owns: a scalar ⇄ the plaintext bytes and `type:` tag sops encrypts and hashes (sops-format.md §1.2;
 * sops `ToBytes` in sops.go and the type switch in aes/cipher.go). The same bytes feed the MAC.
 */
import type { Scalar } from "../tree/index.js";
import { SealError } from "../errors.js";
import { formatGoFloat, parseGoFloat } from "./_go-float.js";
import { formatRfc3339Nano, parseRfc3339 } from "./_go-time.js";

export { formatGoFloat, formatGoFloatG, parseGoFloat } from "./_go-float.js";

/** The `type:` tags sops writes. (`bytes` and `comment` are read too, see {@link decodeScalar}.) */
export type ValueType = "str" | "int" | "float" | "bool" | "time";

const utf8Encoder = new TextEncoder();
// ignoreBOM keeps a leading U+FEFF in the text instead of silently dropping it, so bytes round-trip.
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const lenientUtf8 = new TextDecoder("utf-8", { ignoreBOM: true });

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** UTF-8 bytes of `s` in a fresh buffer. */
export function utf8(s: string): Uint8Array {
  return utf8Encoder.encode(s);
}

/**
 * The plaintext bytes and type tag sops uses for `s`. The bytes are always a fresh buffer the caller
 * owns (and should wipe). Booleans are `True`/`False` and floats use Go's `'f'` form, both for
 * compatibility with Python sops; `bytes` scalars are written as `type:str`.
 * @throws SealError ENCRYPT_FAILED for `null` (never encrypted), an int outside int64, or a malformed time.
 */
export function encodeScalar(s: Scalar): { bytes: Uint8Array; type: ValueType } {
  switch (s.kind) {
    case "str":
      return { bytes: utf8Encoder.encode(s.value), type: "str" };
    case "bytes":
      return { bytes: s.value.slice(), type: "str" };
    case "int":
      if (s.value < INT64_MIN || s.value > INT64_MAX) {
        throw new SealError("ENCRYPT_FAILED", "integer value is outside the 64-bit range sops supports", {
          hint: "quote the value to store it as a string",
        });
      }
      return { bytes: utf8Encoder.encode(s.value.toString()), type: "int" };
    case "float":
      return { bytes: utf8Encoder.encode(formatGoFloat(s.value)), type: "float" };
    case "bool":
      return { bytes: utf8Encoder.encode(s.value ? "True" : "False"), type: "bool" };
    case "time": {
      const t = parseRfc3339(s.value);
      if (t === undefined) throw new SealError("ENCRYPT_FAILED", "time value is not an RFC 3339 timestamp");
      return { bytes: utf8Encoder.encode(formatRfc3339Nano(t)), type: "time" };
    }
    case "null":
      throw new SealError("ENCRYPT_FAILED", "null values are never encrypted");
  }
}

function badPlaintext(type: string): SealError {
  return new SealError("DECRYPT_VALUE_FAILED", `decrypted value is not a valid ${type}`);
}

/** Go `strconv.ParseBool`. */
const GO_BOOLS: ReadonlyMap<string, boolean> = new Map([
  ...["1", "t", "T", "TRUE", "true", "True"].map((k) => [k, true] as const),
  ...["0", "f", "F", "FALSE", "false", "False"].map((k) => [k, false] as const),
]);

/**
 * Turns decrypted plaintext back into a scalar by its `type:` tag, as sops does: `str` → string (or a
 * `bytes` scalar when not valid UTF-8), `int` → Go `Atoi` (int64), `float` → Go `ParseFloat`,
 * `bool` → Go `ParseBool`, `time` → RFC 3339 re-emitted as Go's `MarshalText`, `bytes` (legacy Python
 * sops) → bytes. Comments are not values: use {@link decodeComment}. A `bytes` result is a copy, unless
 * `adopt` hands `bytes` itself over to the scalar (a whole binary file, too large to copy).
 * @throws SealError DECRYPT_VALUE_FAILED for an unknown type tag or plaintext that does not parse.
 */
export function decodeScalar(bytes: Uint8Array, type: string, opts: { readonly adopt?: boolean } = {}): Scalar {
  switch (type) {
    case "str":
      try {
        return { kind: "str", value: strictUtf8.decode(bytes) };
      } catch {
        return { kind: "bytes", value: opts.adopt ? bytes : bytes.slice() };
      }
    case "bytes":
      return { kind: "bytes", value: opts.adopt ? bytes : bytes.slice() };
    case "int": {
      const text = lenientUtf8.decode(bytes);
      if (!/^[+-]?[0-9]+$/.test(text)) throw badPlaintext("int");
      const value = BigInt(text);
      if (value < INT64_MIN || value > INT64_MAX) throw badPlaintext("int");
      return { kind: "int", value };
    }
    case "float": {
      const value = parseGoFloat(lenientUtf8.decode(bytes));
      if (value === undefined) throw badPlaintext("float");
      return { kind: "float", value };
    }
    case "bool": {
      const value = GO_BOOLS.get(lenientUtf8.decode(bytes));
      if (value === undefined) throw badPlaintext("bool");
      return { kind: "bool", value };
    }
    case "time": {
      const t = parseRfc3339(lenientUtf8.decode(bytes));
      if (t === undefined) throw badPlaintext("time");
      return { kind: "time", value: formatRfc3339Nano(t) };
    }
    case "comment":
      throw new SealError("DECRYPT_VALUE_FAILED", "found an encrypted comment where a value was expected");
    default:
      throw new SealError("DECRYPT_VALUE_FAILED", `unknown datatype ${JSON.stringify(type.slice(0, 40))}`);
  }
}

/** The text of a decrypted `type:comment` plaintext (invalid UTF-8 becomes U+FFFD, as text must). */
export function decodeComment(bytes: Uint8Array): string {
  return lenientUtf8.decode(bytes);
}
