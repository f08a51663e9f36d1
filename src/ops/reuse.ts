/**
 * Owns: re-encrypting plaintext without churn — finding the sealed version of a file (`--reuse FILE`, the
 * output target when it is sealed, else the same path at git `HEAD`) and resealing the new plaintext with
 * that version's data key, recipients and settings, so every value whose path, type and plaintext did not
 * change keeps its exact ciphertext (IV included). Only changed values, `mac` and `lastmodified` differ.
 * A version is reused only while its recipients and encryption rule are the ones a fresh encryption would
 * use: someone removed from `.sops.yaml` must not keep reading new secrets through an old data key.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { SealError, isSealError } from "../errors.js";
import { sealedFormatOf, storeFor, type FormatName, type StoreOptions } from "../formats/index.js";
import { closeDocument } from "../document/index.js";
import { mayBeInRepository, runGit } from "../git/run-git.js";
import type { KeyContext, KeyKind } from "../keys/types.js";
import { checkEncryptable, openSealedBytes, parseSealed, resealToBytes } from "./sealed-file.js";
import { readInputFile } from "./read-input.js";
import { diffRecipients, type RecipientDiff } from "../document/recipient-diff.js";
import { sameRule, storedRule, type EncryptionRule } from "../document/rule-strength.js";
import type { WantedRecipients } from "../document/rekey.js";

export interface SealedVersion {
  readonly bytes: Uint8Array;
  /** Where it came from, for messages: a path, or `HEAD:path`. */
  readonly source: string;
}

export interface FindVersionOptions {
  /** `--reuse FILE`; `false` for `--no-reuse`. */
  readonly reuse: string | false | undefined;
  /** The file being written (the `--output` target, or the input for `-i` and stdout). */
  readonly target: string | undefined;
  readonly cwd: string;
  /** Format of the encrypted output. */
  readonly format: FormatName;
  /** The target's content when the caller has read it already (encrypting a file to stdout): not read twice. */
  readonly targetBytes?: Uint8Array;
  readonly storeOptions?: StoreOptions;
}

function isSealed(bytes: Uint8Array, format: FormatName, storeOptions?: StoreOptions): boolean {
  // Every sealed file names its `sops` metadata, and a JSON envelope starts with "{": this spares decoding a
  // large plaintext (the input itself, when encrypting to stdout) into a string only to find it is not sealed.
  const sealedFormat = sealedFormatOf(format, bytes);
  if (!Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes("sops")) return false;
  if ((sealedFormat === "json" || sealedFormat === "binary") && !startsWithBrace(bytes)) return false;
  try {
    parseSealed(bytes, sealedFormat, undefined, storeOptions);
    return true;
  } catch {
    return false;
  }
}

/** True when the first byte after JSON whitespace (and a UTF-8 BOM, which the JSON reader skips) is "{". */
function startsWithBrace(bytes: Uint8Array): boolean {
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d) i++;
  return bytes[i] === 0x7b;
}

/** The target's content at `HEAD`, or undefined outside a repository or when HEAD does not hold it. */
async function fromHead(path: string): Promise<Uint8Array | undefined> {
  if (!mayBeInRepository(dirname(path))) return undefined;
  try {
    return await runGit(["show", `HEAD:./${basename(path)}`], { cwd: dirname(path) });
  } catch {
    return undefined;
  }
}

/**
 * Finds the sealed version to reuse: `--reuse FILE` when given; else the target when it exists and is
 * sealed; else, inside a git repository, the target's path at `HEAD` when sealed there.
 * @throws SealError FILE_NOT_FOUND when `--reuse FILE` does not exist; NOT_ENCRYPTED when it is not sealed.
 */
export async function findSealedVersion(opts: FindVersionOptions): Promise<SealedVersion | undefined> {
  if (opts.reuse === false) return undefined;
  if (typeof opts.reuse === "string") {
    const path = resolve(opts.cwd, opts.reuse);
    if (!existsSync(path)) throw new SealError("FILE_NOT_FOUND", `${opts.reuse}: no such file (given with --reuse)`);
    const bytes = readInputFile(opts.reuse, undefined, opts.cwd);
    if (!isSealed(bytes, opts.format, opts.storeOptions)) {
      throw new SealError("NOT_ENCRYPTED", `${opts.reuse} is not an encrypted ${opts.format} file (given with --reuse)`);
    }
    return { bytes, source: opts.reuse };
  }
  if (!opts.target || opts.target === "-") return undefined;
  const path = resolve(opts.cwd, opts.target);
  // Only a regular file is read: the target may be a FIFO or a device (`--output /dev/stdout`).
  if (opts.targetBytes || statSync(path, { throwIfNoEntry: false })?.isFile()) {
    const bytes = opts.targetBytes ?? readFileSync(path);
    if (isSealed(bytes, opts.format, opts.storeOptions)) return { bytes, source: opts.target };
  }
  const head = await fromHead(path);
  if (head && isSealed(head, opts.format, opts.storeOptions)) return { bytes: head, source: `HEAD:${opts.target}` };
  return undefined;
}

