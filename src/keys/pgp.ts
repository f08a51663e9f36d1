/**
 * Owns: the PGP key source (sops `pgp` entries): the data key encrypted with OpenPGP.js for a public key found by
 * its fingerprint (in SEALFILE_PGP_KEY_FILE or the user's GnuPG keyring via `gpg --export`), and decrypted with a
 * secret key from SEALFILE_PGP_KEY_FILE (OpenPGP.js) or by `gpg --decrypt` (SOPS_GPG_EXEC, GNUPGHOME; keys in
 * gpg-agent, on smartcards, passphrases through pinentry). `enc` is the ASCII-armored PGP message of the raw data
 * key, as sops writes it. Format: sops pgp/keysource.go; RFC 9580. OpenPGP.js is loaded only when a PGP key is used.
 */
import { readFileSync } from "node:fs";
import { delimiter } from "node:path";
import type { Key, PrivateKey } from "openpgp";
import { SealError } from "../errors.js";
import { cleanMessage } from "./_remote-call.js";
import { loadSdk } from "./_sdk.js";
import { createdNow, optionalString, requiredString } from "./_entry.js";
import { gnupgHome, gpgProgram, runGpg } from "./_gpg.js";
import type { KeyContext, KeyEntry, MasterKey, UnwrapResult } from "./types.js";
import { noteLoaded } from "./_loaded.js";

noteLoaded("pgp");

/** Armored key files (public or secret), separated by the platform's path delimiter. sealfile's own variable. */
export const PGP_KEY_FILE_ENV = "SEALFILE_PGP_KEY_FILE";
/** A v4 (40 hex) or v6 (64 hex) fingerprint, or a 16-hex key id; a trailing `!` pins a subkey, as gpg takes it. */
const FINGERPRINT = /^(?:[0-9A-Fa-f]{16}|[0-9A-Fa-f]{40}|[0-9A-Fa-f]{64})!?$/;

type OpenPgp = typeof import("openpgp");

/** True for a string sops would take as a PGP fingerprint (spaces removed). */
export function isPgpFingerprint(s: string): boolean {
  return FINGERPRINT.test(s.replace(/ /g, ""));
}

export class PgpKey implements MasterKey {
  readonly kind = "pgp" as const;
  /** The fingerprint as given, spaces removed (sops keeps its case). */
  readonly id: string;
  readonly createdAt: string;
  enc: string;

  constructor(fp: string, createdAt?: string, enc?: string) {
    this.id = fp.replace(/ /g, "");
    this.createdAt = createdAt ?? createdNow();
    this.enc = enc ?? "";
  }

  /** @throws {SealError} BAD_RECIPIENT when `fp` is not a fingerprint (it is also passed to gpg, so it must not look like an option). */
  static fromFingerprint(fp: string): PgpKey {
    const clean = fp.trim().replace(/ /g, "");
    if (!isPgpFingerprint(clean)) {
      throw new SealError("BAD_RECIPIENT", `${JSON.stringify(clean.slice(0, 80))} is not a PGP fingerprint`, {
        hint: "give the key's 40-hex-digit fingerprint (`gpg --list-keys --with-colons` shows it on the fpr line)",
      });
    }
    return new PgpKey(clean);
  }

  /** @throws {SealError} BAD_METADATA when `fp` is missing or a field has the wrong type. */
  static fromMetadata(entry: KeyEntry): PgpKey {
    return new PgpKey(requiredString(entry, "fp", "pgp"), optionalString(entry, "created_at", "pgp"), optionalString(entry, "enc", "pgp") ?? "");
  }

  /** The fields sops writes: created_at, enc, fp (metadata.ts sorts them). */
  toMetadata(): KeyEntry {
    return { created_at: this.createdAt, enc: this.enc, fp: this.id };
  }

  /**
   * Encrypts `dataKey` for the public key with this fingerprint.
   * @throws {SealError} KEY_FAILED when the public key is not found or cannot encrypt.
   */
  async encrypt(dataKey: Uint8Array, ctx: KeyContext): Promise<void> {
    const openpgp = await loadSdk("openpgp");
    const key = await this.#publicKey(openpgp, ctx);
    try {
      const message = await openpgp.createMessage({ binary: dataKey, format: "binary" });
      const armored = await openpgp.encrypt({ message, encryptionKeys: key, format: "armored" });
      this.enc = armored.trim();
    } catch (e) {
      throw new SealError("KEY_FAILED", `PGP key ${this.id}: could not encrypt the data key: ${cleanMessage(e instanceof Error ? e.message : String(e))}`, {
        hint: "check that the key is not expired or revoked and has an encryption subkey (`gpg --list-keys FINGERPRINT`)",
      });
    }
  }

