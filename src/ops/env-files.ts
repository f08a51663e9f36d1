/**
 * Owns: encrypted files → environment variables, shared by `secrets exec`, `loadEnv` and
 * `sealfile/config`: which files to read when none are named, their format, decrypting them (audited)
 * and merging them in order (later files win).
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { chooseFormat, formatFromPath, storeFor, type FormatName } from "../formats/index.js";
import { closeDocument, crypterFor } from "../document/index.js";
import type { CryptRuleMatcher } from "../document/crypt-rule.js";
import { parseDecryptionOrder } from "../keys/registry.js";
import type { KeyContext } from "../keys/types.js";
import type { SopsConfig } from "../config.js";
import { mapLeaves, type Tree } from "../tree/index.js";
import { mergeEnvs, treeToEnv } from "../exec/index.js";
import { openSealedAudited } from "./audit-log.js";
import { makeKeyContext } from "./key-context.js";
import { readInputFile } from "./read-input.js";

/**
 * Looked for in the working directory, in this order, when no file is named and `.sops.yaml` has no
 * `exec.files`; the first one that exists is used.
 */
export const DEFAULT_ENV_FILES: readonly string[] = ["secrets.enc.yaml", "secrets.enc.yml", "secrets.enc.json", "secrets.enc.env", ".env.enc"];

/** The format of an encrypted env file: by extension, looking through a trailing `.enc` (`.env.enc` is dotenv). */
export function envFileFormat(path: string, explicit?: string): FormatName {
  if (explicit) return chooseFormat(explicit, path);
  const lower = path.toLowerCase();
  if (lower.endsWith(".enc")) {
    const inner = path.slice(0, -4);
    return inner.toLowerCase().endsWith("/.env") || inner.toLowerCase() === ".env" ? "dotenv" : formatFromPath(inner);
  }
  return formatFromPath(path);
}

/**
 * The files to use when none are named: `.sops.yaml`'s `exec.files` (relative to its folder), else the
 * first of {@link DEFAULT_ENV_FILES} found in `cwd`. Empty when there is none.
 */
export function defaultEnvFiles(cwd: string, config: SopsConfig | undefined): string[] {
  if (config?.execFiles && config.execFiles.length > 0) return [...config.execFiles];
  for (const name of DEFAULT_ENV_FILES) {
    const p = resolve(cwd, name);
    if (existsSync(p)) return [p];
  }
  return [];
}

export interface DecryptFilesOptions {
  readonly cwd: string;
  /** Where keys are read from (SOPS_AGE_KEY_FILE, cloud credentials, SOPS_DECRYPTION_ORDER). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** `--input-type` for every file (default: by extension, see {@link envFileFormat}). */
  readonly inputType?: string | undefined;
  readonly ignoreMac?: boolean | undefined;
  readonly decryptionOrder?: string | undefined;
  /** The audit log to append to (see audit-log.ts), and the command named in it. */
  readonly auditLog?: string | undefined;
  readonly command: string;
  /** Shared between files so identities are loaded once. */
  readonly keyContext?: KeyContext;
  /** Names of recipients (key → name) for the "no key could open" error. */
  readonly names?: ReadonlyMap<string, string>;
}

export interface DecryptedFile {
  readonly path: string;
  readonly format: FormatName;
  readonly plain: Tree;
  /** The string values the file's own rule encrypts (what `exec --mask` may hide; clear ones are not secrets). */
  readonly encryptedValues: string[];
}

/** String leaves of `plain` that `rule` says are encrypted. */
function encryptedStrings(plain: Tree, rule: CryptRuleMatcher): string[] {
  const out: string[] = [];
  mapLeaves(plain, (s, { path, comments }) => {
    if (s.kind === "str" && rule.shouldEncrypt(path, comments)) out.push(s.value);
    return s;
  });
  return out;
}

/**
 * Decrypts one file (its path is resolved against `cwd`).
 * @throws SealError FILE_NOT_FOUND (exit 100), CANNOT_READ_INPUT, and the errors of openSealedBytes.
 */
export async function decryptEnvFile(file: string, opts: DecryptFilesOptions): Promise<DecryptedFile> {
  const path = resolve(opts.cwd, file);
  const format = envFileFormat(path, opts.inputType);
  // A device (a link to /dev/zero, say) is refused and the size is capped, as for decrypt.
  const bytes = readInputFile(file, undefined, opts.cwd);
  const order = parseDecryptionOrder(opts.decryptionOrder ?? opts.env.SOPS_DECRYPTION_ORDER);
  const { doc } = await openSealedAudited(
    bytes,
    { format, ctx: opts.keyContext ?? makeKeyContext(opts.env), order, ignoreMac: opts.ignoreMac === true, file, readOnly: true, ...(opts.names ? { names: opts.names } : {}) },
    { log: opts.auditLog, command: opts.command, file: path },
  );
  try {
    return { path, format, plain: doc.plain, encryptedValues: encryptedStrings(doc.plain, crypterFor(doc.metadata.cryptRule)) };
  } finally {
    closeDocument(doc);
  }
}

/**
 * Decrypts `files` (in parallel) and maps each to variables, later files overriding earlier ones.
 * @throws SealError the errors of {@link decryptEnvFile} and of treeToEnv (a bad name, a collision, or a
 *   complex value without `flatten`).
 */
export async function loadEnvFiles(files: readonly string[], opts: DecryptFilesOptions & { readonly flatten: boolean }): Promise<Record<string, string>> {
  const ctx = opts.keyContext ?? makeKeyContext(opts.env);
  const opened = await Promise.all(files.map((f) => decryptEnvFile(f, { ...opts, keyContext: ctx })));
  return mergeEnvs(opened.map((d) => treeToEnv(d.plain, { flatten: opts.flatten, format: d.format })));
}

/** The plaintext of a decrypted file, in its own format (what `--file-env` offers). */
export function plainBytesOf(d: DecryptedFile): Uint8Array {
  return storeFor(d.format).emitPlain(d.plain);
}
