/**
 * Owns: the file-level operations shared by the CLI and the library: bytes + format → opened document,
 * and plain bytes + recipients → encrypted bytes. No argv, no printing.
 */
import { isSealError, SealError } from "../errors.js";
import { storeFor, type FormatName, type Store, type StoreOptions } from "../formats/index.js";
import { extractMetadata, hasMetadata, insertMetadata, type CryptRule } from "../metadata.js";
import { closeDocument, openDocument, openLargeValueDocument, openPartlyEncrypted, resealDocument, sealDocument, sealLargeValueDocument, type OpenedDocument } from "../document/index.js";
import { BinaryStore } from "../formats/binary.js";
import type { KeyContext, KeyKind, MasterKey } from "../keys/types.js";
import { DEFAULT_DECRYPTION_ORDER } from "../keys/registry.js";
import type { Tree } from "../tree/index.js";
import { settleRule, type RuleCheck } from "./creation-rule.js";

export interface OpenBytesOptions {
  readonly format: FormatName;
  readonly ctx: KeyContext;
  readonly order?: readonly KeyKind[];
  readonly ignoreMac?: boolean;
  readonly file?: string;
  readonly names?: ReadonlyMap<string, string>;
  readonly storeOptions?: StoreOptions;
  /** The document will not be written back: see OpenOptions.readOnly. */
  readonly readOnly?: boolean;
}

/** Parses an encrypted file and its metadata without decrypting anything. */
export function parseSealed(bytes: Uint8Array, format: FormatName, file?: string, storeOptions?: StoreOptions): { store: Store; tree: Tree; metadata: NonNullable<ReturnType<typeof extractMetadata>> } {
  const store = storeFor(format, storeOptions);
  const tree = parseEncryptedText(store, bytes);
  const metadata = extractMetadata(tree, store.metadataLayout);
  if (!metadata) {
    throw new SealError("NOT_ENCRYPTED", `${file ?? "the input"} is not encrypted (it has no sops metadata)`, {
      hint: "encrypt it with `secrets encrypt`, or check --input-type",
    });
  }
  return { store, tree, metadata };
}

/** sops exits 1 when an encrypted file does not parse (a store error, main.go:889), unlike plaintext (2). */
function parseEncryptedText(store: Store, bytes: Uint8Array): Tree {
  try {
    return store.parseEncrypted(bytes);
  } catch (e) {
    if (isSealError(e, "BAD_SYNTAX") && e.exitCode !== 1) {
      throw new SealError("BAD_SYNTAX", e.message, { hint: e.hint ?? "the encrypted file was damaged, or --input-type names the wrong format", cause: e, exitCode: 1, ...(e.details ? { details: { ...e.details } } : {}) });
    }
    throw e;
  }
}

/**
 * Decrypts an encrypted file's bytes.
 * @throws SealError NOT_ENCRYPTED, BAD_SYNTAX, BAD_METADATA, NO_USABLE_KEY, DECRYPT_VALUE_FAILED, MAC_MISMATCH
 */
export async function openSealedBytes(bytes: Uint8Array, opts: OpenBytesOptions): Promise<{ doc: OpenedDocument; store: Store }> {
  const openOptions = {
    ctx: opts.ctx,
    order: opts.order ?? DEFAULT_DECRYPTION_ORDER,
    ...(opts.ignoreMac ? { ignoreMac: true } : {}),
    ...(opts.file ? { file: opts.file } : {}),
    ...(opts.names ? { names: opts.names } : {}),
    ...(opts.readOnly ? { readOnly: true } : {}),
  };
  if (opts.format === "binary") {
    const opened = await openBinaryData(bytes, new BinaryStore(opts.storeOptions), openOptions);
    if (opened) return opened;
  }
  const { store, tree, metadata } = parseSealed(bytes, opts.format, opts.file, opts.storeOptions);
  const doc = await openDocument(tree, metadata, openOptions);
  return { doc, store };
}

/**
 * A binary file's `data` decrypted straight from the file's bytes, never a string (a file may be hundreds
 * of MB); `undefined` when the file is not in the plain shape this needs, before any key is used.
 */
async function openBinaryData(bytes: Uint8Array, store: BinaryStore, opts: Parameters<typeof openLargeValueDocument>[4]): Promise<{ doc: OpenedDocument; store: Store } | undefined> {
  const located = store.locateData(bytes);
  if (!located) return undefined;
  const metadata = extractMetadata(located.tree, store.metadataLayout);
  if (!metadata) return undefined;
  const doc = await openLargeValueDocument(located.tree, metadata, "data", bytes.subarray(located.start, located.end), opts);
  return doc ? { doc, store } : undefined;
}

export interface SealBytesOptions {
  readonly format: FormatName;
  /** Format of the encrypted output (default: the input format). */
  readonly outputFormat?: FormatName;
  readonly ctx: KeyContext;
  readonly keyGroups: MasterKey[][];
  readonly shamirThreshold?: number;
  readonly cryptRule?: CryptRule;
  readonly macOnlyEncrypted?: boolean;
  readonly file?: string;
  readonly storeOptions?: StoreOptions;
}

/**
 * Refuses plaintext sops would not encrypt (cmd/sops/encrypt.go validateFileForEncryption): no document
 * at all (an empty YAML file), or a file that already carries a metadata block.
 * @throws SealError NEED_DOCUMENT (exit 92), ALREADY_ENCRYPTED (exit 203)
 */
