/**
 * Owns: finding the identities the environment offers for age stanzas, from every source sops reads, all
 * combined: SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, SOPS_AGE_KEY_CMD and the default keys.txt (passphrase-protected
 * identity files included), then SSH keys: SOPS_AGE_SSH_PRIVATE_KEY_FILE, SOPS_AGE_SSH_PRIVATE_KEY_CMD,
 * ~/.ssh/id_ed25519 and ~/.ssh/id_rsa. Each source reports what it found, so "no key could open this file"
 * can say where we looked (sops age/keysource.go). Passphrases are asked for only when a stanza needs them.
 */
import { join } from "node:path";
import { SealError } from "../errors.js";
import { readSmallFile } from "../io/small-file.js";
import type { KeyContext } from "./types.js";
import { WrongPassphraseError } from "./_wrong-passphrase.js";
import type { SshIdentity } from "./ssh-identity.js";

export interface IdentitySource {
  /** e.g. `SOPS_AGE_KEY_FILE=/path`, `~/.config/sops/age/keys.txt`, `/home/me/.ssh/id_ed25519` */
  readonly label: string;
  readonly status: "loaded" | "not set" | "not found" | "unreadable" | "failed" | "malformed" | "passphrase-protected";
  /** Identities found (a passphrase-protected source counts the keys it holds once known, else 0). */
  readonly count: number;
  /** Which stanzas it serves: age identities (X25519, hybrid) or an SSH key. */
  readonly kind: "age" | "ssh";
  /** Why it could not be used (no key material, ever). */
  readonly reason?: string;
}

/** An age identity file encrypted with a passphrase, opened on first need and kept for this command only. */
export interface LockedAgeFile {
  readonly label: string;
  readonly bytes: Uint8Array;
  opened?: Promise<string[]>;
}

export interface LoadedIdentities {
  /** Plain age identities (`AGE-SECRET-KEY-…`), each with the label of its source. Never print these. */
  readonly age: ReadonlyArray<{ readonly source: string; readonly identity: string }>;
  /** The plain age identity strings, deduplicated (same as `age`, without sources). */
  readonly identities: string[];
  /** Plugin identities (`AGE-PLUGIN-NAME-1…`), deduplicated; opened by running `age-plugin-name`. */
  readonly plugins: string[];
  /** Passphrase-protected age identity files. */
  readonly locked: LockedAgeFile[];
  /** SSH identities, plain or passphrase-protected, tried after the age ones. */
  readonly ssh: ReadonlyArray<{ readonly source: string; readonly identity: SshIdentity; readonly locked: boolean }>;
  readonly sources: IdentitySource[];
}

/** One identity as `doctor` shows it: where it came from and the public recipient it opens. No secrets. */
export interface IdentityInfo {
  /** The label of its {@link IdentitySource}. */
  readonly source: string;
  readonly type: "age-x25519" | "age-pq" | "ssh-ed25519" | "ssh-rsa" | "age-passphrase-file";
  /** The recipient this identity opens (`age1…`, `ssh-ed25519 AAAA…`); undefined for a still-locked age file. */
  readonly recipient: string | undefined;
  /** A passphrase must be typed before it can be used. */
  readonly locked: boolean;
  /** It does not decode (bad bech32 checksum or length), so nothing can use it. */
  readonly malformed?: boolean;
}

const IDENTITY_RE = /^AGE-SECRET-KEY-(PQ-)?1[0-9A-Z]+$/;
const PLUGIN_IDENTITY_RE = /^AGE-PLUGIN-[0-9A-Z._+-]+-1[0-9A-Z]+$/;
const CACHE_KEY = "age.identities";
const PASSPHRASE_ATTEMPTS = 3;

/** The default identity file: `$XDG_CONFIG_HOME/sops/age/keys.txt`, else `~/.config/sops/age/keys.txt`. */
export function defaultKeysPath(ctx: Pick<KeyContext, "env" | "homeDir">): string {
  const base = ctx.env.XDG_CONFIG_HOME || join(ctx.homeDir, ".config");
  return join(base, "sops", "age", "keys.txt");
}

