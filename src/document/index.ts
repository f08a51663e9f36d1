/**
 * Owns: the engine — decrypting a parsed (tree, metadata) and encrypting a plain tree into one, knowing
 * nothing of files, the CLI or git. Data keys are zeroed by the caller with `closeDocument` once done.
 */
import { IvStash } from "../crypto/iv-stash.js";
import { formatLastModified, macsEqual, openMac, sealMac } from "../crypto/mac.js";
import { SealError } from "../errors.js";
import { randomBytes } from "../crypto/random.js";
import { wipe } from "../crypto/wipe.js";
import type { KeyContext, KeyKind, MasterKey } from "../keys/types.js";
import type { CryptRule, Metadata } from "../metadata.js";
import { cloneTree, type Tree } from "../tree/index.js";
import { crypterFor } from "./crypt-rule.js";
import { DATA_KEY_BYTES, keysOf, unwrapDataKey, wrapDataKey } from "./data-key.js";
import { openValues, openValuesAllowingClear, sealValues } from "./values.js";
import { newMetadata, verifyMac } from "./metadata-mac.js";
import { openLayoutRecord, sealLayoutRecord } from "./layout-record.js";

export { aadOf, findClearValues, pathLabel } from "./values.js";
export { crypterFor } from "./crypt-rule.js";
export type { KeyFailure } from "./data-key.js";
export { keysOf, unwrapDataKey } from "./data-key.js";
export { openLargeValueDocument, sealLargeValueDocument } from "./large-value.js";

/** A decrypted document, holding what is needed to write it back with minimal changes. */
export interface OpenedDocument {
  plain: Tree;
  metadata: Metadata;
  dataKey: Uint8Array;
  /** IVs of every decrypted value, so unchanged values keep their ciphertext when re-encrypted (empty when opened `readOnly`). */
  stash: IvStash;
  keys: MasterKey[][];
  /** Kinds of the keys that opened the data key (for the audit log). */
  openedWith: KeyKind[];
}

export interface OpenOptions {
  readonly ctx: KeyContext;
  readonly order: readonly KeyKind[];
  readonly ignoreMac?: boolean;
  readonly names?: ReadonlyMap<string, string>;
  readonly file?: string;
  /**
   * The document will not be written back (decrypt, exec, diff): its values' IVs are not remembered, which
   * spares hashing every value. Re-encrypting such a document still works, with fresh IVs for every value.
   */
  readonly readOnly?: boolean;
}

/**
 * Unwraps the data key, decrypts a copy of `encrypted` with `open` (which also checks the MAC) and applies the
 * layout record; the data key is zeroed if anything fails.
 */
async function openTree<T>(
  encrypted: Tree,
  metadata: Metadata,
  opts: OpenOptions,
  open: (plain: Tree, dataKey: Uint8Array, stash: IvStash | undefined) => T,
): Promise<{ doc: OpenedDocument; opened: T }> {
  const keys = await keysOf(metadata);
  const openedWith: KeyKind[] = [];
  const dataKey = await unwrapDataKey(keys, metadata, { ...opts, openedWith });
  try {
    const plain = cloneTree(encrypted);
    const stash = new IvStash();
    const opened = open(plain, dataKey, opts.readOnly ? undefined : stash);
    openLayoutRecord(plain, dataKey, metadata);
    return { doc: { plain, metadata, dataKey, stash, keys, openedWith }, opened };
  } catch (e) {
    wipe(dataKey);
    throw e;
  }
}

/**
 * Decrypts an encrypted tree and verifies its MAC (in constant time) before returning any plaintext.
 * @throws SealError NO_USABLE_KEY, DECRYPT_VALUE_FAILED, MAC_MISMATCH
 */
export async function openDocument(encrypted: Tree, metadata: Metadata, opts: OpenOptions): Promise<OpenedDocument> {
  const { doc } = await openTree(encrypted, metadata, opts, (plain, dataKey, stash) => {
    const computed = openValues(plain, dataKey, crypterFor(metadata.cryptRule), metadata.macOnlyEncrypted, stash);
    if (!opts.ignoreMac) verifyMac(computed, metadata, dataKey, opts.file);
  });
  return doc;
}

