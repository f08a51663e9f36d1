/**
 * Owns: opening and sealing an armored age file for plain X25519 keys with node:crypto alone — the common case
 * of a sops data key, without loading age-encryption (its post-quantum tables and web streams cost ~20 ms per
 * start, and its WebCrypto X25519 a few ms per recipient). Opening answers only when every step is the plain
 * case and checks out (armor, header, stanza, header MAC, one payload chunk); sealing only for a plain `age1…`
 * recipient and a one-chunk payload. Anything else returns undefined and the caller asks age-encryption, so
 * errors and unusual files behave exactly as before. Spec: https://age-encryption.org/v1. Private to src/keys.
 */
import { createCipheriv, createDecipheriv, createHmac, createPrivateKey, createPublicKey, diffieHellman, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { base64nopad, bech32 } from "@scure/base";

const ARMOR_BEGIN = "-----BEGIN AGE ENCRYPTED FILE-----";
const ARMOR_END = "-----END AGE ENCRYPTED FILE-----";
const VERSION_LINE = "age-encryption.org/v1";
const X25519_INFO = "age-encryption.org/v1/X25519";
const CHUNK = 64 * 1024;
const TAG = 16;
const IDENTITY_HRP = "age-secret-key-";
const RECIPIENT_HRP = "age";

/** Strict base64 (canonical, as @scure/base decodes it): undefined for anything else. */
function base64(text: string, padded: boolean): Buffer | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  const bytes = Buffer.from(text, "base64");
  const again = bytes.toString("base64");
  return (padded ? again : again.replace(/=+$/, "")) === text ? bytes : undefined;
}

/** The armored file's bytes, under the rules of age-encryption's armor.decode. */
function unarmor(text: string): Buffer | undefined {
  const lines = text.trim().replaceAll("\r\n", "\n").split("\n");
  if (lines.shift() !== ARMOR_BEGIN || lines.pop() !== ARMOR_END || lines.length === 0) return undefined;
  const last = lines.length - 1;
  if (!lines.every((l, i) => (i === last ? l.length > 0 && l.length <= 64 && l.length % 4 === 0 : l.length === 64))) return undefined;
  return base64(lines.join(""), true);
}

interface Stanza {
  readonly args: readonly string[];
  readonly body: Buffer;
}

interface Header {
  readonly stanzas: readonly Stanza[];
  /** The header up to and including `---`, which the MAC covers. */
  readonly noMac: Buffer;
  readonly mac: Buffer;
  readonly payload: Buffer;
}

/** The header of a binary age file, or undefined when it is not plainly well formed. */
function parseHeader(file: Buffer): Header | undefined {
  const stanzas: Stanza[] = [];
  let at = 0;
  const line = (): string | undefined => {
    const end = file.indexOf(0x0a, at);
    if (end === -1) return undefined;
    const text = file.toString("latin1", at, end);
    at = end + 1;
    return /^[\x20-\x7e]*$/.test(text) ? text : undefined;
  };
  if (line() !== VERSION_LINE) return undefined;
  for (;;) {
    const start = at;
    const first = line();
    if (first === undefined) return undefined;
    if (first.startsWith("--- ")) {
      const mac = base64(first.slice(4), false);
      if (mac === undefined || mac.length !== 32) return undefined;
      return { stanzas, noMac: file.subarray(0, start + 3), mac, payload: file.subarray(at) };
    }
    const args = first.split(" ");
    if (args.shift() !== "->" || args.length === 0 || args.some((a) => a === "")) return undefined;
    const body: Buffer[] = [];
    for (;;) {
      const text = line();
      const part = text === undefined ? undefined : base64(text, false);
      if (part === undefined || part.length > 48) return undefined;
      body.push(part);
      if (part.length < 48) break;
    }
    stanzas.push({ args, body: Buffer.concat(body) });
  }
}

