/**
 * Owns: reading SSH private key files — OpenSSH's own format (openssh-key-v1, PROTOCOL.key in the OpenSSH
 * sources: plain, or encrypted with bcrypt_pbkdf and AES-CTR/CBC/GCM) and PEM keys (PKCS#1 RSA, PKCS#8,
 * encrypted or not, through node:crypto). The public key of an openssh-key-v1 file is readable without
 * the passphrase, so a protected key can be matched to a stanza before anyone is asked for it.
 */
import { createDecipheriv, createPrivateKey } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { bcryptPbkdf } from "./_bcrypt-pbkdf.js";
import { WrongPassphraseError } from "./_wrong-passphrase.js";
import { WireReader, concat, wireMpint, wireString } from "./_ssh-wire.js";
import { sshPublicKeyFromWire } from "./ssh-recipient.js";
import type { SshPublicKey } from "./ssh-recipient.js";

/** The private half, enough to build an age identity. Callers zero `seed` when done. */
export type SshPrivateKey =
  | { readonly type: "ssh-ed25519"; readonly publicKey: SshPublicKey & { type: "ssh-ed25519" }; readonly seed: Uint8Array }
  | { readonly type: "ssh-rsa"; readonly publicKey: SshPublicKey & { type: "ssh-rsa" }; readonly key: KeyObject };

export interface SshPrivateKeyFile {
  /** Known without the passphrase for OpenSSH-format files and plain PEM; otherwise from the `.pub` text given. */
  readonly publicKey: SshPublicKey | undefined;
  readonly encrypted: boolean;
  /**
   * The private key. `passphrase` is needed when `encrypted`.
   * @throws WrongPassphraseError when the passphrase does not open the key; Error when the file is malformed.
   */
  open(passphrase?: string): SshPrivateKey;
}


const OPENSSH_RE = /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END OPENSSH PRIVATE KEY-----/;
const PEM_RE = /-----BEGIN (RSA |ENCRYPTED )?PRIVATE KEY-----/;
const MAGIC = "openssh-key-v1\0";

/** True when the text looks like a private key this module reads. */
export function looksLikeSshPrivateKey(text: string): boolean {
  return OPENSSH_RE.test(text) || PEM_RE.test(text);
}

/**
 * Parses a private key file's text. `pubText` (the `.pub` file) is used only for encrypted PEM keys, whose
 * public half is otherwise hidden.
 * @throws Error with a message that names no key material when the file is not a supported key.
 */
export function parseSshPrivateKey(text: string, pubText?: string): SshPrivateKeyFile {
  const m = OPENSSH_RE.exec(text);
  if (m) return parseOpenSsh(Buffer.from(m[1]!.replace(/\s+/g, ""), "base64"));
  if (PEM_RE.test(text)) return parsePem(text, pubText);
  throw new Error("not an OpenSSH or PEM private key");
}

interface CipherSpec {
  readonly node: string;
  readonly keyLen: number;
  readonly ivLen: number;
  readonly blockSize: number;
  readonly tagLen: number;
}

const CIPHERS: Record<string, CipherSpec> = {
  none: { node: "", keyLen: 0, ivLen: 0, blockSize: 8, tagLen: 0 },
  "aes128-ctr": { node: "aes-128-ctr", keyLen: 16, ivLen: 16, blockSize: 16, tagLen: 0 },
  "aes192-ctr": { node: "aes-192-ctr", keyLen: 24, ivLen: 16, blockSize: 16, tagLen: 0 },
  "aes256-ctr": { node: "aes-256-ctr", keyLen: 32, ivLen: 16, blockSize: 16, tagLen: 0 },
  "aes128-cbc": { node: "aes-128-cbc", keyLen: 16, ivLen: 16, blockSize: 16, tagLen: 0 },
  "aes192-cbc": { node: "aes-192-cbc", keyLen: 24, ivLen: 16, blockSize: 16, tagLen: 0 },
  "aes256-cbc": { node: "aes-256-cbc", keyLen: 32, ivLen: 16, blockSize: 16, tagLen: 0 },
  "aes128-gcm@openssh.com": { node: "aes-128-gcm", keyLen: 16, ivLen: 12, blockSize: 16, tagLen: 16 },
  "aes256-gcm@openssh.com": { node: "aes-256-gcm", keyLen: 32, ivLen: 12, blockSize: 16, tagLen: 16 },
};

