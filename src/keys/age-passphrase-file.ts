/**
 * Owns: opening an age file encrypted with a passphrase (one `scrypt` stanza, age spec "The scrypt recipient
 * type", https://age-encryption.org/v1) — what `age -p keys.txt` writes, binary or armored. scrypt runs in
 * node:crypto (native, ~4x faster than JS at age's default work factor 2^18).
 */
import { scrypt } from "node:crypto";
import { chacha } from "./_noble-chacha.lazy.js";
import type { Identity, Stanza } from "age-encryption";
import { loadAge, readStream, streamOf } from "./_age-lib.js";
import { WrongPassphraseError } from "./_wrong-passphrase.js";

const SCRYPT_LABEL = "age-encryption.org/v1/scrypt";
/** age (Go) refuses work factors above 2^22 by default; so do we (4 GiB of memory). */
const MAX_LOG_N = 22;
const ARMOR_BEGIN = "-----BEGIN AGE ENCRYPTED FILE-----";

function scryptAsync(pass: Uint8Array, salt: Uint8Array, logN: number): Promise<Uint8Array> {
  const N = 2 ** logN;
  return new Promise((resolve, reject) => {
    scrypt(pass, salt, 32, { N, r: 8, p: 1, maxmem: 129 * 8 * N + (1 << 20) }, (err, key) => (err ? reject(err) : resolve(new Uint8Array(key))));
  });
}

/** Opens the scrypt stanza with a passphrase; a tag failure means the passphrase is wrong. */
class PassphraseIdentity implements Identity {
  readonly #pass: Uint8Array;

  constructor(passphrase: string) {
    this.#pass = new TextEncoder().encode(passphrase);
  }

  async unwrapFileKey(stanzas: Stanza[]): Promise<Uint8Array | null> {
    const s = stanzas.find((x) => x.args[0] === "scrypt");
    if (!s) return null;
    if (stanzas.length !== 1) throw new Error("a scrypt stanza must be the only one in the file");
    const [, saltB64, logNText] = s.args;
    const salt = saltB64 === undefined ? undefined : Buffer.from(saltB64, "base64");
    if (s.args.length !== 3 || !salt || salt.length !== 16 || !/^[1-9][0-9]?$/.test(logNText ?? "")) throw new Error("invalid scrypt stanza");
    const logN = Number(logNText);
    if (logN > MAX_LOG_N) throw new Error(`the scrypt work factor 2^${logN} is too high`);
    const key = await scryptAsync(this.#pass, Buffer.concat([Buffer.from(SCRYPT_LABEL), salt]), logN);
    try {
      return chacha().chacha20poly1305(key, new Uint8Array(12)).decrypt(s.body);
    } catch {
      throw new WrongPassphraseError();
    } finally {
      key.fill(0);
      this.#pass.fill(0);
    }
  }
}

/**
 * Decrypts a passphrase-encrypted age file.
 * @throws WrongPassphraseError for a wrong passphrase; Error when the file is malformed or not
 * passphrase-encrypted (its message names no secret).
 */
export async function openPassphraseFile(bytes: Uint8Array, passphrase: string): Promise<Uint8Array> {
  const age = await loadAge();
  const text = Buffer.from(bytes.subarray(0, 64)).toString("latin1").trimStart();
  let file: Uint8Array;
  try {
    file = text.startsWith(ARMOR_BEGIN) ? age.armor.decode(Buffer.from(bytes).toString("utf8")) : bytes;
  } catch {
    throw new Error("the armored age file is malformed");
  }
  const d = new age.Decrypter();
  d.addIdentity(new PassphraseIdentity(passphrase));
  try {
    return await readStream(await d.decrypt(streamOf(file)));
  } catch (e) {
    if (e instanceof WrongPassphraseError) throw e;
    if (e instanceof Error && /no identity matched/i.test(e.message)) throw new Error("the file is not encrypted with a passphrase");
    throw new Error("the age file is malformed or damaged");
  }
}
