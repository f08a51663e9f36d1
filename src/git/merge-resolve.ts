/**
 * Owns: resolving a conflict the merge driver left — the plaintext with both sides of each conflicting key
 * marked (everything else already merged), and sealing the resolved text like the driver seals a clean
 * merge: the chosen side's data key and recipients, unchanged values keeping their ciphertext. No files, no
 * editor; the plaintext only goes back to the caller.
 */
import { closeDocument, resealDocument, type OpenedDocument } from "../document/index.js";
import { insertMetadata } from "../metadata.js";
import type { Store } from "../formats/index.js";
import type { Tree } from "../tree/index.js";
import type { ConflictVersions } from "./conflict-file.js";
import { assertNoMarkers, markConflicts } from "./conflict-text.js";
import { ChainedStash, chooseKeySide, openSide, sameDataKey, type KeySide, type SealedMergeOptions, type Side } from "./merge-driver.js";
import { mergeTreesPreferring } from "./three-way.js";

export interface ConflictSession {
  /** The merged plaintext with `<<<<<<< ours` / `=======` / `>>>>>>> theirs` around each conflicting run. */
  readonly text: Uint8Array;
  /** The conflicting key paths. */
  readonly conflicts: readonly string[];
  /** Whose recipients and data key the result gets. */
  readonly keysFrom: KeySide;
  /**
   * The resolved text, encrypted.
   * @throws SealError BAD_SYNTAX when a marker is left or the text does not parse.
   */
  seal(resolved: Uint8Array, now?: Date): Uint8Array;
  /** Zeroes the data keys. */
  close(): void;
}

/**
 * Opens the three versions of a conflicted file.
 * @throws SealError NO_USABLE_KEY, MAC_MISMATCH, DECRYPT_VALUE_FAILED, BAD_SYNTAX, BAD_METADATA (naming the version).
 */
export async function openConflict(v: ConflictVersions, opts: SealedMergeOptions): Promise<ConflictSession> {
  const opened: Partial<Record<Side, { doc: OpenedDocument; store: Store }>> = {};
  const close = (): void => {
    for (const o of Object.values(opened)) if (o) closeDocument(o.doc);
  };
  try {
    opened.ours = await openSide("ours", v.ours, opts);
    opened.theirs = await openSide("theirs", v.theirs, opts);
    if (v.base.length > 0) opened.base = await openSide("base", v.base, opts);
  } catch (e) {
    close();
    throw e;
  }
  const ours = opened.ours;
  const theirs = opened.theirs;
  const base = opened.base;
  const baseTree: Tree = base?.doc.plain ?? { branches: ours.doc.plain.branches.map(() => ({ kind: "map", items: [] })) };
  // Both re-keyed differently: keep ours; the user sees it in the conflicts list.
  const keysFrom = chooseKeySide(base?.doc, ours.doc, theirs.doc) ?? "ours";
  const target = keysFrom === "ours" ? ours : theirs;
  const other = keysFrom === "ours" ? theirs : ours;
  const layout = target.doc.plain.layout;
  const emit = (t: Tree): string => Buffer.from(target.store.emitPlain(layout === undefined ? t : { ...t, layout })).toString("utf8");
  const preferOurs = mergeTreesPreferring(baseTree, ours.doc.plain, theirs.doc.plain, "ours");
  const preferTheirs = mergeTreesPreferring(baseTree, ours.doc.plain, theirs.doc.plain, "theirs");
  const text = Buffer.from(markConflicts(emit(preferOurs.tree), emit(preferTheirs.tree)), "utf8");
  return {
    text,
    conflicts: preferOurs.conflicts,
    keysFrom,
    seal(resolved, now) {
      assertNoMarkers(Buffer.from(resolved).toString("utf8"));
      const plain = target.store.parsePlain(resolved);
      const stashes = [target.doc.stash, ...(sameDataKey(target.doc, other.doc) ? [other.doc.stash] : [])];
      const { tree, metadata } = resealDocument({ ...target.doc, stash: new ChainedStash(stashes) }, plain, now);
      insertMetadata(tree, metadata, target.store.metadataLayout);
      return target.store.emitEncrypted(tree);
    },
    close,
  };
}