/** Identity strings in a key file's text: one per line, `#` comments and blank lines skipped. */
export function parseIdentityText(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(/\r?\n|\s+/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    if (IDENTITY_RE.test(line)) out.push(line);
  }
  return out;
}

/** Plugin identity strings (`AGE-PLUGIN-NAME-1…`) in a key file's text, as age and sops 3.10+ read them. */
export function parsePluginIdentityText(text: string): string[] {
  return text
    .split(/\r?\n|\s+/)
    .map((l) => l.trim())
    .filter((l) => PLUGIN_IDENTITY_RE.test(l));
}

/** True for the bytes of an age file, binary or armored (a passphrase-protected identity file). */
export function isAgeFile(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.subarray(0, 64)).toString("latin1").trimStart();
  return head.startsWith("age-encryption.org/") || head.startsWith("-----BEGIN AGE ENCRYPTED FILE-----");
}

/** An identity file that is itself a passphrase-encrypted age file (what `age -p keys.txt` writes). */
export function isEncryptedIdentityFile(text: string): boolean {
  return isAgeFile(Buffer.from(text.slice(0, 64), "latin1"));
}

/**
 * Loads (once per command) every identity the environment offers; nothing is decrypted or prompted here.
 * The SSH modules load only when an SSH key is there to parse. With `recipient`, SOPS_AGE_KEY_CMD and
 * SOPS_AGE_SSH_PRIVATE_KEY_CMD run with `SOPS_AGE_RECIPIENT` set to it, once per recipient, as sops runs them
 * for each age key it tries (age/keysource.go loadIdentities).
 */
export function loadAgeIdentities(ctx: KeyContext, recipient?: string): Promise<LoadedIdentities> {
  const perRecipient = recipient !== undefined && Boolean(ctx.env.SOPS_AGE_KEY_CMD || ctx.env.SOPS_AGE_SSH_PRIVATE_KEY_CMD);
  const key = perRecipient ? `${CACHE_KEY}:${recipient}` : CACHE_KEY;
  const cached = ctx.cache.get(key) as Promise<LoadedIdentities> | undefined;
  if (cached) return cached;
  const loading = loadAll(ctx, perRecipient ? recipient : undefined);
  ctx.cache.set(key, loading);
  return loading;
}

/** One object per passphrase-protected source for the whole command, so its passphrase is asked once. */
function shared<T>(ctx: KeyContext, label: string, make: () => T): T {
  const key = `${CACHE_KEY}.shared:${label}`;
  if (!ctx.cache.has(key)) ctx.cache.set(key, make());
  return ctx.cache.get(key) as T;
}

