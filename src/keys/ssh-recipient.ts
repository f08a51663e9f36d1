/**
 * Owns: SSH public keys as age recipients — the `ssh-ed25519` and `ssh-rsa` stanza types of the age spec
 * (https://age-encryption.org/v1, "The ssh-ed25519 recipient type" / "The ssh-rsa recipient type"), as the
 * age Go tool's agessh package writes them. Both stanzas start with a tag: the first 4 bytes of the SHA-256
 * of the key's SSH wire encoding, base64 without padding.
 */
import { constants, createHash, createPublicKey, hkdfSync, publicEncrypt } from "node:crypto";
import { chacha } from "./_noble-chacha.lazy.js";
import { ed25519, x25519 } from "@noble/curves/ed25519.js";
import { Stanza } from "age-encryption";
import type { Recipient } from "age-encryption";
import { randomBytes } from "../crypto/random.js";
import { SealError } from "../errors.js";
import { WireReader, concat, wireMpint, wireString } from "./_ssh-wire.js";

/** HKDF info and tweak label of the ssh-ed25519 stanza (age spec). */
export const ED25519_LABEL = "age-encryption.org/v1/ssh-ed25519";
/** RSA-OAEP label of the ssh-rsa stanza (age spec). */
export const RSA_OAEP_LABEL = "age-encryption.org/v1/ssh-rsa";
/** agessh refuses RSA keys under 2048 bits. */
const MIN_RSA_BITS = 2048;

export type SshPublicKey =
  | { readonly type: "ssh-ed25519"; readonly wire: Uint8Array; readonly key: Uint8Array }
  | { readonly type: "ssh-rsa"; readonly wire: Uint8Array; readonly n: Uint8Array; readonly e: Uint8Array };

const SSH_LINE_RE = /^(ssh-ed25519|ssh-rsa)\s+([A-Za-z0-9+/]+={0,2})(\s.*)?$/s;

/** True for an SSH public key line of a type age can encrypt to. */
export function isSshRecipient(s: string): boolean {
  return SSH_LINE_RE.test(s.trim());
}

/** Decodes an SSH public key blob (wire format); the returned `wire` is re-encoded canonically. */
export function sshPublicKeyFromWire(blob: Uint8Array): SshPublicKey {
  const r = new WireReader(blob);
  const type = r.text();
  if (type === "ssh-ed25519") {
    const key = r.string();
    if (key.length !== 32 || r.remaining !== 0) throw new Error("malformed ssh-ed25519 public key");
    return { type, key: Uint8Array.from(key), wire: concat(wireString(type), wireString(key)) };
  }
  if (type === "ssh-rsa") {
    const e = Uint8Array.from(r.mpint());
    const n = Uint8Array.from(r.mpint());
    if (r.remaining !== 0 || e.length === 0 || n.length === 0) throw new Error("malformed ssh-rsa public key");
    return { type, e, n, wire: concat(wireString(type), wireMpint(e), wireMpint(n)) };
  }
  throw new Error(`unsupported SSH key type ${JSON.stringify(type.slice(0, 40))}`);
}

/**
 * Parses `ssh-ed25519 AAAA… comment` or `ssh-rsa AAAA…`.
 * @throws SealError BAD_RECIPIENT when the line is not a well-formed key of those two types.
 */
export function parseSshPublicKey(line: string): SshPublicKey {
  const m = SSH_LINE_RE.exec(line.trim());
  if (!m) throw new SealError("BAD_RECIPIENT", "not an ssh-ed25519 or ssh-rsa public key", { hint: "use the line from your key's .pub file" });
  let pk: SshPublicKey;
  try {
    pk = sshPublicKeyFromWire(Buffer.from(m[2]!, "base64"));
  } catch (e) {
    throw new SealError("BAD_RECIPIENT", `malformed SSH public key: ${e instanceof Error ? e.message : "cannot be decoded"}`);
  }
  if (pk.type !== m[1]) throw new SealError("BAD_RECIPIENT", `SSH public key says ${m[1]} but encodes ${pk.type}`);
  if (pk.type === "ssh-ed25519") {
    try {
      ed25519.utils.toMontgomery(pk.key);
    } catch {
      throw new SealError("BAD_RECIPIENT", "the ssh-ed25519 public key is not a valid curve point");
    }
  } else if (rsaBits(pk.n) < MIN_RSA_BITS) {
    throw new SealError("BAD_RECIPIENT", `the ssh-rsa key has ${rsaBits(pk.n)} bits; age needs at least ${MIN_RSA_BITS}`);
  }
  return pk;
}