  /** Tries SEALFILE_PGP_KEY_FILE with OpenPGP.js, then `gpg --decrypt`. Never throws. */
  async decrypt(ctx: KeyContext): Promise<UnwrapResult> {
    const tried: string[] = [];
    const reasons: string[] = [];
    if (this.enc === "") return { ok: false, reason: "no encrypted data key stored for this key", tried };
    const keyFiles = ctx.env[PGP_KEY_FILE_ENV];
    if (keyFiles) {
      tried.push(`${PGP_KEY_FILE_ENV}=${keyFiles}`);
      const r = await this.#withKeyFiles(ctx, keyFiles);
      if (r.ok) return r;
      reasons.push(r.reason);
    }
    const program = gpgProgram(ctx.env);
    tried.push(`${program} --decrypt (GnuPG home ${gnupgHome(ctx)})`);
    const run = await runGpg(ctx, ["--quiet", "--decrypt"], this.enc);
    if (run.spawnError !== undefined) {
      reasons.push(run.spawnError === "ENOENT" ? `${program} not found (install GnuPG or set SOPS_GPG_EXEC)` : `${program} could not be started: ${run.spawnError}`);
    } else if (run.code === 0 && run.stdout.length > 0) {
      const dataKey = Uint8Array.from(run.stdout);
      run.stdout.fill(0);
      return { ok: true, dataKey, via: `gpg (PGP key ${this.id})` };
    } else if (run.code === 0) {
      reasons.push("gpg returned no data (an older gpg cannot read this message)");
    } else {
      reasons.push(gpgReason(run.stderr));
    }
    return { ok: false, reason: reasons.join("; "), tried };
  }

  /** Decrypts with secret keys from armored files; a locked key asks for its passphrase on the terminal. */
  async #withKeyFiles(ctx: KeyContext, files: string): Promise<{ ok: true; dataKey: Uint8Array; via: string } | { ok: false; reason: string }> {
    const openpgp = await loadSdk("openpgp");
    let message;
    try {
      message = await openpgp.readMessage({ armoredMessage: this.enc });
    } catch {
      return { ok: false, reason: "the stored PGP message is malformed" };
    }
    const wanted = message.getEncryptionKeyIDs();
    const keys = (await readKeyFiles(openpgp, files)).filter((k): k is PrivateKey => k.isPrivate());
    const matching = keys.filter((k) => k.getKeys().some((sub) => wanted.some((id) => id.equals(sub.getKeyID()))));
    if (matching.length === 0) return { ok: false, reason: `no secret key in ${PGP_KEY_FILE_ENV} matches` };
    for (let key of matching) {
      const fp = key.getFingerprint().toUpperCase();
      if (!key.isDecrypted()) {
        if (!ctx.promptPassphrase) return { ok: false, reason: `the secret key ${fp} is passphrase-protected and there is no terminal to ask on` };
        const passphrase = await ctx.promptPassphrase(`Passphrase for PGP key ${fp}: `);
        try {
          key = await openpgp.decryptKey({ privateKey: key, passphrase });
        } catch {
          return { ok: false, reason: `wrong passphrase for the secret key ${fp}` };
        }
      }
      try {
        const { data } = await openpgp.decrypt({ message, decryptionKeys: key, format: "binary" });
        return { ok: true, dataKey: data, via: `${PGP_KEY_FILE_ENV} (PGP key ${fp})` };
      } catch (e) {
        return { ok: false, reason: `the PGP message could not be decrypted: ${cleanMessage(e instanceof Error ? e.message : String(e))}` };
      }
    }
    return { ok: false, reason: `no secret key in ${PGP_KEY_FILE_ENV} matches` };
  }

  /** The public key with this fingerprint: from SEALFILE_PGP_KEY_FILE, else exported from the GnuPG keyring. */
  async #publicKey(openpgp: OpenPgp, ctx: KeyContext): Promise<Key> {
    if (!isPgpFingerprint(this.id)) PgpKey.fromFingerprint(this.id); // throws BAD_RECIPIENT
    const files = ctx.env[PGP_KEY_FILE_ENV];
    if (files) {
      const found = (await readKeyFiles(openpgp, files)).find((k) => matchesFingerprint(k, this.id));
      if (found) return found.toPublic();
    }
    const run = await runGpg(ctx, ["--batch", "--export", "--", this.id.replace(/!$/, "")], "");
    let keys: Key[] = [];
    if (run.spawnError === undefined && run.code === 0 && run.stdout.length > 0) {
      try {
        keys = await openpgp.readKeys({ binaryKeys: run.stdout });
      } catch {
        keys = [];
      }
    }
    const key = keys.find((k) => matchesFingerprint(k, this.id));
    if (key) return key;
    const where = run.spawnError === "ENOENT" ? `${gpgProgram(ctx.env)} not found` : `not in the GnuPG keyring (${gnupgHome(ctx)})`;
    throw new SealError("KEY_FAILED", `PGP key ${this.id}: public key ${where}${files ? ` nor in ${PGP_KEY_FILE_ENV}` : ""}`, {
      hint: `import it with \`gpg --import KEYFILE\`, or point ${PGP_KEY_FILE_ENV} at an armored key file`,
    });
  }
}

