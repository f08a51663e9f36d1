/**
 * Owns: the file MAC (sops-format.md §2; sops.go Tree.Encrypt/Decrypt, cmd/sops/common/common.go):
 * SHA-512 over the plaintext bytes of every MAC'd leaf in document order, upper-case hex, stored
 * encrypted as a `type:str` value whose AAD is `lastmodified` in Go RFC 3339 form.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { SealError } from "../errors.js";
import { formatRfc3339, parseRfc3339 } from "./_go-time.js";
import { randomBytes } from "./random.js";
import { utf8 } from "./scalar-codec.js";
import { openEnvelope, sealBytes } from "./value-cipher.js";

/**
 * sha256("sops") = 8a3fd2ad54ce66527b1034f3d147be0b0b975b3bf44f72c6fdadec8176f27d69, hashed first when
 * `mac_only_encrypted` is set so the two MAC modes never produce the same digest (sops 3.9.0+).
 */
export const MAC_ONLY_ENCRYPTED_SEED: Uint8Array = Uint8Array.from(
  Buffer.from("8a3fd2ad54ce66527b1034f3d147be0b0b975b3bf44f72c6fdadec8176f27d69", "hex"),
);

const IV_BYTES = 32;

/** Accumulates the MAC input. Feed it `encodeScalar(v).bytes` of each leaf sops hashes, in document order. */
export class MacHasher {
  readonly #hash = createHash("sha512");

  constructor(macOnlyEncrypted: boolean) {
    if (macOnlyEncrypted) this.#hash.update(MAC_ONLY_ENCRYPTED_SEED);
  }

  /** Adds one leaf's plaintext bytes (empty values add nothing, as in sops). */
  add(bytes: Uint8Array): void {
    this.#hash.update(bytes);
  }

  /** The MAC as 128 upper-case hex characters. Call once. */
  digestHex(): string {
    return this.#hash.digest("hex").toUpperCase();
  }
}

/**
 * The MAC's AAD: `lastmodified` re-printed as Go's `Format(time.RFC3339)` — fraction dropped, `Z` for a
 * zero offset, `±hh:mm` otherwise — exactly what sops passes when it decrypts the MAC.
 * @throws SealError BAD_METADATA when `lastmodified` is not an RFC 3339 timestamp.
 */
export function macAad(lastmodified: string): string {
  const t = parseRfc3339(lastmodified);
  if (t === undefined) {
    throw new SealError("BAD_METADATA", "sops.lastmodified is not an RFC 3339 timestamp", {
      hint: "expected a value like 2026-05-22T20:15:29Z",
    });
  }
  return formatRfc3339(t);
}

/** `date` as sops writes `lastmodified`: UTC, whole seconds, literal `Z` (e.g. `2026-05-22T20:15:29Z`). */
export function formatLastModified(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/**
 * Encrypts the MAC hex for `sops.mac` under a fresh random IV (the MAC never reuses an IV).
 * @throws SealError BAD_METADATA for a malformed `lastmodified`; ENCRYPT_FAILED for a bad data key.
 */
export function sealMac(hex: string, dataKey: Uint8Array, lastmodified: string): string {
  return sealBytes(utf8(hex), "str", dataKey, macAad(lastmodified), randomBytes(IV_BYTES));
}

/**
 * Decrypts `sops.mac`. An empty `envelope` (no MAC stored) gives "", which then fails comparison, as in sops.
 * @throws SealError MAC_MISMATCH "could not decrypt the MAC" when the envelope is malformed, fails
 *   authentication (wrong key, altered MAC or lastmodified), or is not of type str;
 *   BAD_METADATA for a malformed `lastmodified`.
 */
export function openMac(envelope: string, dataKey: Uint8Array, lastmodified: string): string {
  const aad = macAad(lastmodified);
  if (envelope === "") return "";
  let opened: { plain: Uint8Array; type: string };
  try {
    opened = openEnvelope(envelope, dataKey, aad);
  } catch (cause) {
    throw new SealError("MAC_MISMATCH", "could not decrypt the MAC", {
      cause,
      hint: "the file was modified outside sops/secrets, or its lastmodified or mac field was changed",
    });
  }
  if (opened.type !== "str") {
    throw new SealError("MAC_MISMATCH", "could not decrypt the MAC: it is not stored as type str");
  }
  return Buffer.from(opened.plain.buffer, opened.plain.byteOffset, opened.plain.byteLength).toString("utf8");
}

/** Compares two MAC hex strings in constant time (for equal lengths; unequal lengths are simply unequal). */
export function macsEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  if (x.length !== y.length) {
    timingSafeEqual(x, x); // keep the work comparable; the length of a MAC is public anyway
    return false;
  }
  return timingSafeEqual(x, y);
}
