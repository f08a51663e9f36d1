/**
 * Owns: rotate and updatekeys on a file's bytes — parse, open, re-key, emit — shared by the CLI (one file
 * or a whole repository) and the library. No argv, no printing, no writing.
 */
import type { FormatName } from "../formats/index.js";
import { insertMetadata } from "../metadata.js";
import { closeDocument, openDocument } from "../document/index.js";
import { rotateDocument, updateRecipients, type WantedRecipients } from "../document/rekey.js";
import { diffRecipients, type RecipientDiff } from "../document/recipient-diff.js";
import type { KeySpec } from "../config.js";
import { DEFAULT_DECRYPTION_ORDER } from "../keys/registry.js";
import { parseSealed, type OpenBytesOptions } from "./sealed-file.js";
import { settleRule, type RuleCheck } from "./creation-rule.js";

/**
 * How to open the file (`names`: recipients' names, shown when no key opens it); the MAC is always checked.
 * `rule`: the creation rule the file is held to (a `sops` block that encrypts less is refused, or fixed).
 */
export type RekeyFileOptions = Omit<OpenBytesOptions, "ignoreMac"> & { readonly rule?: RuleCheck };

/**
 * A file encrypted afresh: new data key, every value re-encrypted, every recipient re-wrapped.
 * With `rule.fix` a file whose stored rule encrypts less than its creation rule is re-encrypted under it.
 * @throws SealError NOT_ENCRYPTED, NO_USABLE_KEY, MAC_MISMATCH, USAGE (unsupported recipients), ENCRYPT_FAILED,
 *         WEAK_ENCRYPTION_RULE
 */
export async function rotateBytes(
  bytes: Uint8Array,
  opts: RekeyFileOptions & { add?: readonly KeySpec[]; remove?: readonly KeySpec[]; dropUnsupported?: boolean; replaceWith?: WantedRecipients; now?: Date },
): Promise<{ bytes: Uint8Array; warnings: string[] }> {
  const { store, tree, metadata } = parseSealed(bytes, opts.format, opts.file, opts.storeOptions);
  const doc = await openDocument(tree, metadata, { ctx: opts.ctx, order: opts.order ?? DEFAULT_DECRYPTION_ORDER, ...(opts.file ? { file: opts.file } : {}), ...(opts.names ? { names: opts.names } : {}) });
  try {
    const settled = settleRule([doc.plain], doc.metadata, opts.rule, opts.file);
    const out = await rotateDocument(settled === doc.metadata ? doc : { ...doc, metadata: settled }, {
      ctx: opts.ctx,
      ...(opts.add ? { add: opts.add } : {}),
      ...(opts.remove ? { remove: opts.remove } : {}),
      ...(opts.dropUnsupported ? { dropUnsupported: true } : {}),
      ...(opts.replaceWith ? { replaceWith: opts.replaceWith } : {}),
      ...(opts.now ? { now: opts.now } : {}),
    });
    insertMetadata(out.tree, out.metadata, store.metadataLayout);
    return { bytes: store.emitEncrypted(out.tree), warnings: out.warnings };
  } finally {
    closeDocument(doc);
  }
}

/**
 * How a file's recipients differ from `wanted`, read from its metadata alone (no key needed).
 * With `rule`, a file whose stored rule encrypts less than its creation rule is refused (never fixed here:
 * updating recipients keeps every value as it is).
 * @throws SealError NOT_ENCRYPTED, BAD_METADATA, BAD_SYNTAX, WEAK_ENCRYPTION_RULE
 */
export function planUpdateKeys(bytes: Uint8Array, format: FormatName, wanted: WantedRecipients, file?: string, rule?: RuleCheck): RecipientDiff {
  const { tree, metadata } = parseSealed(bytes, format, file);
  settleRule([tree], metadata, rule && { ...rule, fix: false }, file);
  return diffRecipients(metadata, wanted.keyGroups, wanted.shamirThreshold);
}

/**
 * The file with its recipients made equal to `wanted`. The data key is kept, so every value, `mac` and
 * `lastmodified` stay byte-identical; only key entries change. The MAC is verified first, so a damaged file is
 * never re-keyed. Returns undefined when nothing changes.
 * @throws SealError NOT_ENCRYPTED, NO_USABLE_KEY, MAC_MISMATCH, USAGE, ENCRYPT_FAILED, WEAK_ENCRYPTION_RULE (with
 *         `rule`; never fixed here)
 */
export async function updateKeysBytes(bytes: Uint8Array, wanted: WantedRecipients, opts: RekeyFileOptions): Promise<{ bytes: Uint8Array; diff: RecipientDiff } | undefined> {
  const { store, tree, metadata } = parseSealed(bytes, opts.format, opts.file, opts.storeOptions);
  settleRule([tree], metadata, opts.rule && { ...opts.rule, fix: false }, opts.file);
  const doc = await openDocument(tree, metadata, { ctx: opts.ctx, order: opts.order ?? DEFAULT_DECRYPTION_ORDER, ...(opts.file ? { file: opts.file } : {}), ...(opts.names ? { names: opts.names } : {}) });
  try {
    const { metadata: updated, diff } = await updateRecipients(metadata, doc.dataKey, wanted, opts.ctx);
    if (diff.upToDate) return undefined;
    // `tree` is still the encrypted tree as parsed (openDocument works on a copy): values are emitted as they were.
    insertMetadata(tree, updated, store.metadataLayout);
    return { bytes: store.emitEncrypted(tree), diff };
  } finally {
    closeDocument(doc);
  }
}
