/**
 * Owns: changing who can open a document — rotating its data key (every value re-encrypted, every
 * recipient re-wrapped, optionally adding/removing recipients) and updating its recipients to a wanted set
 * while keeping the data key (values, mac and lastmodified untouched). Knows nothing of files or the CLI.
 */
import { SealError } from "../errors.js";
import type { KeySpec } from "../config.js";
import { keyFromEntry, keyFromSpec, SUPPORTED_KINDS } from "../keys/registry.js";
import type { KeyContext, MasterKey } from "../keys/types.js";
import type { KeyRef, Metadata } from "../metadata.js";
import type { Tree } from "../tree/index.js";
import { wrapDataKey } from "./data-key.js";
import { sealDocument, type OpenedDocument } from "./index.js";
import { diffRecipients, entryIdentity, sameRecipient, specIdentity, type RecipientDiff } from "./recipient-diff.js";

export interface RotateOptions {
  readonly ctx: KeyContext;
  /** Recipients to add (to the first key group, as sops does). */
  readonly add?: readonly KeySpec[];
  /** Recipients to remove (from whichever group holds them). */
  readonly remove?: readonly KeySpec[];
  /**
   * Drop recipients of kinds sealfile cannot wrap for (hckms) instead of refusing.
   * Without it a file with such recipients is not rotated: dropping them silently would lock their owners out.
   */
  readonly dropUnsupported?: boolean;
  /** Replace every recipient with these (updatekeys --rotate); `add`/`remove` are then ignored. */
  readonly replaceWith?: WantedRecipients;
  readonly now?: Date;
}

export interface RotateResult {
  readonly tree: Tree;
  readonly metadata: Metadata;
  /** Things the caller may show (never secrets): dropped or unknown recipients. */
  readonly warnings: string[];
}

/**
 * Encrypts an opened document afresh: a new data key, new IVs for every value, every recipient re-wrapped.
 * `sealfile_rotated_at` is renewed; other `sealfile_*` fields are kept.
 * @throws SealError USAGE for unsupported recipients without `dropUnsupported`, or when a key group would be
 *         left empty; NO_RECIPIENTS, ENCRYPT_FAILED, KEY_FAILED from wrapping.
 */
export async function rotateDocument(doc: OpenedDocument, opts: RotateOptions): Promise<RotateResult> {
  const md = doc.metadata;
  const warnings: string[] = [];
  if (opts.replaceWith) {
    const keyGroups = await Promise.all(opts.replaceWith.keyGroups.map((g) => Promise.all(g.map(keyFromSpec))));
    return { ...(await sealAgain(doc, keyGroups, opts.replaceWith.shamirThreshold, opts)), warnings };
  }
  let groups: KeyRef[][] = md.keyGroups.map((g) => [...g]);
  for (const spec of opts.remove ?? []) {
    const before = groups.reduce((n, g) => n + g.length, 0);
    groups = groups.map((g) => g.filter((ref) => !sameRecipient(spec, ref)));
    if (groups.reduce((n, g) => n + g.length, 0) === before) warnings.push(`${specIdentity(spec)} is not a recipient of the file; nothing removed`);
  }
  const unsupported = groups.flat().filter((ref) => !SUPPORTED_KINDS.includes(ref.kind));
  if (unsupported.length > 0) {
    const names = unsupported.map(entryIdentity).join(", ");
    if (!opts.dropUnsupported) {
      throw new SealError("USAGE", `cannot re-wrap the new data key for ${names}: sealfile does not support that key type`, {
        hint: "rotate with sops, or pass --force to drop these recipients (their owners lose access)",
      });
    }
    warnings.push(`dropped ${names}: sealfile cannot wrap data keys for that key type`);
    groups = groups.map((g) => g.filter((ref) => SUPPORTED_KINDS.includes(ref.kind)));
  }
  if (groups.length > 1 && groups.some((g) => g.length === 0)) {
    throw new SealError("USAGE", "rotating would leave a key group without recipients", { hint: "remove the group with sops `groups delete`, or keep one recipient in it" });
  }
  const keyGroups: MasterKey[][] = await Promise.all(groups.map((g) => Promise.all(g.map((ref) => keyFromEntry(ref.kind, ref.entry)))));
  if (keyGroups.length === 0) keyGroups.push([]);
  for (const spec of opts.add ?? []) {
    if (groups.some((g) => g.some((ref) => sameRecipient(spec, ref)))) continue;
    keyGroups[0]!.push(await keyFromSpec(spec));
  }
  return { ...(await sealAgain(doc, keyGroups, md.shamirThreshold, opts)), warnings };
}

