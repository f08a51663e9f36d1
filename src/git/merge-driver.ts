/**
 * Owns: the git merge driver's core, over bytes — open base/ours/theirs (each with its own data key),
 * merge their plaintext trees key by key, and re-encrypt the result keeping every unchanged ciphertext,
 * so `mac` and `lastmodified` never conflict. No files, no git, no printing; plaintext stays in memory.
 */
import { timingSafeEqual } from "node:crypto";
import { SealError, isSealError } from "../errors.js";
import { IvStash } from "../crypto/iv-stash.js";
import { closeDocument, openDocument, resealDocument, type OpenedDocument } from "../document/index.js";
import { insertMetadata } from "../metadata.js";
import { parseSealed } from "../ops/sealed-file.js";
import { DEFAULT_DECRYPTION_ORDER } from "../keys/registry.js";
import type { FormatName, Store, StoreOptions } from "../formats/index.js";
import type { KeyContext, KeyKind } from "../keys/types.js";
import type { Tree } from "../tree/index.js";
import { mergeTrees } from "./three-way.js";

export interface SealedMergeInput {
  /** The common ancestor; empty when the file was added on both sides (git passes an empty file). */
  readonly base: Uint8Array;
  readonly ours: Uint8Array;
  readonly theirs: Uint8Array;
}

export interface SealedMergeOptions {
  readonly format: FormatName;
  readonly ctx: KeyContext;
  /** The file's path in the repository, for messages. */
  readonly file: string;
  readonly order?: readonly KeyKind[];
  readonly storeOptions?: StoreOptions;
  readonly now?: Date;
}

/** Which side's data key and recipients the result is encrypted for. */
export type KeySide = "ours" | "theirs";

export type SealedMergeResult =
  | { readonly kind: "merged"; readonly bytes: Uint8Array; readonly keysFrom: KeySide }
  | { readonly kind: "conflict"; readonly paths: string[] }
  /** None of the versions is encrypted: the caller should fall back to an ordinary text merge. */
  | { readonly kind: "not-encrypted" };

/** Shown among conflicting paths when both sides re-keyed the file differently. */
export const KEYS_CONFLICT = "(sops metadata: both branches changed the recipients or the data key)";

export type Side = "base" | "ours" | "theirs";

/** Recalls an IV from the first stash that knows it. Only stashes made under the same data key may be chained. */
export class ChainedStash extends IvStash {
  readonly #sources: readonly IvStash[];
  constructor(sources: readonly IvStash[]) {
    super();
    this.#sources = sources;
  }
  override recall(aad: string, type: string, plain: Uint8Array): Uint8Array | undefined {
    for (const s of this.#sources) {
      const iv = s.recall(aad, type, plain);
      if (iv) return iv;
    }
    return undefined;
  }
}

function isEncrypted(bytes: Uint8Array, opts: SealedMergeOptions): boolean {
  try {
    parseSealed(bytes, opts.format, opts.file, opts.storeOptions);
    return true;
  } catch (e) {
    if (isSealError(e)) return false;
    throw e;
  }
}

export async function openSide(side: Side, bytes: Uint8Array, opts: SealedMergeOptions): Promise<{ doc: OpenedDocument; store: Store }> {
  try {
    const { store, tree, metadata } = parseSealed(bytes, opts.format, opts.file, opts.storeOptions);
    const doc = await openDocument(tree, metadata, { ctx: opts.ctx, order: opts.order ?? DEFAULT_DECRYPTION_ORDER, file: `${opts.file} (${side})` });
    return { doc, store };
  } catch (e) {
    if (!isSealError(e)) throw e;
    throw new SealError(e.code, `cannot merge ${opts.file}: the ${side} version cannot be opened: ${e.message}`, {
      exitCode: e.exitCode,
      hint: e.code === "NO_USABLE_KEY" ? "merging an encrypted file needs a key that opens all three versions; git leaves the conflict to you" : e.hint ?? "git leaves the conflict to you",
      cause: e,
    });
  }
}

export function sameDataKey(a: OpenedDocument, b: OpenedDocument): boolean {
  return a.dataKey.length === b.dataKey.length && timingSafeEqual(a.dataKey, b.dataKey);
}