async function loadAll(ctx: KeyContext, recipient: string | undefined): Promise<LoadedIdentities> {
  const age: Array<{ source: string; identity: string }> = [];
  const plugins: string[] = [];
  const locked: LockedAgeFile[] = [];
  const ssh: Array<{ source: string; identity: SshIdentity; locked: boolean }> = [];
  const sources: IdentitySource[] = [];
  const addAge = (label: string, bytes: Uint8Array | undefined, missing: IdentitySource["status"], reason?: string): void => {
    if (bytes === undefined) {
      sources.push({ label, status: missing, count: 0, kind: "age", ...(reason ? { reason } : {}) });
      return;
    }
    if (isAgeFile(bytes)) {
      locked.push(shared(ctx, label, () => ({ label, bytes })));
      sources.push({ label, status: "passphrase-protected", count: 0, kind: "age" });
      return;
    }
    const text = Buffer.from(bytes).toString("utf8");
    const found = parseIdentityText(text);
    const pluginIds = parsePluginIdentityText(text);
    for (const identity of found) age.push({ source: label, identity });
    plugins.push(...pluginIds);
    sources.push({ label, status: "loaded", count: found.length + pluginIds.length, kind: "age" });
  };

  const env = ctx.env;
  addAge("SOPS_AGE_KEY", env.SOPS_AGE_KEY === undefined ? undefined : Buffer.from(env.SOPS_AGE_KEY), "not set");
  const addAgeFile = (label: string, path: string): void => {
    const file = readKeyFile(path);
    addAge(label, file.bytes, file.status, file.reason);
  };
  if (env.SOPS_AGE_KEY_FILE) addAgeFile(`SOPS_AGE_KEY_FILE=${env.SOPS_AGE_KEY_FILE}`, env.SOPS_AGE_KEY_FILE);
  else sources.push({ label: "SOPS_AGE_KEY_FILE", status: "not set", count: 0, kind: "age" });
  if (env.SOPS_AGE_KEY_CMD) addAge("SOPS_AGE_KEY_CMD", runKeyCommand(env.SOPS_AGE_KEY_CMD, ctx, recipient), "failed");
  else sources.push({ label: "SOPS_AGE_KEY_CMD", status: "not set", count: 0, kind: "age" });
  const def = defaultKeysPath(ctx);
  addAgeFile(def, def);

  const addSsh = async (label: string, bytes: Uint8Array | undefined, missing: IdentitySource["status"], pubPath?: string, fromCommand = false, reason?: string): Promise<void> => {
    if (bytes === undefined) {
      sources.push({ label, status: missing, count: 0, kind: "ssh", ...(reason ? { reason } : {}) });
      return;
    }
    const text = Buffer.from(bytes).toString("utf8");
    try {
      const { looksLikeSshPrivateKey, parseSshPrivateKey } = await import("./openssh-key.js");
      const { LockedSshIdentity, sshIdentityOf } = await import("./ssh-identity.js");
      if (!looksLikeSshPrivateKey(text)) throw new Error("not an OpenSSH or PEM private key");
      const pubText = pubPath ? readKeyFile(pubPath).bytes : undefined;
      const file = parseSshPrivateKey(text, pubText ? Buffer.from(pubText).toString("utf8") : undefined);
      if (!file.encrypted) {
        ssh.push({ source: label, identity: sshIdentityOf(file.open()), locked: false });
        sources.push({ label, status: "loaded", count: 1, kind: "ssh" });
        return;
      }
      if (fromCommand) throw new Error("the key it printed is passphrase-protected, which is not supported there");
      if (!file.publicKey) throw new Error(`it is passphrase-protected and its public key (${label}.pub) is missing`);
      const unlocked = (): Promise<SshIdentity> => unlockWithPrompt(ctx, label, "ssh", (pass) => sshIdentityOf(file.open(pass)));
      const unlock = (): Promise<SshIdentity> => shared(ctx, `ssh:${label}`, unlocked);
      ssh.push({ source: label, identity: new LockedSshIdentity(file.publicKey, unlock), locked: true });
      sources.push({ label, status: "passphrase-protected", count: 1, kind: "ssh" });
    } catch (e) {
      const reason = e instanceof Error ? e.message : "cannot be read";
      sources.push({ label, status: "malformed", count: 0, kind: "ssh", reason });
    }
  };

  const sshFile = env.SOPS_AGE_SSH_PRIVATE_KEY_FILE;
  const addSshFile = async (label: string, path: string): Promise<void> => {
    const file = readKeyFile(path);
    await addSsh(label, file.bytes, file.status, `${path}.pub`, false, file.reason);
  };
  if (sshFile) await addSshFile(`SOPS_AGE_SSH_PRIVATE_KEY_FILE=${sshFile}`, sshFile);
  else sources.push({ label: "SOPS_AGE_SSH_PRIVATE_KEY_FILE", status: "not set", count: 0, kind: "ssh" });
  if (env.SOPS_AGE_SSH_PRIVATE_KEY_CMD) await addSsh("SOPS_AGE_SSH_PRIVATE_KEY_CMD", runKeyCommand(env.SOPS_AGE_SSH_PRIVATE_KEY_CMD, ctx, recipient), "failed", undefined, true);
  // Like sops, the default SSH keys are tried even when the variables above are set.
  for (const name of ["id_ed25519", "id_rsa"]) {
    const p = join(ctx.homeDir, ".ssh", name);
    await addSshFile(p, p);
  }

  return { age, identities: [...new Set(age.map((a) => a.identity))], plugins: [...new Set(plugins)], locked, ssh, sources };
}