/** The 32-byte scalar of an `AGE-SECRET-KEY-1…` identity (bech32, checksum checked), or undefined. */
function identityScalar(identity: string): Buffer | undefined {
  const decoded = bech32.decodeUnsafe(identity.toLowerCase(), false);
  if (decoded?.prefix !== IDENTITY_HRP) return undefined;
  const bytes = bech32.fromWordsUnsafe(decoded.words);
  // a view, not a copy, so the caller's wipe reaches the decoded bytes
  return bytes?.length === 32 ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length) : undefined;
}

function chachaOpen(key: Buffer, nonce: Buffer, sealed: Buffer): Buffer | undefined {
  if (sealed.length < TAG) return undefined;
  const d = createDecipheriv("chacha20-poly1305", key, nonce, { authTagLength: TAG });
  d.setAuthTag(sealed.subarray(sealed.length - TAG));
  try {
    return Buffer.concat([d.update(sealed.subarray(0, sealed.length - TAG)), d.final()]);
  } catch {
    return undefined;
  }
}

function hkdf(ikm: Buffer, salt: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync("sha256", ikm, salt, info, 32));
}

/** The file key in `stanza`, if it is an X25519 stanza for `identity`. */
function unwrapX25519(stanza: Stanza, identity: KeyObject, ownPublic: Buffer): Buffer | undefined {
  if (stanza.args[0] !== "X25519" || stanza.args.length !== 2 || stanza.body.length !== 32) return undefined;
  const share = base64(stanza.args[1]!, false);
  if (share === undefined || share.length !== 32) return undefined;
  const shared = diffieHellman({ privateKey: identity, publicKey: createPublicKey({ key: { kty: "OKP", crv: "X25519", x: share.toString("base64url") }, format: "jwk" }) });
  if (shared.every((b) => b === 0)) return undefined;
  const wrapKey = hkdf(shared, Buffer.concat([share, ownPublic]), X25519_INFO);
  return chachaOpen(wrapKey, Buffer.alloc(12), stanza.body);
}

/** The payload of a one-chunk STREAM (what a data key is), or undefined. */
function openPayload(fileKey: Buffer, payload: Buffer): Buffer | undefined {
  if (payload.length < 16 + TAG || payload.length > 16 + CHUNK + TAG) return undefined;
  const key = hkdf(fileKey, payload.subarray(0, 16), "payload");
  const nonce = Buffer.alloc(12);
  nonce[11] = 1; // counter 0, last chunk
  return chachaOpen(key, nonce, payload.subarray(16));
}

/**
 * The plaintext of the armored age file `armored` when one of `identities` (AGE-SECRET-KEY-1… strings) opens
 * one of its X25519 stanzas and the header MAC and payload check out; otherwise undefined (ask age-encryption).
 */
export function openX25519(armored: string, identities: readonly string[]): Uint8Array | undefined {
  const file = unarmor(armored);
  const header = file === undefined ? undefined : parseHeader(file);
  // An scrypt stanza must be alone; age-encryption judges such files.
  if (header === undefined || header.stanzas.some((s) => s.args[0] === "scrypt")) return undefined;
  for (const id of identities) {
    const scalar = identityScalar(id);
    if (scalar === undefined) continue;
    let fileKey: Buffer | undefined;
    try {
      // A JWK import is several times cheaper than a PKCS #8 one (no DER decoder); `x` is required to be a
      // string but unused when `d` is given, and the public key comes back from the export.
      const privateKey = createPrivateKey({ key: { kty: "OKP", crv: "X25519", d: scalar.toString("base64url"), x: "" }, format: "jwk" });
      const ownPublic = Buffer.from(privateKey.export({ format: "jwk" }).x!, "base64url");
      for (const s of header.stanzas) {
        fileKey = unwrapX25519(s, privateKey, ownPublic);
        if (fileKey !== undefined) break;
      }
    } catch {
      return undefined;
    } finally {
      scalar.fill(0);
    }
    if (fileKey === undefined) continue;
    const mac = createHmac("sha256", hkdf(fileKey, Buffer.alloc(0), "header")).update(header.noMac).digest();
    const plain = timingSafeEqual(mac, header.mac) ? openPayload(fileKey, header.payload) : undefined;
    fileKey.fill(0);
    if (plain === undefined) return undefined;
    // A copy the caller owns (Buffer.concat may have used the shared pool), and the pooled bytes wiped.
    const out = new Uint8Array(plain);
    plain.fill(0);
    return out;
  }
  return undefined;
}