function parseOpenSsh(blob: Uint8Array): SshPrivateKeyFile {
  if (Buffer.from(blob.subarray(0, MAGIC.length)).toString("latin1") !== MAGIC) throw new Error("not an openssh-key-v1 key");
  const r = new WireReader(blob);
  r.raw(MAGIC.length);
  const cipherName = r.text();
  const kdfName = r.text();
  const kdfOptions = r.string();
  const count = r.uint32();
  if (count !== 1) throw new Error(`the key file holds ${count} keys; only single-key files are supported`);
  const publicKey = sshPublicKeyFromWire(r.string());
  const sealed = r.string();
  const cipher = CIPHERS[cipherName];
  if (!cipher) throw new Error(`the key is encrypted with ${JSON.stringify(cipherName.slice(0, 40))}, which is not supported`);
  const tag = r.raw(cipher.tagLen);
  const encrypted = cipherName !== "none";
  if (encrypted && kdfName !== "bcrypt") throw new Error(`unsupported key derivation ${JSON.stringify(kdfName.slice(0, 40))}`);
  if (sealed.length % cipher.blockSize !== 0) throw new Error("the private section has a bad length");

  return {
    publicKey,
    encrypted,
    open(passphrase?: string): SshPrivateKey {
      let plain: Uint8Array;
      if (!encrypted) {
        plain = Uint8Array.from(sealed);
      } else {
        if (passphrase === undefined || passphrase === "") throw new WrongPassphraseError();
        const opts = new WireReader(kdfOptions);
        const salt = opts.string();
        const rounds = opts.uint32();
        const pass = new TextEncoder().encode(passphrase);
        const km = bcryptPbkdf(pass, salt, cipher.keyLen + cipher.ivLen, rounds);
        pass.fill(0);
        try {
          plain = decrypt(cipher, km.subarray(0, cipher.keyLen), km.subarray(cipher.keyLen), sealed, tag);
        } finally {
          km.fill(0);
        }
      }
      try {
        return readPrivateSection(plain, publicKey);
      } finally {
        plain.fill(0);
      }
    },
  };
}

function decrypt(c: CipherSpec, key: Uint8Array, iv: Uint8Array, data: Uint8Array, tag: Uint8Array): Uint8Array {
  const d = createDecipheriv(c.node, key, iv);
  if (c.tagLen > 0) (d as unknown as { setAuthTag(t: Uint8Array): void }).setAuthTag(tag);
  else d.setAutoPadding(false);
  try {
    const a = d.update(data);
    const b = d.final();
    const out = new Uint8Array(concat(a, b));
    a.fill(0);
    b.fill(0);
    return out;
  } catch {
    throw new WrongPassphraseError(); // only GCM can fail here: its tag does not verify under a wrong key
  }
}

function readPrivateSection(plain: Uint8Array, publicKey: SshPublicKey): SshPrivateKey {
  const r = new WireReader(plain);
  if (r.uint32() !== r.uint32()) throw new WrongPassphraseError();
  const type = r.text();
  if (type !== publicKey.type) throw new Error("the private key does not match its public key");
  if (publicKey.type === "ssh-ed25519") {
    const pub = r.string();
    const sk = r.string();
    if (sk.length !== 64 || !equal(pub, publicKey.key) || !equal(sk.subarray(32), publicKey.key)) {
      throw new Error("the private key does not match its public key");
    }
    return { type: "ssh-ed25519", publicKey, seed: Uint8Array.from(sk.subarray(0, 32)) };
  }
  const n = r.mpint();
  const e = r.mpint();
  const d = r.mpint();
  const iqmp = r.mpint();
  const p = r.mpint();
  const q = r.mpint();
  if (!equal(n, publicKey.n) || !equal(e, publicKey.e)) throw new Error("the private key does not match its public key");
  return { type: "ssh-rsa", publicKey, key: rsaKeyObject(n, e, d, p, q, iqmp) };
}

