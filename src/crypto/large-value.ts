/**
 * Owns: one value's `ENC[AES256_GCM,…]` envelope as ASCII bytes instead of a string, sealed into and opened
 * from a caller's buffer piece by piece, for a value too large to hold twice (a whole binary file).
 */
import { Buffer } from "node:buffer";
import { SealError } from "../errors.js";
import { TAG_BYTES, activeBackend } from "./gcm-backend.js";
import { utf8 } from "./scalar-codec.js";
import { checkIv, checkKey, checkSealable, parseEnvelope } from "./value-cipher.js";

const PREFIX = "ENC[AES256_GCM,data:";
// A multiple of 3 bytes (4 base64 characters), so each piece's base64 joins into the base64 of the whole.
const SEAL_PIECE_BYTES = 3 << 14;
const OPEN_PIECE_CHARS = 4 << 14;
// The fields after the data (iv, tag, type) are short; a longer tail is not an envelope sealfile wrote.
const MAX_TAIL = 4096;

/** The envelope as parsed by {@link parseEnvelopeBytes}: where the base64 data is, and the decoded short fields. */
export interface EnvelopeBytesParts {
  readonly dataStart: number;
  readonly dataEnd: number;
  readonly iv: Uint8Array;
  readonly tag: Uint8Array;
  readonly type: string;
}

function b64Length(bytes: number): number {
  return 4 * Math.ceil(bytes / 3);
}

function asBuffer(b: Uint8Array): Buffer {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

function isAlphabet(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47;
}

function tailText(type: string, iv: Uint8Array, tag: Uint8Array): string {
  return `,iv:${asBuffer(iv).toString("base64")},tag:${asBuffer(tag).toString("base64")},type:${type}]`;
}

/** The length in bytes of the envelope {@link sealBytesInto} writes for `plainLength` bytes. */
export function sealedEnvelopeLength(plainLength: number, ivLength: number, type: string): number {
  return PREFIX.length + b64Length(plainLength) + `,iv:,tag:,type:${type}]`.length + b64Length(ivLength) + b64Length(TAG_BYTES);
}

/**
 * Encrypts `plain` as {@link sealBytes} would and writes its envelope's text into `out`, which must be exactly
 * {@link sealedEnvelopeLength} long; neither the ciphertext nor the envelope is ever whole in memory twice.
 * The result is read back with {@link parseEnvelopeBytes} before returning, as sealBytes checks its own.
 * @throws SealError ENCRYPT_FAILED as sealBytes does, or when `out` has the wrong length.
 */
export function sealBytesInto(plain: Uint8Array, type: string, dataKey: Uint8Array, aad: string, iv: Uint8Array, out: Uint8Array): void {
  checkSealable(plain, type, dataKey, iv);
  if (out.length !== sealedEnvelopeLength(plain.length, iv.length, type)) {
    throw new SealError("ENCRYPT_FAILED", "internal: the room for an encrypted value has the wrong size", { hint: "please report this as a sealfile bug" });
  }
  const o = asBuffer(out);
  let at = o.write(PREFIX, 0, "latin1");
  const tag = activeBackend().sealChunks(dataKey, iv, utf8(aad), plain, SEAL_PIECE_BYTES, (piece) => {
    at += o.write(asBuffer(piece).toString("base64"), at, "latin1");
  });
  at += o.write(tailText(type, iv, tag), at, "latin1");
  const back = at === out.length ? parseEnvelopeBytes(out) : null;
  if (back === null || back.type !== type || !asBuffer(back.tag).equals(asBuffer(tag)) || !asBuffer(back.iv).equals(asBuffer(iv))) {
    throw new SealError("ENCRYPT_FAILED", "an encrypted value would not read back; nothing was written", { hint: "please report this as a sealfile bug" });
  }
}

/**
 * Parses envelope text held as bytes, with the same result as {@link parseEnvelope} plus the base64 checks
 * of `openEnvelope` — or `null` whenever the envelope is not in the plain shape sealfile and sops write
 * (data in padded standard base64, a 16-byte tag, a short tail): the caller then takes the string path,
 * which gives the reference result or error.
 */
export function parseEnvelopeBytes(env: Uint8Array): EnvelopeBytesParts | null {
  const o = asBuffer(env);
  if (o.length < PREFIX.length || o.toString("latin1", 0, PREFIX.length) !== PREFIX) return null;
  const dataStart = PREFIX.length;
  let dataEnd = dataStart;
  while (dataEnd < o.length && isAlphabet(o[dataEnd]!)) dataEnd++;
  let padEnd = dataEnd;
  while (padEnd < o.length && padEnd - dataEnd < 2 && o[padEnd] === 61) padEnd++;
  if (padEnd === dataStart || (padEnd - dataStart) % 4 !== 0 || o.length - padEnd > MAX_TAIL) return null;
  const tail = o.toString("latin1", padEnd);
  // The data holds no ",": on the text with the data cut to "A", sops's greedy regex splits the tail the same way.
  const parts = parseEnvelope(`${PREFIX}A${tail}`);
  if (parts === null || parts.data !== "A") return null;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(parts.iv) || parts.iv.length % 4 !== 0 || parts.iv.length === 0) return null;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(parts.tag) || parts.tag.length % 4 !== 0) return null;
  const iv = Buffer.from(parts.iv, "base64");
  const tag = Buffer.from(parts.tag, "base64");
  if (tag.length !== TAG_BYTES || iv.length < activeBackend().minIvBytes || iv.length > activeBackend().maxIvBytes) return null;
  return { dataStart, dataEnd: padEnd, iv: new Uint8Array(iv), tag: new Uint8Array(tag), type: parts.type };
}

/** The ciphertext of `env`'s data field, base64-decoded a piece at a time. */
function* ciphertextPieces(env: Buffer, parts: EnvelopeBytesParts): Generator<Uint8Array> {
  for (let at = parts.dataStart; at < parts.dataEnd; at += OPEN_PIECE_CHARS) {
    yield Buffer.from(env.toString("latin1", at, Math.min(at + OPEN_PIECE_CHARS, parts.dataEnd)), "base64");
  }
}

/** How many bytes the base64 data of `parts` decodes to. */
function plainLength(env: Uint8Array, parts: EnvelopeBytesParts): number {
  const chars = parts.dataEnd - parts.dataStart;
  const pad = (env[parts.dataEnd - 1] === 61 ? 1 : 0) + (env[parts.dataEnd - 2] === 61 ? 1 : 0);
  return (chars / 4) * 3 - pad;
}

/**
 * Decrypts an envelope {@link parseEnvelopeBytes} accepted, into one fresh buffer the caller owns (and
 * should wipe), as `openEnvelope` does for a string.
 * @throws SealError DECRYPT_VALUE_FAILED when authentication fails or the data key is malformed.
 */
export function openEnvelopeBytes(env: Uint8Array, parts: EnvelopeBytesParts, dataKey: Uint8Array, aad: string): { plain: Uint8Array; type: string; iv: Uint8Array } {
  checkKey(dataKey, "DECRYPT_VALUE_FAILED");
  checkIv(parts.iv, "DECRYPT_VALUE_FAILED");
  const plain = new Uint8Array(plainLength(env, parts));
  if (!activeBackend().openInto(dataKey, parts.iv, utf8(aad), ciphertextPieces(asBuffer(env), parts), parts.tag, plain)) {
    throw new SealError("DECRYPT_VALUE_FAILED", "could not decrypt value: authentication failed", {
      hint: "the data key is wrong, or the value was altered or moved to another key",
    });
  }
  return { plain, type: parts.type, iv: parts.iv };
}
