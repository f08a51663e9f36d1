/**
 * Owns: the AES-256-GCM primitive behind one small interface, with two interchangeable backends:
 * `node` (node:crypto, the fast default) and `noble` (@noble/ciphers, portable JS). Both accept the
 * 32-byte IVs sops uses; test/crypto/gcm-backend.test.ts proves they give identical bytes.
 */
import { createCipheriv, createDecipheriv } from "node:crypto";
import { aes } from "./_noble-aes.lazy.js";

export const TAG_BYTES = 16;

export type CipherBackendName = "node" | "noble";

export interface GcmBackend {
  readonly name: CipherBackendName;
  /** Encrypts `plain`; returns the ciphertext (same length) and the 16-byte tag. */
  seal(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, plain: Uint8Array): { data: Uint8Array; tag: Uint8Array };
  /**
   * Encrypts `plain` piece by piece (`chunkBytes` at a time), handing each piece of ciphertext to `onChunk`,
   * which must use it before returning; returns the tag. A large value never has a whole ciphertext copy.
   */
  sealChunks(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, plain: Uint8Array, chunkBytes: number, onChunk: (data: Uint8Array) => void): Uint8Array;
  /** Decrypts and authenticates; `null` when authentication fails. */
  open(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, data: Uint8Array, tag: Uint8Array): Uint8Array | null;
  /**
   * Decrypts the ciphertext that `pieces` yields, in order, straight into `out` (exactly its length) and
   * authenticates it; `false` when authentication fails, and then `out` is zeroed.
   */
  openInto(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, pieces: Iterable<Uint8Array>, tag: Uint8Array, out: Uint8Array): boolean;
  /** The shortest IV this backend can use. */
  readonly minIvBytes: number;
  /** The longest IV this backend can use (sops writes 32 bytes; Go reads any length). */
  readonly maxIvBytes: number;
}

/** A plain Uint8Array view of a Buffer (no copy), so callers never see Buffer-only behaviour. */
function view(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

const nodeBackend: GcmBackend = {
  name: "node",
  minIvBytes: 1,
  maxIvBytes: 128, // node:crypto refuses longer GCM IVs (ERR_CRYPTO_INVALID_IV)
  seal(key, iv, aad, plain) {
    const c = createCipheriv("aes-256-gcm", key, iv);
    c.setAAD(aad);
    const data = c.update(plain);
    c.final(); // GCM produces no trailing block; final() computes the tag
    return { data: view(data), tag: view(c.getAuthTag()) };
  },
  sealChunks(key, iv, aad, plain, chunkBytes, onChunk) {
    const c = createCipheriv("aes-256-gcm", key, iv);
    c.setAAD(aad);
    for (let at = 0; at < plain.length; at += chunkBytes) onChunk(view(c.update(plain.subarray(at, at + chunkBytes))));
    c.final();
    return view(c.getAuthTag());
  },
  open(key, iv, aad, data, tag) {
    const d = createDecipheriv("aes-256-gcm", key, iv);
    d.setAuthTag(tag);
    d.setAAD(aad);
    const plain = d.update(data);
    try {
      d.final();
    } catch {
      plain.fill(0);
      return null;
    }
    return view(plain);
  },
  openInto(key, iv, aad, pieces, tag, out) {
    const d = createDecipheriv("aes-256-gcm", key, iv);
    d.setAuthTag(tag);
    d.setAAD(aad);
    let at = 0;
    for (const piece of pieces) {
      const plain = d.update(piece);
      if (at + plain.length > out.length) {
        plain.fill(0);
        out.fill(0);
        throw new RangeError("openInto: more ciphertext than room in out");
      }
      out.set(plain, at);
      at += plain.length;
      plain.fill(0);
    }
    try {
      d.final();
    } catch {
      out.fill(0);
      return false;
    }
    if (at !== out.length) throw new RangeError("openInto: less ciphertext than room in out");
    return true;
  },
};

const nobleBackend: GcmBackend = {
  name: "noble",
  minIvBytes: 8, // @noble/ciphers refuses GCM nonces shorter than 8 bytes
  maxIvBytes: Number.MAX_SAFE_INTEGER,
  seal(key, iv, aad, plain) {
    const sealed = aes().gcm(key, iv, aad).encrypt(plain);
    return { data: sealed.subarray(0, -TAG_BYTES), tag: sealed.subarray(sealed.length - TAG_BYTES) };
  },
  // @noble/ciphers has no streaming GCM: these hold the whole value once more (the portable backend is not
  // the one for very large files).
  sealChunks(key, iv, aad, plain, chunkBytes, onChunk) {
    const { data, tag } = this.seal(key, iv, aad, plain);
    for (let at = 0; at < data.length; at += chunkBytes) onChunk(data.subarray(at, at + chunkBytes));
    return tag;
  },
  open(key, iv, aad, data, tag) {
    const joined = new Uint8Array(data.length + tag.length);
    joined.set(data);
    joined.set(tag, data.length);
    try {
      return aes().gcm(key, iv, aad).decrypt(joined);
    } catch {
      return null;
    }
  },
  openInto(key, iv, aad, pieces, tag, out) {
    const joined = new Uint8Array(out.length + tag.length);
    let at = 0;
    for (const piece of pieces) {
      if (at + piece.length > out.length) throw new RangeError("openInto: more ciphertext than room in out");
      joined.set(piece, at);
      at += piece.length;
    }
    if (at !== out.length) throw new RangeError("openInto: less ciphertext than room in out");
    joined.set(tag, at);
    let plain: Uint8Array;
    try {
      plain = aes().gcm(key, iv, aad).decrypt(joined);
    } catch {
      return false;
    }
    out.set(plain);
    plain.fill(0);
    return true;
  },
};

let current: GcmBackend = nodeBackend;

/** Chooses the AES-GCM implementation for every later seal/open in this process. */
export function setCipherBackend(name: CipherBackendName): void {
  current = name === "noble" ? nobleBackend : nodeBackend;
}

/** The name of the backend in use (`node` unless changed). */
export function getCipherBackend(): CipherBackendName {
  return current.name;
}

/** The backend in use (for value-cipher.ts). */
export function activeBackend(): GcmBackend {
  return current;
}
