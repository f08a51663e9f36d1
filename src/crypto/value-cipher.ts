/**
 * Owns: one value ⇄ `ENC[AES256_GCM,data:<b64>,iv:<b64>,tag:<b64>,type:<t>]` (sops-format.md §1.1;
 * sops aes/cipher.go). AES-256-GCM under the file's data key, AAD = the value's key path.
 * Empty values are never encrypted: sops writes "" as "" and the caller must not call in here for them
 * ({@link sealBytes} refuses empty plaintext, whose envelope sops could not parse back).
 */
import type { Scalar } from "../tree/index.js";
import { SealError } from "../errors.js";
import { isStdBase64 } from "../std-base64.js";
import { TAG_BYTES, activeBackend } from "./gcm-backend.js";
import { encodeScalar, utf8 } from "./scalar-codec.js";

export { getCipherBackend, setCipherBackend } from "./gcm-backend.js";
export type { CipherBackendName } from "./gcm-backend.js";

/** The four text fields of an envelope, still base64 (data/iv/tag) as written in the file. */
export interface EnvelopeParts {
  readonly data: string;
  readonly iv: string;
  readonly tag: string;
  readonly type: string;
}

const DATA_KEY_BYTES = 32;
const ENVELOPE_PREFIX = "ENC[AES256_GCM,data:";
// sops's regex, anchored at the start only and greedy. Go's `.` stops only at \n, hence [^\n].
const ENVELOPE = /^ENC\[AES256_GCM,data:([^\n]+),iv:([^\n]+),tag:([^\n]+),type:([^\n]+)\]/;
const TYPE_TAGS: ReadonlySet<string> = new Set(["str", "int", "float", "bool", "time", "comment", "bytes"]);

/** Splits an envelope with sops's regex semantics; `null` when `s` is not one. */
export function parseEnvelope(s: string): EnvelopeParts | null {
  if (!s.startsWith(ENVELOPE_PREFIX)) return null;
  const m = ENVELOPE.exec(s);
  return m === null ? null : { data: m[1]!, iv: m[2]!, tag: m[3]!, type: m[4]! };
}

/** True when `s` is an `ENC[AES256_GCM,…]` envelope (by sops's regex, not by decrypting it). */
export function isEnvelope(s: string): boolean {
  return s.startsWith(ENVELOPE_PREFIX) && ENVELOPE.test(s);
}

function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

