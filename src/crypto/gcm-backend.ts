/**
 * Owns: the AES-256-GCM primitive behind one small interface, with two interchangeable backends:
 * `node` (node:crypto, the fast default) and `noble` (@noble/ciphers, portable JS). Both accept the
 * 32-byte IVs sops uses; test/crypto/gcm-backend.test.ts proves they give identical bytes.
 */
import { createCipheriv, createDecipheriv } from "node:crypto";
import { gcm } from "@noble/ciphers/aes.js";

export const TAG_BYTES = 16;

export type CipherBackendName = "node" | "noble";

export interface GcmBackend {
  readonly name: CipherBackendName;
  /** Encrypts `plain`; returns the ciphertext (same length) and the 16-byte tag. */
  seal(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, plain: Uint8Array): { data: Uint8Array; tag: Uint8Array };
  /** Decrypts and authenticates; `null` when authentication fails. */
  open(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, data: Uint8Array, tag: Uint8Array): Uint8Array | null;
  /** The shortest IV this backend can use. */
  readonly minIvBytes: number;
}

/** A plain Uint8Array view of a Buffer (no copy), so callers never see Buffer-only behaviour. */
function view(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

const nodeBackend: GcmBackend = {
  name: "node",
  minIvBytes: 1,
  seal(key, iv, aad, plain) {
    const c = createCipheriv("aes-256-gcm", key, iv);
    c.setAAD(aad);
    const data = c.update(plain);
    c.final(); // GCM produces no trailing block; final() computes the tag
    return { data: view(data), tag: view(c.getAuthTag()) };
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
};

const nobleBackend: GcmBackend = {
  name: "noble",
  minIvBytes: 8, // @noble/ciphers refuses GCM nonces shorter than 8 bytes
  seal(key, iv, aad, plain) {
    const sealed = gcm(key, iv, aad).encrypt(plain);
    return { data: sealed.subarray(0, -TAG_BYTES), tag: sealed.subarray(sealed.length - TAG_BYTES) };
  },
  open(key, iv, aad, data, tag) {
    const joined = new Uint8Array(data.length + tag.length);
    joined.set(data);
    joined.set(tag, data.length);
    try {
      return gcm(key, iv, aad).decrypt(joined);
    } catch {
      return null;
    }
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
