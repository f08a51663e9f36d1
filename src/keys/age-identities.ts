/**
 * Owns: finding the age identities the environment offers, from every source sops reads, all combined:
 * SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, SOPS_AGE_KEY_CMD and the default keys.txt. Each source reports what
 * it found, so "no key could open this file" can say where we looked (sops age/keysource.go).
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { SealError } from "../errors.js";
import type { KeyContext } from "./types.js";

export interface IdentitySource {
  /** e.g. `SOPS_AGE_KEY_FILE=/path`, `~/.config/sops/age/keys.txt` */
  readonly label: string;
  readonly status: "loaded" | "not set" | "not found" | "unreadable" | "failed" | "passphrase-protected";
  readonly count: number;
}

export interface LoadedIdentities {
  readonly identities: string[];
  readonly sources: IdentitySource[];
}

const IDENTITY_RE = /^AGE-SECRET-KEY-(PQ-)?1[0-9A-Z]+$/;
const CACHE_KEY = "age.identities";

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

/** An identity file that is itself a passphrase-encrypted age file (what `age -p keys.txt` writes). */
export function isEncryptedIdentityFile(text: string): boolean {
  const t = text.trimStart();
  return t.startsWith("age-encryption.org/") || t.startsWith("-----BEGIN AGE ENCRYPTED FILE-----");
}

/** Loads (once per command) every age identity the environment offers. */
export function loadAgeIdentities(ctx: KeyContext): LoadedIdentities {
  const cached = ctx.cache.get(CACHE_KEY) as LoadedIdentities | undefined;
  if (cached) return cached;
  const identities: string[] = [];
  const sources: IdentitySource[] = [];
  const add = (label: string, text: string | undefined, missing: IdentitySource["status"]): void => {
    if (text === undefined) {
      sources.push({ label, status: missing, count: 0 });
      return;
    }
    if (isEncryptedIdentityFile(text)) {
      sources.push({ label, status: "passphrase-protected", count: 0 });
      return;
    }
    const found = parseIdentityText(text);
    identities.push(...found);
    sources.push({ label, status: "loaded", count: found.length });
  };

  add("SOPS_AGE_KEY", ctx.env.SOPS_AGE_KEY, "not set");

  const keyFile = ctx.env.SOPS_AGE_KEY_FILE;
  if (keyFile) add(`SOPS_AGE_KEY_FILE=${keyFile}`, readIfExists(keyFile), "not found");
  else sources.push({ label: "SOPS_AGE_KEY_FILE", status: "not set", count: 0 });

  const keyCmd = ctx.env.SOPS_AGE_KEY_CMD;
  if (keyCmd) add("SOPS_AGE_KEY_CMD", runKeyCommand(keyCmd, ctx), "failed");
  else sources.push({ label: "SOPS_AGE_KEY_CMD", status: "not set", count: 0 });

  const def = defaultKeysPath(ctx);
  add(def, readIfExists(def), "not found");

  const loaded = { identities: [...new Set(identities)], sources };
  ctx.cache.set(CACHE_KEY, loaded);
  return loaded;
}

function readIfExists(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

function runKeyCommand(cmd: string, ctx: KeyContext): string | undefined {
  const argv = splitCommand(cmd);
  if (argv.length === 0) return undefined;
  try {
    return execFileSync(argv[0]!, argv.slice(1), {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      env: { ...ctx.env } as NodeJS.ProcessEnv,
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
  return sources.map((s) => `${s.label} (${s.status === "loaded" ? `${s.count} identit${s.count === 1 ? "y" : "ies"}` : s.status})`);
}