function fromBase64(text: string, field: string): Uint8Array {
  // Go base64.StdEncoding skips CR (and LF, which sops's regex never lets through).
  const clean = text.includes("\r") ? text.replaceAll("\r", "") : text;
  if (!isStdBase64(clean)) {
    throw new SealError("DECRYPT_VALUE_FAILED", `malformed base64 in the ${field} field of an encrypted value`);
  }
  const bytes = Buffer.from(clean, "base64");
  // A view, not a copy: this is ciphertext, and a copy of a 100 MB value costs 100 MB more.
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function checkKey(dataKey: Uint8Array, code: "ENCRYPT_FAILED" | "DECRYPT_VALUE_FAILED"): void {
  if (dataKey.length !== DATA_KEY_BYTES) throw new SealError(code, `data key must be ${DATA_KEY_BYTES} bytes`);
}

export function checkIv(iv: Uint8Array, code: "ENCRYPT_FAILED" | "DECRYPT_VALUE_FAILED"): void {
  const { minIvBytes, maxIvBytes, name } = activeBackend();
  if (iv.length < minIvBytes) throw new SealError(code, `IV of ${iv.length} bytes is too short for the ${name} cipher backend`);
  if (iv.length > maxIvBytes) throw new SealError(code, `IV of ${iv.length} bytes is too long for the ${name} cipher backend`);
}

/**
 * Encrypts `plain` and writes the envelope. `iv` is 32 fresh random bytes, or the IV a value had when it
 * was decrypted (see iv-stash.ts) so an unchanged value keeps its exact ciphertext.
 * @throws SealError ENCRYPT_FAILED for empty plaintext, an unknown type tag, or a bad key/IV length.
 */
export function sealBytes(plain: Uint8Array, type: string, dataKey: Uint8Array, aad: string, iv: Uint8Array): string {
  checkSealable(plain, type, dataKey, iv);
  const { data, tag } = activeBackend().seal(dataKey, iv, utf8(aad), plain);
  const envelope = `${ENVELOPE_PREFIX}${toBase64(data)},iv:${toBase64(iv)},tag:${toBase64(tag)},type:${type}]`;
  checkReadsBack(envelope, type);
  return envelope;
}

/**
 * What {@link sealBytes} refuses before encrypting anything.
 * @throws SealError ENCRYPT_FAILED for empty plaintext, an unknown type tag, or a bad key/IV length.
 */
export function checkSealable(plain: Uint8Array, type: string, dataKey: Uint8Array, iv: Uint8Array): void {
  if (plain.length === 0) throw new SealError("ENCRYPT_FAILED", "empty values are stored as \"\", never encrypted");
  if (!TYPE_TAGS.has(type)) throw new SealError("ENCRYPT_FAILED", `unknown datatype ${JSON.stringify(type.slice(0, 40))}`);
  checkKey(dataKey, "ENCRYPT_FAILED");
  checkIv(iv, "ENCRYPT_FAILED");
}

/**
 * Self-check before anything is written: the envelope must go through the very parser and base64 check
 * that decryption uses, so a value too large (or odd) for the read side fails here, not after `encrypt -i`
 * has replaced the plaintext. Linear in the envelope's length; the AES pass itself is not repeated.
 */
function checkReadsBack(envelope: string, type: string): void {
  const parts = parseEnvelope(envelope);
  if (parts === null || parts.type !== type || !isStdBase64(parts.data) || !isStdBase64(parts.iv) || !isStdBase64(parts.tag)) {
    throw new SealError("ENCRYPT_FAILED", "an encrypted value would not read back; nothing was written", {
      hint: "please report this as a sealfile bug",
    });
  }
}

/**
 * Decrypts an envelope. The IV length comes from the file (Go accepts any non-zero length on read).
 * Like Go, the last 16 bytes of data‖tag are the tag, whatever the split in the text.
 * The returned `plain` belongs to the caller, who should wipe it when done.
 * @throws SealError DECRYPT_VALUE_FAILED when `envelope` is malformed or authentication fails (wrong key,
 *   value moved to another path, or tampered). The message names nothing secret; callers add the key path.
 */
export function openEnvelope(envelope: string, dataKey: Uint8Array, aad: string): { plain: Uint8Array; type: string; iv: Uint8Array } {
  const parts = parseEnvelope(envelope);
  if (parts === null) throw new SealError("DECRYPT_VALUE_FAILED", "value does not match the ENC[AES256_GCM,…] format");
  let data = fromBase64(parts.data, "data");
  const iv = fromBase64(parts.iv, "iv");
  let tag = fromBase64(parts.tag, "tag");
  checkKey(dataKey, "DECRYPT_VALUE_FAILED");
  if (iv.length === 0) throw new SealError("DECRYPT_VALUE_FAILED", "encrypted value has an empty IV");
  checkIv(iv, "DECRYPT_VALUE_FAILED");
  if (tag.length !== TAG_BYTES) {
    const joined = new Uint8Array(data.length + tag.length);
    joined.set(data);
    joined.set(tag, data.length);
    if (joined.length < TAG_BYTES) throw new SealError("DECRYPT_VALUE_FAILED", "encrypted value is too short");
    data = joined.subarray(0, joined.length - TAG_BYTES);
    tag = joined.subarray(joined.length - TAG_BYTES);
  }
  const plain = activeBackend().open(dataKey, iv, utf8(aad), data, tag);
  if (plain === null) {
    throw new SealError("DECRYPT_VALUE_FAILED", "could not decrypt value: authentication failed", {
      hint: "the data key is wrong, or the value was altered or moved to another key",
    });
  }
  return { plain, type: parts.type, iv };
}

/**
 * Encrypts one scalar: {@link encodeScalar} then {@link sealBytes}; the plaintext buffer is wiped.
 * The caller keeps "" as "" and never passes `null` (see the header).
 * @throws SealError ENCRYPT_FAILED as encodeScalar and sealBytes do.
 */
export function sealScalar(value: Scalar, dataKey: Uint8Array, aad: string, iv: Uint8Array): string {
  const { bytes, type } = encodeScalar(value);
  try {
    return sealBytes(bytes, type, dataKey, aad, iv);
  } finally {
    bytes.fill(0);
  }
}