async function sealAgain(doc: OpenedDocument, keyGroups: MasterKey[][], threshold: number, opts: RotateOptions): Promise<{ tree: Tree; metadata: Metadata }> {
  const md = doc.metadata;
  const { tree, metadata } = await sealDocument(doc.plain, {
    ctx: opts.ctx,
    keyGroups,
    shamirThreshold: threshold,
    cryptRule: md.cryptRule,
    macOnlyEncrypted: md.macOnlyEncrypted,
    extra: md.extra,
    ...(opts.now ? { now: opts.now } : {}),
  });
  metadata.cryptRuleStored = md.cryptRuleStored;
  return { tree, metadata };
}

export interface WantedRecipients {
  readonly keyGroups: readonly (readonly KeySpec[])[];
  readonly shamirThreshold: number;
}

/**
 * The metadata with its recipients made equal to `wanted`, keeping the data key. With one key group the
 * entries of recipients that stay are kept byte for byte and only new ones are wrapped; when the group
 * layout changes (or there are several groups) every share is made anew, since another group's share cannot
 * be recovered from the data key. Values, `mac`, `lastmodified` and `sealfile_*` are untouched.
 * @returns the new metadata and the difference (unchanged metadata when already up to date).
 * @throws SealError USAGE for recipients sealfile cannot wrap for; NO_RECIPIENTS, ENCRYPT_FAILED, KEY_FAILED.
 */
export async function updateRecipients(md: Metadata, dataKey: Uint8Array, wanted: WantedRecipients, ctx: KeyContext): Promise<{ metadata: Metadata; diff: RecipientDiff }> {
  const diff = diffRecipients(md, wanted.keyGroups, wanted.shamirThreshold);
  if (diff.upToDate) return { metadata: md, diff };
  if (wanted.keyGroups.length === 0 || wanted.keyGroups.every((g) => g.length === 0)) {
    throw new SealError("NO_RECIPIENTS", "the creation rule names no recipients");
  }
  if (!diff.regrouped && md.keyGroups.length === 1) {
    const have = md.keyGroups[0]!;
    const want = wanted.keyGroups[0]!;
    const kept = have.filter((ref) => want.some((spec) => sameRecipient(spec, ref)));
    const fresh = await Promise.all(want.filter((spec) => !have.some((ref) => sameRecipient(spec, ref))).map(keyFromSpec));
    if (fresh.length > 0) await wrapDataKey(dataKey, [fresh], 0, ctx);
    const group: KeyRef[] = [...kept, ...fresh.map((k) => ({ kind: k.kind, entry: k.toMetadata() }))];
    return { metadata: { ...md, keyGroups: [group] }, diff };
  }
  const groups: MasterKey[][] = await Promise.all(
    wanted.keyGroups.map((want, g) =>
      Promise.all(
        want.map((spec) => {
          const old = (md.keyGroups[g] ?? []).find((ref) => sameRecipient(spec, ref));
          return old ? keyFromEntry(old.kind, old.entry) : keyFromSpec(spec);
        }),
      ),
    ),
  );
  await wrapDataKey(dataKey, groups, wanted.shamirThreshold, ctx);
  const keyGroups = groups.map((g) => g.map((k) => ({ kind: k.kind, entry: k.toMetadata() })));
  const shamirThreshold = keyGroups.length > 1 ? wanted.shamirThreshold || keyGroups.length : 0;
  return { metadata: { ...md, keyGroups, shamirThreshold }, diff };
}
