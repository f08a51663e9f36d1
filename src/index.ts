/**
 * Owns: the library API for Node apps — decrypt and encrypt sops-compatible files in-process.
 *
 * @example
 * import { decryptFile } from "sealfile";
 * const secrets = await decryptFile("secrets.enc.yaml"); // { db: { password: "…" } }
 */
import { readFileSync } from "node:fs";
import { SealError } from "./errors.js";
import { chooseFormat, type FormatName } from "./formats/index.js";
import { closeDocument } from "./document/index.js";
import { parseDecryptionOrder, keyFromSpec } from "./keys/registry.js";
import { makeKeyContext } from "./ops/key-context.js";
import { openSealedBytes, sealPlainBytes } from "./ops/sealed-file.js";
import { chooseRecipients } from "./ops/recipients.js";
import { loadConfig } from "./config.js";
import { toPlain, type PlainValue } from "./tree/index.js";
import { writeFileAtomic } from "./io/atomic-write.js";

export { SealError } from "./errors.js";
export type { ErrorCode } from "./errors.js";
export type { FormatName } from "./formats/index.js";
export type { PlainValue } from "./tree/index.js";

export interface DecryptOptions {
  /** File format; default: by extension (decryptFile) or yaml (decrypt). */
  format?: FormatName;
  /** Environment to read keys from (default: process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Skip the MAC check (for damaged files). */
  ignoreMac?: boolean;
  /** Key types in the order to try, e.g. "age,kms". */
  decryptionOrder?: string;
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
  const env = opts.env ?? process.env;
  const bytes = typeof text === "string" ? Buffer.from(text, "utf8") : text;
  const { doc } = await openSealedBytes(bytes, {
    format: opts.format ?? "yaml",
    ctx: makeKeyContext(env),
    order: parseDecryptionOrder(opts.decryptionOrder ?? env.SOPS_DECRYPTION_ORDER),
    ...(opts.ignoreMac ? { ignoreMac: true } : {}),
  });
  try {
    return plainOf(doc.plain);
  } finally {
    closeDocument(doc);
  }
}

/**
 * Decrypts an encrypted file into a plain object.
 * @throws SealError FILE_NOT_FOUND and the errors of {@link decrypt}
 */
export async function decryptFile(path: string, opts: DecryptOptions = {}): Promise<Decrypted> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch {
    throw new SealError("FILE_NOT_FOUND", `${path}: no such file`);
  }
  return decrypt(bytes, { ...opts, format: opts.format ?? chooseFormat(undefined, path) });
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
 * Encrypts a plaintext file (in place unless `output` is given), atomically.
 * @throws SealError ALREADY_ENCRYPTED, NO_RECIPIENTS, NO_MATCHING_RULE, BAD_SYNTAX
 */
export async function encryptFile(path: string, opts: EncryptFileOptions = {}): Promise<void> {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const format = opts.format ?? chooseFormat(undefined, path);
  const config = loadConfig({ cwd, file: path, env });
  const age = Array.isArray(opts.age) ? opts.age.join(",") : opts.age;
  const choice = chooseRecipients({ age }, env, config, path, cwd);
  const keyGroups = await Promise.all(choice.groups.map((g) => Promise.all(g.map(keyFromSpec))));
  const sealed = await sealPlainBytes(readFileSync(path), {
    format,
    ctx: makeKeyContext(env),
    keyGroups,
    ...(choice.threshold ? { shamirThreshold: choice.threshold } : {}),
    ...(choice.cryptRule ? { cryptRule: choice.cryptRule } : {}),
    ...(choice.macOnlyEncrypted ? { macOnlyEncrypted: true } : {}),
    file: path,
  });
  writeFileAtomic(opts.output ?? path, sealed);
}