/**
 * Where the secret key for `fp` is, without unlocking it: SEALFILE_PGP_KEY_FILE, else the GnuPG keyring
 * (`gpg --list-secret-keys`; a key on a smartcard counts). For `doctor`.
 */
export async function findPgpSecretKey(fp: string, ctx: KeyContext): Promise<{ where?: string; looked: string[] }> {
  const looked: string[] = [];
  const files = ctx.env[PGP_KEY_FILE_ENV];
  if (files) {
    looked.push(`${PGP_KEY_FILE_ENV}=${files}`);
    const keys = await readKeyFiles(await loadSdk("openpgp"), files);
    if (keys.some((k) => k.isPrivate() && matchesFingerprint(k, fp))) return { where: `${PGP_KEY_FILE_ENV}=${files}`, looked };
  }
  const home = `the GnuPG home ${gnupgHome(ctx)}`;
  looked.push(home);
  if (!isPgpFingerprint(fp)) return { looked };
  const run = await runGpg(ctx, ["--batch", "--with-colons", "--list-secret-keys", "--", fp.replace(/ /g, "").replace(/!$/, "")], "");
  return run.code === 0 && run.stdout.length > 0 ? { where: home, looked } : { looked };
}

/** Primary key or a subkey has this fingerprint (or, for 16 hex digits, this key id). */
function matchesFingerprint(key: Key, fp: string): boolean {
  const want = fp.replace(/!$/, "").toLowerCase();
  return key.getKeys().some((k) => (want.length === 16 ? k.getKeyID().toHex() === want : k.getFingerprint() === want));
}

/** Every key in the armored files (unreadable files and blocks are skipped: they are reported as "no key matches"). */
async function readKeyFiles(openpgp: OpenPgp, files: string): Promise<Key[]> {
  const out: Key[] = [];
  for (const path of files.split(delimiter).filter(Boolean)) {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch {
      continue;
    }
    for (const block of text.match(/-----BEGIN PGP (?:PUBLIC|PRIVATE) KEY BLOCK-----[\s\S]*?-----END PGP (?:PUBLIC|PRIVATE) KEY BLOCK-----/g) ?? []) {
      try {
        out.push(...(await openpgp.readKeys({ armoredKeys: block })));
      } catch {
        // not a key we can read
      }
    }
  }
  return out;
}

/** gpg's own explanation, reduced to one line without paths to secrets. */
function gpgReason(stderr: string): string {
  if (/no secret key/i.test(stderr)) return "no secret key for this message in the GnuPG home";
  if (/bad passphrase|no pinentry|inappropriate ioctl|operation cancelled/i.test(stderr)) return "gpg could not unlock the secret key (passphrase not given)";
  const lines = stderr.split("\n").map((l) => l.trim()).filter((l) => l !== "" && !/^gpg: encrypted with/i.test(l) && !/^"/.test(l));
  return `gpg failed: ${cleanMessage((lines.at(-1) ?? "no message").replace(/^gpg: /, ""))}`;
}