/** The 32-byte public key of a plain `age1…` X25519 recipient, as age-encryption reads it, or undefined. */
function recipientPoint(recipient: string): Buffer | undefined {
  if (!recipient.startsWith("age1")) return undefined;
  try {
    const { prefix, bytes } = bech32.decodeToBytes(recipient);
    return prefix.toLowerCase() === RECIPIENT_HRP && bytes.length === 32 ? Buffer.from(bytes) : undefined;
  } catch {
    return undefined;
  }
}

function chachaSeal(key: Buffer, nonce: Buffer, plain: Uint8Array): Buffer {
  const c = createCipheriv("chacha20-poly1305", key, nonce, { authTagLength: TAG });
  return Buffer.concat([c.update(plain), c.final(), c.getAuthTag()]);
}

/** Standard base64 lines of 48 bytes each, between the armor lines: age-encryption's armor.encode. */
function armor(file: Buffer): string {
  const lines = [ARMOR_BEGIN];
  for (let i = 0; i < file.length; i += 48) lines.push(file.subarray(i, i + 48).toString("base64"));
  return `${lines.join("\n")}\n${ARMOR_END}\n`;
}

/**
 * `plain` sealed for `recipient` as an armored age file, byte for byte the layout age-encryption writes (one
 * X25519 stanza, header MAC, one payload chunk), when `recipient` is a plain `age1…` X25519 recipient and
 * `plain` fits one chunk; otherwise undefined (ask age-encryption).
 */
export function sealX25519(recipient: string, plain: Uint8Array): string | undefined {
  const theirs = recipientPoint(recipient);
  if (theirs === undefined || plain.length === 0 || plain.length > CHUNK) return undefined;
  // The ephemeral secret is 32 random bytes, as age makes it, imported like an identity. Not from
  // generateKeyPairSync: on Node 20 exporting such a key can deadlock the thread for good when a garbage
  // collection during the export finalizes the key's generation job, whose destructor takes the lock the
  // export holds (seen in the fuzzer; checked by test/keys/age-x25519.test.ts, "issue 14: sealing cannot deadlock").
  const secret = randomBytes(32);
  const ephemeral = createPrivateKey({ key: { kty: "OKP", crv: "X25519", d: secret.toString("base64url"), x: "" }, format: "jwk" });
  secret.fill(0);
  const share = Buffer.from(ephemeral.export({ format: "jwk" }).x!, "base64url");
  const shared = diffieHellman({ privateKey: ephemeral, publicKey: createPublicKey({ key: { kty: "OKP", crv: "X25519", x: theirs.toString("base64url") }, format: "jwk" }) });
  // A low-order recipient point: age-encryption decides what happens.
  if (shared.every((b) => b === 0)) return undefined;
  const fileKey = randomBytes(16);
  try {
    const wrapKey = hkdf(shared, Buffer.concat([share, theirs]), X25519_INFO);
    const body = chachaSeal(wrapKey, Buffer.alloc(12), fileKey);
    wrapKey.fill(0);
    const noMac = Buffer.from(`${VERSION_LINE}\n-> X25519 ${base64nopad.encode(share)}\n${base64nopad.encode(body)}\n---`, "latin1");
    const macKey = hkdf(fileKey, Buffer.alloc(0), "header");
    const mac = createHmac("sha256", macKey).update(noMac).digest();
    macKey.fill(0);
    const nonce = randomBytes(16);
    const streamKey = hkdf(fileKey, nonce, "payload");
    const streamNonce = Buffer.alloc(12);
    streamNonce[11] = 1; // counter 0, last chunk
    const payload = chachaSeal(streamKey, streamNonce, plain);
    streamKey.fill(0);
    return armor(Buffer.concat([noMac, Buffer.from(` ${base64nopad.encode(mac)}\n`, "latin1"), nonce, payload]));
  } finally {
    shared.fill(0);
    fileKey.fill(0);
  }
}