/**
 * Asks for a passphrase (up to 3 times) and opens the key with it.
 * @throws SealError KEY_FAILED when there is no terminal (the message names SOPS_AGE_KEY_CMD) or every
 * passphrase typed was wrong.
 */
async function unlockWithPrompt<T>(ctx: KeyContext, label: string, kind: "age" | "ssh", open: (passphrase: string) => T | Promise<T>): Promise<T> {
  if (!ctx.promptPassphrase) {
    const instead = kind === "age" ? "SOPS_AGE_KEY_CMD" : "SOPS_AGE_SSH_PRIVATE_KEY_CMD (printing the key without a passphrase) or SOPS_AGE_KEY_CMD";
    throw new SealError("KEY_FAILED", `${label} is passphrase-protected and there is no terminal to ask for its passphrase; use ${instead} to supply the key instead`, {
      hint: "set SOPS_AGE_KEY_CMD to a command that prints the identity (e.g. from a password manager), or run from a terminal",
    });
  }
  for (let attempt = 1; ; attempt++) {
    const again = attempt > 1 ? "Wrong passphrase, try again. " : "";
    const pass = await ctx.promptPassphrase(`${again}Enter passphrase for ${label}: `);
    try {
      return await open(pass);
    } catch (e) {
      if (!(e instanceof WrongPassphraseError)) {
        throw new SealError("KEY_FAILED", `${label} could not be opened: ${e instanceof Error ? e.message : "failed"}`);
      }
      if (attempt >= PASSPHRASE_ATTEMPTS) throw new SealError("KEY_FAILED", `wrong passphrase for ${label}`, { hint: "check the passphrase, or use SOPS_AGE_KEY_CMD" });
    }
  }
}

/** Opens a passphrase-protected identity file once per command and keeps its identities in memory. */
function openLocked(ctx: KeyContext, file: LockedAgeFile): Promise<string[]> {
  file.opened ??= unlockWithPrompt(ctx, file.label, "age", async (pass) => {
    const { openPassphraseFile } = await import("./age-passphrase-file.js");
    const plain = await openPassphraseFile(file.bytes, pass);
    try {
      return parseIdentityText(Buffer.from(plain).toString("utf8"));
    } finally {
      plain.fill(0);
    }
  });
  return file.opened;
}

/**
 * Opens every passphrase-protected identity file (prompting for each not yet opened in this command) and
 * returns their identities, plus one message per file that could not be opened.
 */
export async function unlockAgeFiles(ctx: KeyContext, loaded: LoadedIdentities): Promise<{ identities: string[]; failures: string[] }> {
  const identities: string[] = [];
  const failures: string[] = [];
  for (const f of loaded.locked) {
    try {
      identities.push(...(await openLocked(ctx, f)));
    } catch (e) {
      failures.push(e instanceof SealError ? e.message : `${f.label} could not be opened`);
    }
  }
  return { identities, failures };
}

/**
 * Every identity available, with its source and the recipient it opens — for `doctor` and "why not" messages.
 * Never returns private material. Passphrase-protected age files show as locked (recipient unknown) unless
 * this command already opened them.
 */
