/**
 * Owns: the library API for Node apps — decrypt and encrypt sops-compatible files in-process, and load
 * them as environment variables (the same mapping as `secrets exec`). Works from ESM and CommonJS.
 *
 * @example
 * import { decryptFile, loadEnv } from "sealfile";
 * const secrets = await decryptFile("secrets.enc.yaml"); // { db: { password: "…" } }
 * const env = await loadEnv(["secrets.enc.yaml"]);      // { DB_PASSWORD: "…" }
 */
import { resolve } from "node:path";
import { SealError } from "./errors.js";
import { chooseFormat, type FormatName } from "./formats/index.js";
import { closeDocument } from "./document/index.js";
import { parseDecryptionOrder, keyFromSpec } from "./keys/registry.js";
import { makeKeyContext } from "./ops/key-context.js";
import { sealPlainBytes } from "./ops/sealed-file.js";
import { auditLogPath, openSealedAudited } from "./ops/audit-log.js";
import { defaultEnvFiles, envFileFormat, loadEnvFiles } from "./ops/env-files.js";
import { chooseRecipients } from "./ops/recipients.js";
import { readInputFile } from "./ops/read-input.js";
import { loadConfig } from "./config.js";
import { toPlain, type PlainValue } from "./tree/index.js";
import { writeFileAtomic } from "./io/atomic-write.js";
import { withFileLock } from "./io/file-lock.js";

export { SealError } from "./errors.js";
export type { ErrorCode } from "./errors.js";
export type { FormatName } from "./formats/index.js";
export type { PlainValue } from "./tree/index.js";
export { DEFAULT_ENV_FILES } from "./ops/env-files.js";

export interface DecryptOptions {
  /** File format; default: by extension (decryptFile) or yaml (decrypt). */
  format?: FormatName;
  /** Environment to read keys from (default: process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Skip the MAC check (for damaged files). */
  ignoreMac?: boolean;
  /** Key types in the order to try, e.g. "age,kms". */
  decryptionOrder?: string;
  /** Append a line to this audit log (default: env SEALFILE_AUDIT_LOG, else `audit_log` of `.sops.yaml`). */
  auditLog?: string;
  /** Folder that relative paths and the `.sops.yaml` lookup start from (default: process.cwd()). */
  cwd?: string;
  /** The command named in the audit log (default "library"). */
  auditCommand?: string;
}

/** The decrypted content: an object for a single document; an array of objects for multi-document YAML. */
export type Decrypted = Record<string, PlainValue>;

function plainOf(branches: { branches: Array<Parameters<typeof toPlain>[0]> }): Decrypted {
  return toPlain(branches.branches[0] ?? { kind: "map", items: [] }) as Decrypted;
}

/**
 * Decrypts encrypted text.
 * @throws SealError NOT_ENCRYPTED, NO_USABLE_KEY, MAC_MISMATCH, DECRYPT_VALUE_FAILED, BAD_SYNTAX
 */
export async function decrypt(text: string | Uint8Array, opts: DecryptOptions = {}): Promise<Decrypted> {
  return decryptBytes(typeof text === "string" ? Buffer.from(text, "utf8") : text, opts, undefined);
}

async function decryptBytes(bytes: Uint8Array, opts: DecryptOptions, path: string | undefined): Promise<Decrypted> {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const log = opts.auditLog !== undefined ? resolve(cwd, opts.auditLog) : auditLogPath(env, cwd, loadConfig({ cwd, env, ...(path ? { file: path } : {}) }));
  const { doc } = await openSealedAudited(
    bytes,
    {
      format: opts.format ?? "yaml",
      ctx: makeKeyContext(env),
      order: parseDecryptionOrder(opts.decryptionOrder ?? env.SOPS_DECRYPTION_ORDER),
      ...(opts.ignoreMac ? { ignoreMac: true } : {}),
      ...(path ? { file: path } : {}),
      readOnly: true,
    },
    { log, command: opts.auditCommand ?? "library", file: path ?? "(in-memory)" },
  );
  try {
    return plainOf(doc.plain);
  } finally {
    closeDocument(doc);
  }
}

/**
 * Decrypts an encrypted file into a plain object.
 * @throws SealError FILE_NOT_FOUND, CANNOT_READ_INPUT (unreadable, a device or a folder, too large) and the
 *   errors of {@link decrypt}
 */
export async function decryptFile(path: string, opts: DecryptOptions = {}): Promise<Decrypted> {
  const full = resolve(opts.cwd ?? process.cwd(), path);
  // As the CLI reads it: a device (a link to /dev/zero) is refused, and the size is capped.
  const bytes = readInputFile(path, undefined, opts.cwd ?? process.cwd());
  return decryptBytes(bytes, { ...opts, format: opts.format ?? envFileFormat(full) }, full);
}

