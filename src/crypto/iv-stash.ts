/**
 * Owns: remembering the IV each decrypted value had, so re-encrypting an unchanged value (same path,
 * same type, same plaintext, same data key) reproduces its ciphertext byte for byte and git diffs stay
 * minimal (sops-format.md §1.5, sops aes/cipher.go `stash`). Reusing an IV is only safe for exactly the
 * same (key, AAD, plaintext): GCM then yields the same ciphertext and reveals nothing new. A stash must
 * therefore live no longer than one data key; drop it when the key rotates.
 */
import { createHash } from "node:crypto";

const utf8Encoder = new TextEncoder();

/**
 * The map key: SHA-256 over length-prefixed aad, type and plaintext (u32 big-endian lengths), so the
 * plaintext itself is never held as a key. The hash is fed field by field: no copy of the plaintext.
 */
function stashKey(aad: string, type: string, plain: Uint8Array): string {
  const h = createHash("sha256");
  for (const field of [utf8Encoder.encode(aad), utf8Encoder.encode(type), plain]) {
    const length = new Uint8Array(4);
    new DataView(length.buffer).setUint32(0, field.length);
    h.update(length).update(field);
  }
  return h.digest("base64");
}

/**
 * IVs of decrypted values, keyed by (AAD, type tag, plaintext bytes). Remember with the bytes that were
 * decrypted; recall with the bytes about to be encrypted (`encodeScalar`). A value whose stored plaintext
 * was not canonical (e.g. a bool written `true`) therefore gets a fresh IV, where sops, keying by the
 * decoded Go value, would reuse the IV for different bytes.
 */
export class IvStash {
  readonly #ivs = new Map<string, Uint8Array>();

  /** Records that `plain` of `type` at `aad` was decrypted with `iv` (a copy is kept). */
  remember(aad: string, type: string, plain: Uint8Array, iv: Uint8Array): void {
    this.#ivs.set(stashKey(aad, type, plain), iv.slice());
  }

  /** The IV to reuse for `plain` of `type` at `aad`, or `undefined` when a fresh one is needed. */
  recall(aad: string, type: string, plain: Uint8Array): Uint8Array | undefined {
    return this.#ivs.get(stashKey(aad, type, plain))?.slice();
  }

  /** Number of remembered values. */
  get size(): number {
    return this.#ivs.size;
  }

  /** Forgets everything (e.g. after a data key rotation). */
  clear(): void {
    this.#ivs.clear();
  }
}