/**
 * Opens a file in which some values the rule encrypts were written in clear (pasted by hand), for
 * `secrets encrypt --clear-values`: every encrypted value must open, and the MAC must match the tree either
 * with the clear values (they replaced values the MAC covered) or without them (they were added). Anything
 * else changed as well would fail both, so it is refused as a MAC mismatch.
 * @returns the document (clear values as plaintext) and the key paths that were in clear.
 * @throws SealError NO_USABLE_KEY, DECRYPT_VALUE_FAILED, MAC_MISMATCH
 */
export async function openPartlyEncrypted(encrypted: Tree, metadata: Metadata, opts: OpenOptions): Promise<{ doc: OpenedDocument; clear: string[][] }> {
  const { doc, opened } = await openTree(encrypted, metadata, opts, (plain, dataKey, stash) => {
    const found = openValuesAllowingClear(plain, dataKey, crypterFor(metadata.cryptRule), metadata.macOnlyEncrypted, stash);
    if (!opts.ignoreMac) {
      const where = opts.file ?? "the file";
      if (!metadata.mac) throw new SealError("MAC_MISMATCH", `${where} has no MAC`, { hint: "the sops block was damaged; restore the file from git" });
      const stored = openMac(metadata.mac, dataKey, metadata.lastModified);
      if (!macsEqual(stored, found.mac) && !macsEqual(stored, found.macWithoutClear)) {
        throw new SealError("MAC_MISMATCH", `MAC mismatch: ${where} has other changes besides the values in clear`, {
          hint: "restore it from git and add the new values with `secrets set` (or `secrets edit`)",
        });
      }
    }
    return found.clear;
  });
  return { doc, clear: opened };
}

/** Zeroes the data key of an opened document. */
export function closeDocument(doc: OpenedDocument): void {
  wipe(doc.dataKey);
}

export interface SealOptions {
  readonly ctx: KeyContext;
  /** Recipients, group by group (not yet wrapped). */
  readonly keyGroups: MasterKey[][];
  readonly shamirThreshold?: number;
  readonly cryptRule?: CryptRule;
  readonly macOnlyEncrypted?: boolean;
  readonly now?: Date;
  /** Keep the file's `extra` fields (sealfile_*) from a previous version. */
  readonly extra?: Record<string, string>;
}

/**
 * Encrypts a plain tree under a new data key for the given recipients.
 * @throws SealError NO_RECIPIENTS, ENCRYPT_FAILED, USAGE
 */
export async function sealDocument(plain: Tree, opts: SealOptions): Promise<{ tree: Tree; metadata: Metadata }> {
  const dataKey = randomBytes(DATA_KEY_BYTES);
  try {
    await wrapDataKey(dataKey, opts.keyGroups, opts.shamirThreshold ?? 0, opts.ctx);
    const now = opts.now ?? new Date();
    const metadata = newMetadata(opts, now);
    const tree = resealTree(plain, dataKey, metadata, undefined, now);
    return { tree, metadata };
  } finally {
    wipe(dataKey);
  }
}

/**
 * Re-encrypts a (possibly changed) plain tree with an opened document's data key and recipients, reusing
 * the IV — hence the exact ciphertext — of every value whose path, type and plaintext did not change.
 */
export function resealDocument(doc: OpenedDocument, plain: Tree, now = new Date()): { tree: Tree; metadata: Metadata } {
  const metadata: Metadata = { ...doc.metadata };
  const tree = resealTree(plain, doc.dataKey, metadata, doc.stash, now);
  return { tree, metadata };
}

function resealTree(plain: Tree, dataKey: Uint8Array, metadata: Metadata, stash: IvStash | undefined, now: Date): Tree {
  sealLayoutRecord(plain, dataKey, metadata);
  const tree = cloneTree(plain);
  const macHex = sealValues(tree, dataKey, crypterFor(metadata.cryptRule), metadata.macOnlyEncrypted, stash);
  metadata.lastModified = formatLastModified(now);
  metadata.mac = sealMac(macHex, dataKey, metadata.lastModified);
  return tree;
}