export interface LoadEnvOptions extends Omit<DecryptOptions, "format"> {
  /** Nested maps become `PARENT_CHILD` variables (default true); false refuses them, like `sops exec-env`. */
  flatten?: boolean;
  /** Format of every file (default: by extension; `.env.enc` is dotenv). */
  format?: FormatName;
}

/**
 * Decrypts `files` and maps them to environment variables exactly as `secrets exec` does: top-level
 * keys keep their spelling, nested keys are joined with `_` and upper-cased, lists become JSON, later
 * files override earlier ones. With no files, uses `.sops.yaml`'s `exec.files` or the first of
 * {@link DEFAULT_ENV_FILES} found in `cwd`. Does not touch `process.env`.
 * @throws SealError FILE_NOT_FOUND (also when no default file exists), GENERIC for a name that is not a
 *   valid variable name or two keys mapping to one name, and the errors of {@link decrypt}.
 */
export async function loadEnv(files?: string | readonly string[], opts: LoadEnvOptions = {}): Promise<Record<string, string>> {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const config = loadConfig({ cwd, env });
  const named = files === undefined ? [] : typeof files === "string" ? [files] : [...files];
  const list = named.length > 0 ? named : defaultEnvFiles(cwd, config);
  if (list.length === 0) {
    throw new SealError("FILE_NOT_FOUND", "no secrets file to load", { hint: "pass the files to load, or list them under exec.files in .sops.yaml" });
  }
  const out = await loadEnvFiles(list, {
    cwd,
    env,
    flatten: opts.flatten ?? true,
    inputType: opts.format,
    ignoreMac: opts.ignoreMac,
    decryptionOrder: opts.decryptionOrder,
    auditLog: opts.auditLog !== undefined ? resolve(cwd, opts.auditLog) : auditLogPath(env, cwd, config),
    command: opts.auditCommand ?? "library",
  });
  // A plain object for callers (the internal record has no prototype, which surprises `toEqual` and spreads).
  return { ...out };
}

/**
 * The files {@link loadEnv} reads when given none (absolute paths; empty when there are none).
 * @throws SealError BAD_CONFIG for an invalid `.sops.yaml`.
 */
export function defaultSecretFiles(opts: { cwd?: string; env?: Readonly<Record<string, string | undefined>> } = {}): string[] {
  const cwd = opts.cwd ?? process.cwd();
  return defaultEnvFiles(cwd, loadConfig({ cwd, env: opts.env ?? process.env }));
}

export interface EncryptFileOptions {
  /** age recipients (comma separated or a list); default: the matching `.sops.yaml` creation rule. */
  age?: string | string[];
  /** Output path (default: replace the input file). */
  output?: string;
  format?: FormatName;
  env?: Readonly<Record<string, string | undefined>>;
  cwd?: string;
}

/**
 * Encrypts a plaintext file (in place unless `output` is given), atomically. Relative paths are taken from
 * `cwd` (default: the process's working folder). The target is locked while it is rewritten (another writer
 * waits up to 10 s).
 * @throws SealError FILE_NOT_FOUND, CANNOT_READ_INPUT, ALREADY_ENCRYPTED, NO_RECIPIENTS, NO_MATCHING_RULE,
 *   BAD_SYNTAX, FILE_LOCKED
 */
export async function encryptFile(path: string, opts: EncryptFileOptions = {}): Promise<void> {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const format = opts.format ?? chooseFormat(undefined, path);
  const config = loadConfig({ cwd, file: path, env });
  const age = Array.isArray(opts.age) ? opts.age.join(",") : opts.age;
  const choice = chooseRecipients({ age }, env, config, path, cwd);
  const keyGroups = await Promise.all(choice.groups.map((g) => Promise.all(g.map(keyFromSpec))));
  // Both paths are taken from `cwd`, as the config lookup above takes them.
  const target = resolve(cwd, opts.output ?? path);
  await withFileLock(target, async () => {
    const sealed = await sealPlainBytes(readInputFile(path, undefined, cwd), {
      format,
      ctx: makeKeyContext(env),
      keyGroups,
      ...(choice.threshold ? { shamirThreshold: choice.threshold } : {}),
      ...(choice.cryptRule ? { cryptRule: choice.cryptRule } : {}),
      ...(choice.macOnlyEncrypted ? { macOnlyEncrypted: true } : {}),
      file: path,
    });
    writeFileAtomic(target, sealed);
  });
}