function rsaKeyObject(n: Uint8Array, e: Uint8Array, d: Uint8Array, p: Uint8Array, q: Uint8Array, iqmp: Uint8Array): KeyObject {
  const big = (b: Uint8Array): bigint => (b.length === 0 ? 0n : BigInt(`0x${Buffer.from(b).toString("hex")}`));
  const bytes = (v: bigint): string => {
    const hex = v.toString(16);
    return Buffer.from(hex.length % 2 ? `0${hex}` : hex, "hex").toString("base64url");
  };
  const dn = big(d);
  const u = (b: Uint8Array): string => Buffer.from(b).toString("base64url");
  return createPrivateKey({
    key: { kty: "RSA", n: u(n), e: u(e), d: u(d), p: u(p), q: u(q), dp: bytes(dn % (big(p) - 1n)), dq: bytes(dn % (big(q) - 1n)), qi: u(iqmp) },
    format: "jwk",
  });
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function parsePem(text: string, pubText: string | undefined): SshPrivateKeyFile {
  const encrypted = /Proc-Type:\s*4,ENCRYPTED/.test(text) || text.includes("-----BEGIN ENCRYPTED PRIVATE KEY-----");
  let publicKey: SshPublicKey | undefined;
  if (!encrypted) publicKey = privateFromKeyObject(loadPem(text, undefined)).publicKey;
  else if (pubText) publicKey = publicFromPubText(pubText);
  return {
    publicKey,
    encrypted,
    open(passphrase?: string): SshPrivateKey {
      if (encrypted && (passphrase === undefined || passphrase === "")) throw new WrongPassphraseError();
      const priv = privateFromKeyObject(loadPem(text, encrypted ? passphrase : undefined));
      if (publicKey && !equal(priv.publicKey.wire, publicKey.wire)) throw new Error("the private key does not match its .pub file");
      return priv;
    },
  };
}

function loadPem(text: string, passphrase: string | undefined): KeyObject {
  try {
    return createPrivateKey(passphrase === undefined ? { key: text, format: "pem" } : { key: text, format: "pem", passphrase });
  } catch {
    if (passphrase !== undefined) throw new WrongPassphraseError();
    throw new Error("the PEM private key cannot be read");
  }
}

function publicFromPubText(pubText: string): SshPublicKey | undefined {
  const m = /^(ssh-ed25519|ssh-rsa)\s+([A-Za-z0-9+/=]+)/.exec(pubText.trim());
  if (!m) return undefined;
  try {
    return sshPublicKeyFromWire(Buffer.from(m[2]!, "base64"));
  } catch {
    return undefined;
  }
}

function privateFromKeyObject(key: KeyObject): SshPrivateKey {
  const jwk = key.export({ format: "jwk" });
  if (key.asymmetricKeyType === "ed25519" && jwk.d && jwk.x) {
    const pub = Buffer.from(jwk.x, "base64url");
    const publicKey = sshPublicKeyFromWire(concat(wireString("ssh-ed25519"), wireString(pub))) as SshPublicKey & { type: "ssh-ed25519" };
    return { type: "ssh-ed25519", publicKey, seed: new Uint8Array(Buffer.from(jwk.d, "base64url")) };
  }
  if (key.asymmetricKeyType === "rsa" && jwk.n && jwk.e) {
    const wire = concat(wireString("ssh-rsa"), wireMpint(Buffer.from(jwk.e, "base64url")), wireMpint(Buffer.from(jwk.n, "base64url")));
    const publicKey = sshPublicKeyFromWire(wire) as SshPublicKey & { type: "ssh-rsa" };
    return { type: "ssh-rsa", publicKey, key };
  }
  throw new Error(`unsupported private key type ${key.asymmetricKeyType ?? "unknown"}`);
}