/** `type base64` without the comment: the form used to compare SSH recipients. */
export function formatSshPublicKey(pk: SshPublicKey): string {
  return `${pk.type} ${Buffer.from(pk.wire).toString("base64")}`;
}

/** The stanza tag: base64 (no padding) of the first 4 bytes of SHA-256 over the wire encoding. */
export function sshTag(wire: Uint8Array): string {
  return b64raw(createHash("sha256").update(wire).digest().subarray(0, 4));
}

export function b64raw(b: Uint8Array): string {
  return Buffer.from(b).toString("base64").replace(/=+$/, "");
}

function rsaBits(n: Uint8Array): number {
  return n.length === 0 ? 0 : (n.length - 1) * 8 + (32 - Math.clz32(n[0]!));
}

function b64url(b: Uint8Array): string {
  return Buffer.from(b).toString("base64url");
}

/** The ssh-ed25519 tweak: HKDF-SHA-256 with an empty secret, the key's wire encoding as salt. */
export function ed25519Tweak(wire: Uint8Array): Uint8Array {
  return new Uint8Array(hkdfSync("sha256", new Uint8Array(0), wire, ED25519_LABEL, 32));
}

/** The ChaCha20-Poly1305 key that wraps the file key, from the tweaked shared secret. */
export function ed25519WrapKey(tweakedShared: Uint8Array, ephemeralShare: Uint8Array, recipientMontgomery: Uint8Array): Uint8Array {
  return new Uint8Array(hkdfSync("sha256", tweakedShared, concat(ephemeralShare, recipientMontgomery), ED25519_LABEL, 32));
}

const ZERO_NONCE = new Uint8Array(12);

export class SshEd25519Recipient implements Recipient {
  readonly publicKey: SshPublicKey & { type: "ssh-ed25519" };

  constructor(pk: SshPublicKey & { type: "ssh-ed25519" }) {
    this.publicKey = pk;
  }

  wrapFileKey(fileKey: Uint8Array): Stanza[] {
    const their = ed25519.utils.toMontgomery(this.publicKey.key);
    const eph = randomBytes(32);
    try {
      const share = x25519.scalarMultBase(eph);
      const shared = x25519.scalarMult(eph, their);
      const tweak = ed25519Tweak(this.publicKey.wire);
      const tweaked = x25519.scalarMult(tweak, shared);
      const wrapKey = ed25519WrapKey(tweaked, share, their);
      const body = chacha().chacha20poly1305(wrapKey, ZERO_NONCE).encrypt(fileKey);
      shared.fill(0);
      tweaked.fill(0);
      wrapKey.fill(0);
      return [new Stanza(["ssh-ed25519", sshTag(this.publicKey.wire), b64raw(share)], body)];
    } finally {
      eph.fill(0);
    }
  }
}

export class SshRsaRecipient implements Recipient {
  readonly publicKey: SshPublicKey & { type: "ssh-rsa" };

  constructor(pk: SshPublicKey & { type: "ssh-rsa" }) {
    this.publicKey = pk;
  }

  wrapFileKey(fileKey: Uint8Array): Stanza[] {
    const key = createPublicKey({ key: { kty: "RSA", n: b64url(this.publicKey.n), e: b64url(this.publicKey.e) }, format: "jwk" });
    const body = publicEncrypt(
      { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256", oaepLabel: Buffer.from(RSA_OAEP_LABEL) },
      fileKey,
    );
    return [new Stanza(["ssh-rsa", sshTag(this.publicKey.wire)], new Uint8Array(body))];
  }
}

/**
 * An age Recipient for an SSH public key line.
 * @throws SealError BAD_RECIPIENT for lines {@link parseSshPublicKey} refuses.
 */
export function sshRecipient(line: string): SshEd25519Recipient | SshRsaRecipient {
  const pk = parseSshPublicKey(line);
  return pk.type === "ssh-ed25519" ? new SshEd25519Recipient(pk) : new SshRsaRecipient(pk);
}