export function checkEncryptable(plain: Tree, store: Store, format: FormatName, file: string | undefined): void {
  if (plain.branches.length === 0) {
    throw new SealError("NEED_DOCUMENT", `${file ?? "the input"} is empty: there must be at least one document to encrypt`, {
      hint: "write at least one key (e.g. `key: value`), or `{}` for an empty map",
    });
  }
  if (format !== "binary" && hasMetadata(plain, store.metadataLayout)) {
    throw new SealError("ALREADY_ENCRYPTED", `${file ?? "the input"} is already encrypted`, { hint: "use `secrets edit` or `secrets rotate` instead" });
  }
}

/**
 * Encrypts a plaintext file's bytes for the given recipients.
 * @throws SealError NEED_DOCUMENT (exit 92), ALREADY_ENCRYPTED (exit 203), BAD_SYNTAX, CANNOT_EMIT, NO_RECIPIENTS, ENCRYPT_FAILED
 */
export async function sealPlainBytes(bytes: Uint8Array, opts: SealBytesOptions): Promise<Uint8Array> {
  const binaryOut = (opts.outputFormat ?? opts.format) === "binary";
  if (opts.format === "binary" && binaryOut && bytes.length > 0) return sealBinaryData(bytes, opts);
  const store = storeFor(opts.format, opts.storeOptions);
  const plain = store.parsePlain(bytes);
  checkEncryptable(plain, store, opts.format, opts.file);
  const out = opts.outputFormat && opts.outputFormat !== opts.format ? storeFor(opts.outputFormat, opts.storeOptions) : store;
  // A value the output format cannot write back (a dotenv value no dotenv line can hold) is refused now,
  // not found on decrypt. YAML and binary hold every value, so their (larger) files skip the extra pass.
  if (out.name !== "yaml" && out.name !== "binary") out.emitPlain(plain);
  // sops ignores suffix/regex rules for binary files: the whole file is one encrypted value.
  const binary = opts.format === "binary";
  const { tree, metadata } = await sealDocument(plain, {
    ctx: opts.ctx,
    keyGroups: opts.keyGroups,
    ...(opts.shamirThreshold ? { shamirThreshold: opts.shamirThreshold } : {}),
    ...(opts.cryptRule && !binary ? { cryptRule: opts.cryptRule } : {}),
    ...(opts.macOnlyEncrypted && !binary ? { macOnlyEncrypted: true } : {}),
  });
  if (binary) metadata.cryptRuleStored = false;
  insertMetadata(tree, metadata, out.metadataLayout);
  return out.emitEncrypted(tree);
}

/**
 * A binary file encrypted straight into its JSON envelope: the file is `data`, encrypted into the output's
 * bytes piece by piece, with no copy of the plaintext and no string of the ciphertext (a file may be
 * hundreds of MB). sops ignores suffix/regex rules for binary files. `bytes` is the caller's.
 */
async function sealBinaryData(bytes: Uint8Array, opts: SealBytesOptions): Promise<Uint8Array> {
  const store = new BinaryStore(opts.storeOptions);
  const sealOptions = { ctx: opts.ctx, keyGroups: opts.keyGroups, ...(opts.shamirThreshold ? { shamirThreshold: opts.shamirThreshold } : {}) };
  return sealLargeValueDocument("data", bytes, sealOptions, (tree, metadata, length) => {
    metadata.cryptRuleStored = false;
    insertMetadata(tree, metadata, store.metadataLayout);
    return store.emitEncryptedAround(tree, length);
  });
}

/**
 * Writes an opened document back after its plain tree changed, keeping unchanged ciphertexts. With `rule`,
 * the new tree is first held to the creation rule (see {@link settleRule}).
 * @throws SealError WEAK_ENCRYPTION_RULE
 */
export function resealToBytes(doc: OpenedDocument, plain: Tree, store: Store, rule?: { readonly check: RuleCheck | undefined; readonly file?: string | undefined }): Uint8Array {
  const settled = settleRule([plain], doc.metadata, rule?.check, rule?.file);
  const { tree, metadata } = resealDocument(settled === doc.metadata ? doc : { ...doc, metadata: settled }, plain);
  insertMetadata(tree, metadata, store.metadataLayout);
  return store.emitEncrypted(tree);
}

/**
 * Encrypts the values of an encrypted file that were written in clear, under the file's own data key:
 * every other value keeps its exact ciphertext, so the change is those lines plus `mac` and `lastmodified`.
 * @returns the new bytes and the key paths that were in clear (none: `bytes` is returned as it is).
 * @throws SealError NOT_ENCRYPTED, BAD_SYNTAX, BAD_METADATA, NO_USABLE_KEY, DECRYPT_VALUE_FAILED, MAC_MISMATCH
 */
export async function encryptClearValues(bytes: Uint8Array, opts: OpenBytesOptions & { now?: Date }): Promise<{ bytes: Uint8Array; clear: string[][] }> {
  const { store, tree, metadata } = parseSealed(bytes, opts.format, opts.file, opts.storeOptions);
  const { doc, clear } = await openPartlyEncrypted(tree, metadata, {
    ctx: opts.ctx,
    order: opts.order ?? DEFAULT_DECRYPTION_ORDER,
    ...(opts.file ? { file: opts.file } : {}),
    ...(opts.names ? { names: opts.names } : {}),
  });
  try {
    if (clear.length === 0) return { bytes, clear };
    const sealed = resealDocument(doc, doc.plain, opts.now);
    insertMetadata(sealed.tree, sealed.metadata, store.metadataLayout);
    return { bytes: store.emitEncrypted(sealed.tree), clear };
  } finally {
    closeDocument(doc);
  }
}
