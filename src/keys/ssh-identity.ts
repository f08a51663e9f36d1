/**
 * Owns: SSH private keys as age identities — opening `ssh-ed25519` and `ssh-rsa` stanzas (age spec,
 * https://age-encryption.org/v1, as agessh implements them), and the lazy identity for a
 * passphrase-protected key, which asks for the passphrase only once a stanza carries its tag.
 */
import { constants, createHash, privateDecrypt } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { chacha } from "./_noble-chacha.lazy.js";
import { ed25519, x25519 } from "@noble/curves/ed25519.js";
import type { Identity, Stanza } from "age-encryption";
import { RSA_OAEP_LABEL, ed25519Tweak, ed25519WrapKey, formatSshPublicKey, sshTag } from "./ssh-recipient.js";
import type { SshPublicKey } from "./ssh-recipient.js";
import type { SshPrivateKey } from "./openssh-key.js";

const FILE_KEY_BYTES = 16;
const ZERO_NONCE = new Uint8Array(12);

/** An age Identity that also says which SSH public key (the recipient) it opens. */
export interface SshIdentity extends Identity {
  readonly publicKey: SshPublicKey;
}

/** Strict unpadded base64 as the age header uses it; undefined when not canonical. */
function decodeB64Raw(s: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9+/]*$/.test(s)) return undefined;
  const b = Buffer.from(s, "base64");
  return b.toString("base64").replace(/=+$/, "") === s ? new Uint8Array(b) : undefined;
}

function stanzasFor(stanzas: Stanza[], type: string, tag: string): Stanza[] {
  return stanzas.filter((s) => s.args[0] === type && s.args[1] === tag);
}

export class SshEd25519Identity implements SshIdentity {
  readonly publicKey: SshPublicKey & { type: "ssh-ed25519" };
  readonly #scalar: Uint8Array;
  readonly #ourMontgomery: Uint8Array;
  readonly #tag: string;

  constructor(seed: Uint8Array, publicKey: SshPublicKey & { type: "ssh-ed25519" }) {
    this.publicKey = publicKey;
    // X25519 clamps the scalar itself; the first half of SHA-512(seed) is the Ed25519 secret scalar.
    this.#scalar = new Uint8Array(createHash("sha512").update(seed).digest().subarray(0, 32));
    this.#ourMontgomery = ed25519.utils.toMontgomery(publicKey.key);
    this.#tag = sshTag(publicKey.wire);
  }

  unwrapFileKey(stanzas: Stanza[]): Uint8Array | null {
    for (const s of stanzasFor(stanzas, "ssh-ed25519", this.#tag)) {
      const share = s.args.length === 3 ? decodeB64Raw(s.args[2]!) : undefined;
      if (!share || share.length !== 32 || s.body.length !== FILE_KEY_BYTES + 16) throw new Error("invalid ssh-ed25519 stanza");
      let shared: Uint8Array;
      try {
        shared = x25519.scalarMult(this.#scalar, share);
      } catch {
        throw new Error("invalid ssh-ed25519 stanza");
      }
      const tweaked = x25519.scalarMult(ed25519Tweak(this.publicKey.wire), shared);
      const wrapKey = ed25519WrapKey(tweaked, share, this.#ourMontgomery);
      shared.fill(0);
      tweaked.fill(0);
      try {
        return chacha().chacha20poly1305(wrapKey, ZERO_NONCE).decrypt(s.body);
      } catch {
        throw new Error("the ssh-ed25519 stanza does not open with this key");
      } finally {
        wrapKey.fill(0);
      }
    }
    return null;
  }
}

export class SshRsaIdentity implements SshIdentity {
  readonly publicKey: SshPublicKey & { type: "ssh-rsa" };
  readonly #key: KeyObject;
  readonly #tag: string;

  constructor(key: KeyObject, publicKey: SshPublicKey & { type: "ssh-rsa" }) {
    this.publicKey = publicKey;
    this.#key = key;
    this.#tag = sshTag(publicKey.wire);
  }

  unwrapFileKey(stanzas: Stanza[]): Uint8Array | null {
    for (const s of stanzasFor(stanzas, "ssh-rsa", this.#tag)) {
      if (s.args.length !== 2) throw new Error("invalid ssh-rsa stanza");
      let out: Buffer;
      try {
        out = privateDecrypt(
          { key: this.#key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256", oaepLabel: Buffer.from(RSA_OAEP_LABEL) },
          s.body,
        );
      } catch {
        throw new Error("the ssh-rsa stanza does not open with this key");
      }
      const fileKey = new Uint8Array(out);
      out.fill(0);
      if (fileKey.length !== FILE_KEY_BYTES) throw new Error("invalid ssh-rsa stanza");
      return fileKey;
    }
    return null;
  }
}

/** The identity for an opened private key. Zeroes the Ed25519 seed it was given. */
export function sshIdentityOf(key: SshPrivateKey): SshIdentity {
  if (key.type === "ssh-rsa") return new SshRsaIdentity(key.key, key.publicKey);
  try {
    return new SshEd25519Identity(key.seed, key.publicKey);
  } finally {
    key.seed.fill(0);
  }
}

/**
 * A passphrase-protected key: matches stanzas by the public key's tag and calls `unlock` (which prompts)
 * only when one is addressed to it. `unlock` is called at most once; its result (or failure) is kept.
 */
export class LockedSshIdentity implements SshIdentity {
  readonly publicKey: SshPublicKey;
  readonly #tag: string;
  readonly #unlock: () => Promise<SshIdentity>;
  #opened: Promise<SshIdentity> | undefined;

  constructor(publicKey: SshPublicKey, unlock: () => Promise<SshIdentity>) {
    this.publicKey = publicKey;
    this.#tag = sshTag(publicKey.wire);
    this.#unlock = unlock;
  }

  async unwrapFileKey(stanzas: Stanza[]): Promise<Uint8Array | null> {
    if (stanzasFor(stanzas, this.publicKey.type, this.#tag).length === 0) return null;
    this.#opened ??= this.#unlock();
    return (await this.#opened).unwrapFileKey(stanzas);
  }
}

/** The recipient string an SSH identity opens (`type base64`, no comment). */
export function recipientOfSshIdentity(id: SshIdentity): string {
  return formatSshPublicKey(id.publicKey);
}