function recipientsOf(doc: OpenedDocument): string {
  const groups = doc.keys.map((g) => g.map((k) => `${k.kind}:${k.id}`).sort().join(","));
  return `${doc.metadata.shamirThreshold}|${groups.join(";")}`;
}

function sameKeys(a: OpenedDocument, b: OpenedDocument): boolean {
  return sameDataKey(a, b) && recipientsOf(a) === recipientsOf(b);
}

/**
 * Decides whose data key and recipients the result gets: ours, unless only theirs re-keyed since the base
 * (so a rotation that removed someone is never undone by merging an older branch). Undefined when both
 * re-keyed differently.
 */
export function chooseKeySide(base: OpenedDocument | undefined, ours: OpenedDocument, theirs: OpenedDocument): KeySide | undefined {
  if (sameKeys(ours, theirs)) return "ours";
  if (!base) return "ours";
  const oursChanged = !sameKeys(base, ours);
  const theirsChanged = !sameKeys(base, theirs);
  if (theirsChanged && !oursChanged) return "theirs";
  if (oursChanged && !theirsChanged) return "ours";
  return undefined;
}

/**
 * Three-way merges an encrypted file. On success the bytes are the merged file encrypted for the chosen
 * side's recipients, with every value unchanged from that side — or from the other side when it shares the
 * data key — keeping its exact ciphertext; only the changed values, `mac` and `lastmodified` differ.
 * @throws SealError NO_USABLE_KEY, MAC_MISMATCH, DECRYPT_VALUE_FAILED, BAD_SYNTAX, BAD_METADATA (naming the
 *   version that failed); NOT_ENCRYPTED when some versions are encrypted and others are not.
 */
export async function mergeSealed(input: SealedMergeInput, opts: SealedMergeOptions): Promise<SealedMergeResult> {
  const hasBase = input.base.length > 0;
  const sides: Array<[Side, Uint8Array]> = [["ours", input.ours], ["theirs", input.theirs], ...(hasBase ? [["base", input.base] as [Side, Uint8Array]] : [])];
  const encrypted = sides.map(([side, bytes]) => [side, isEncrypted(bytes, opts)] as const);
  if (encrypted.every(([, e]) => !e)) return { kind: "not-encrypted" };
  const clear = encrypted.filter(([, e]) => !e).map(([s]) => s);
  if (clear.length > 0) {
    throw new SealError("NOT_ENCRYPTED", `cannot merge ${opts.file}: the ${clear.join(" and ")} version${clear.length > 1 ? "s are" : " is"} not encrypted`, {
      hint: "merge it by hand, then encrypt the result with `secrets encrypt -i`",
    });
  }
  const opened: Partial<Record<Side, { doc: OpenedDocument; store: Store }>> = {};
  try {
    // One after another: a passphrase prompt or a KMS call is then made once and cached for the others.
    for (const [side, bytes] of sides) opened[side] = await openSide(side, bytes, opts);
    const ours = opened.ours!;
    const theirs = opened.theirs!;
    const base = opened.base;
    const baseTree: Tree = base?.doc.plain ?? { branches: ours.doc.plain.branches.map(() => ({ kind: "map", items: [] })) };
    const merged = mergeTrees(baseTree, ours.doc.plain, theirs.doc.plain);
    const keySide = chooseKeySide(base?.doc, ours.doc, theirs.doc);
    const paths = [...(merged.ok ? [] : merged.conflicts), ...(keySide === undefined ? [KEYS_CONFLICT] : [])];
    if (!merged.ok || keySide === undefined) return { kind: "conflict", paths };
    const target = keySide === "ours" ? ours : theirs;
    const other = keySide === "ours" ? theirs : ours;
    const stashes = [target.doc.stash, ...(sameDataKey(target.doc, other.doc) ? [other.doc.stash] : [])];
    // The result is the target side's file, edited: keep that file's own layout record, if its format has one.
    const layout = target.doc.plain.layout;
    const plain: Tree = layout === undefined ? merged.tree : { ...merged.tree, layout };
    const { tree, metadata } = resealDocument({ ...target.doc, stash: new ChainedStash(stashes) }, plain, opts.now);
    insertMetadata(tree, metadata, target.store.metadataLayout);
    return { kind: "merged", bytes: target.store.emitEncrypted(tree), keysFrom: keySide };
  } finally {
    for (const o of Object.values(opened)) if (o) closeDocument(o.doc);
  }
}