export interface ReuseOptions {
  readonly inputFormat: FormatName;
  readonly outputFormat: FormatName;
  readonly inputStoreOptions?: StoreOptions;
  readonly outputStoreOptions?: StoreOptions;
  readonly ctx: KeyContext;
  readonly order: readonly KeyKind[];
  readonly names?: ReadonlyMap<string, string>;
  /** The plaintext's name, for messages. */
  readonly file?: string;
  /**
   * What a fresh encryption would use now. `recipients` is absent when none can be chosen (no flags and no
   * `.sops.yaml`): then only the rule is compared.
   */
  readonly wanted: { readonly recipients: WantedRecipients | undefined; readonly rule: EncryptionRule };
}

/**
 * Either the resealed bytes, or why the sealed version was not used (encrypt fresh then). `changed`: it could
 * be used, but its recipients or rule are no longer the wanted ones (a note, not a failure).
 */
export type ReuseOutcome = { readonly sealed: Uint8Array } | { readonly fresh: string; readonly changed?: boolean };

function describeRecipientChange(diff: RecipientDiff): string {
  const parts: string[] = [];
  if (diff.removed.length > 0) parts.push(`removed: ${diff.removed.map((r) => r.id).join(", ")}`);
  if (diff.added.length > 0) parts.push(`added: ${diff.added.map((a) => a.id).join(", ")}`);
  if (diff.regrouped) parts.push("key groups or threshold changed");
  return parts.join("; ");
}

/** Why `version` must not be reused for the wanted recipients and rule, or undefined when it may. */
function reasonNotToReuse(bytes: Uint8Array, version: SealedVersion, opts: ReuseOptions): string | undefined {
  const { metadata } = parseSealed(bytes, opts.outputFormat, version.source, opts.outputStoreOptions);
  const { recipients, rule } = opts.wanted;
  if (recipients) {
    const diff = diffRecipients(metadata, recipients.keyGroups, recipients.shamirThreshold);
    if (!diff.upToDate) return `recipients changed since ${version.source} (${describeRecipientChange(diff)})`;
  }
  // sops ignores encryption rules for binary files: the whole file is one encrypted value.
  if (opts.outputFormat !== "binary" && !sameRule(storedRule(metadata), rule)) {
    return `the encryption rule changed since ${version.source} (it had ${metadata.cryptRule.kind}${metadata.macOnlyEncrypted ? " and mac_only_encrypted" : ""})`;
  }
  return undefined;
}

/** Errors of the old version that mean "cannot reuse it", as opposed to errors of the new plaintext. */
const CANNOT_OPEN = new Set(["NO_USABLE_KEY", "KEY_FAILED", "MAC_MISMATCH", "MAC_NOT_FOUND", "DECRYPT_VALUE_FAILED", "BAD_METADATA", "BAD_SYNTAX", "NOT_ENCRYPTED"]);

/**
 * Encrypts `plainBytes` reusing `version`'s data key, recipients, encryption rule and unchanged ciphertexts,
 * when those recipients and that rule are still the wanted ones.
 * @throws SealError BAD_SYNTAX, NEED_DOCUMENT or ALREADY_ENCRYPTED for the new plaintext; other failures to open the old
 * version are returned as `{fresh: reason}`.
 */
export async function resealFromVersion(plainBytes: Uint8Array, version: SealedVersion, opts: ReuseOptions): Promise<ReuseOutcome> {
  const inStore = storeFor(opts.inputFormat, opts.inputStoreOptions);
  const plain = inStore.parsePlain(plainBytes);
  checkEncryptable(plain, inStore, opts.inputFormat, opts.file);
  if (sealedFormatOf(opts.outputFormat, version.bytes) !== opts.outputFormat) {
    return { fresh: `${version.source} is in another format` };
  }
  let opened;
  try {
    const changed = reasonNotToReuse(version.bytes, version, opts);
    if (changed) return { fresh: changed, changed: true };
    opened = await openSealedBytes(version.bytes, {
      format: opts.outputFormat,
      ctx: opts.ctx,
      order: opts.order,
      file: version.source,
      ...(opts.names ? { names: opts.names } : {}),
      ...(opts.outputStoreOptions ? { storeOptions: opts.outputStoreOptions } : {}),
    });
  } catch (e) {
    if (isSealError(e) && CANNOT_OPEN.has(e.code)) return { fresh: `cannot open ${version.source} (${e.code})` };
    throw e;
  }
  try {
    return { sealed: resealToBytes(opened.doc, plain, opened.store) };
  } finally {
    closeDocument(opened.doc);
  }
}