export async function listIdentities(ctx: KeyContext): Promise<IdentityInfo[]> {
  const loaded = await loadAgeIdentities(ctx);
  const { identityToRecipient } = await import("age-encryption");
  const { recipientOfSshIdentity } = await import("./ssh-identity.js");
  const out: IdentityInfo[] = [];
  const seen = new Set<string>();
  // identityToRecipient's errors quote the whole identity, so a bad one is flagged, never its message shown.
  const recipientOf = async (id: string): Promise<string | undefined> => {
    try {
      return await identityToRecipient(id);
    } catch {
      return undefined;
    }
  };
  for (const a of loaded.age) {
    if (seen.has(a.identity)) continue;
    seen.add(a.identity);
    const recipient = await recipientOf(a.identity);
    out.push({ source: a.source, type: a.identity.startsWith("AGE-SECRET-KEY-PQ-") ? "age-pq" : "age-x25519", recipient, locked: false, ...(recipient === undefined ? { malformed: true } : {}) });
  }
  for (const f of loaded.locked) {
    const opened = f.opened ? await f.opened.catch(() => undefined) : undefined;
    if (!opened) {
      out.push({ source: f.label, type: "age-passphrase-file", recipient: undefined, locked: true });
      continue;
    }
    for (const id of opened) {
      const recipient = await recipientOf(id);
      out.push({ source: f.label, type: id.startsWith("AGE-SECRET-KEY-PQ-") ? "age-pq" : "age-x25519", recipient, locked: false, ...(recipient === undefined ? { malformed: true } : {}) });
    }
  }
  for (const s of loaded.ssh) out.push({ source: s.source, type: s.identity.publicKey.type, recipient: recipientOfSshIdentity(s.identity), locked: s.locked });
  return out;
}

interface KeyFileRead {
  readonly bytes?: Uint8Array;
  /** Why there are no bytes. */
  readonly status: "not found" | "unreadable";
  readonly reason?: string;
}

/**
 * A key file's bytes, or why there are none. A pipe is read (`SOPS_AGE_KEY_FILE=<(pass show age)`); a folder
 * or a device (a link to /dev/zero would never end) is not.
 */
function readKeyFile(path: string): KeyFileRead {
  try {
    return { bytes: readSmallFile(path, path, "CANNOT_READ_INPUT", { pipes: true }), status: "not found" };
  } catch (e) {
    if (e instanceof SealError) return { status: "unreadable", reason: String(e.details?.why ?? "cannot be read") };
    const code = (e as NodeJS.ErrnoException).code;
    return code === "ENOENT" || code === "ENOTDIR" ? { status: "not found" } : { status: "unreadable", reason: `cannot be read (${code ?? "error"})` };
  }
}

function runKeyCommand(cmd: string, ctx: KeyContext, recipient: string | undefined): Uint8Array | undefined {
  const argv = splitCommand(cmd);
  if (argv.length === 0) return undefined;
  try {
    // node:child_process is loaded here, when a command is configured, not at every start.
    return process.getBuiltinModule("node:child_process").execFileSync(argv[0]!, argv.slice(1), {
      stdio: ["ignore", "pipe", "ignore"],
      env: { ...ctx.env, ...(recipient === undefined ? {} : { SOPS_AGE_RECIPIENT: recipient }) } as NodeJS.ProcessEnv,
      timeout: Math.max(ctx.timeoutMs, 10_000),
    });
  } catch {
    return undefined;
  }
}

/** Splits a command line the way a POSIX shell splits words (quotes and backslashes; no expansion). */
export function splitCommand(cmd: string): string[] {
  const out: string[] = [];
  let cur = "";
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < cmd.length; i++) {
    const c = cmd[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else cur += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === "\\" && i + 1 < cmd.length && '"\\$`'.includes(cmd[i + 1]!)) cur += cmd[++i];
      else cur += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === "\\" && i + 1 < cmd.length) {
      cur += cmd[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(cur);
      cur = "";
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quote) throw new SealError("USAGE", "unterminated quote in SOPS_AGE_KEY_CMD");
  if (inWord) out.push(cur);
  return out;
}

/** Human-readable list of the places looked at, for error messages (no key material). */
export function describeSources(sources: readonly IdentitySource[]): string[] {
  return sources.map((s) => `${s.label} (${s.status === "loaded" ? `${s.count} identit${s.count === 1 ? "y" : "ies"}` : s.status === "unreadable" && s.reason ? `unreadable: ${s.reason}` : s.status})`);
}
