/**
 * Owns: git's diff textconv for encrypted files, over bytes — the decrypted document when a key opens it,
 * otherwise the bytes as they are, so `git diff` shows plaintext to key holders and ciphertext to everyone
 * else and never fails. The plaintext only ever goes back to the caller (for stdout), never to disk.
 */
import { createHash } from "node:crypto";
import { isSealError, type SealError } from "../errors.js";
import { nameFor } from "../config.js";
import { closeDocument, openDocument, type OpenedDocument } from "../document/index.js";
import { parseSealed } from "../ops/sealed-file.js";
import { DEFAULT_DECRYPTION_ORDER } from "../keys/registry.js";
import type { FormatName, StoreOptions } from "../formats/index.js";
import type { KeyContext, KeyKind } from "../keys/types.js";

export interface TextconvOptions {
  readonly format: FormatName;
  readonly ctx: KeyContext;
  readonly file: string;
  readonly order?: readonly KeyKind[];
  readonly storeOptions?: StoreOptions;
  /** Key → name from `.sops.yaml` `recipients:`, to show who can open the file by name. */
  readonly names?: ReadonlyMap<string, string>;
  /**
   * Names for keys `names` does not know (e.g. from earlier versions of `.sops.yaml`), asked for only when
   * such a key is in the file, since finding them costs more than the current config.
   */
  readonly formerNames?: () => Promise<ReadonlyMap<string, string>>;
}

export interface TextconvResult {
  /** What git should diff: the plaintext document, or the input bytes unchanged. */
  readonly text: Uint8Array;
  readonly decrypted: boolean;
  /** Why the input was passed through, when that deserves a warning (not for "no key" or "not encrypted"). */
  readonly problem?: SealError;
}

/** Reasons to pass the bytes through silently: expected for people without a key, and for files a broad pattern matched that are not encrypted (or not even the format their name says). */
const QUIET: ReadonlySet<string> = new Set(["NO_USABLE_KEY", "KEY_FAILED", "NOT_ENCRYPTED", "BAD_SYNTAX"]);

/**
 * Renders an encrypted file for `git diff`. Never throws for a SealError: any failure yields the input
 * bytes, with `problem` set when the failure is not the ordinary "no key here" or "not encrypted".
 */
export async function textconv(bytes: Uint8Array, opts: TextconvOptions): Promise<TextconvResult> {
  try {
    const { store, tree, metadata } = parseSealed(bytes, opts.format, opts.file, opts.storeOptions);
    const doc = await openDocument(tree, metadata, { ctx: opts.ctx, order: opts.order ?? DEFAULT_DECRYPTION_ORDER, file: opts.file, readOnly: true });
    try {
      const names = await namesFor(doc, opts);
      const plain = store.emitPlain(doc.plain);
      const text = Buffer.concat([plain, ...(plain.length > 0 && plain[plain.length - 1] !== 0x0a ? [Buffer.from("\n")] : []), Buffer.from(accessLines(doc, names))]);
      plain.fill(0);
      return { text, decrypted: true };
    } finally {
      closeDocument(doc);
    }
  } catch (e) {
    if (!isSealError(e)) throw e;
    return QUIET.has(e.code) ? { text: bytes, decrypted: false } : { text: bytes, decrypted: false, problem: e };
  }
}

/** `opts.names`, plus the former names when some recipient of the file has no current name. */
async function namesFor(doc: OpenedDocument, opts: TextconvOptions): Promise<ReadonlyMap<string, string> | undefined> {
  const current = opts.names ?? new Map<string, string>();
  const unnamed = doc.keys.some((group) => group.some((k) => nameFor(current, k.id) === undefined));
  if (!unnamed || !opts.formerNames) return opts.names;
  const former = await opts.formerNames();
  return new Map([...former, ...current]);
}

/** Heads the lines about access, which follow the document in what git diffs (they are not in the file). */
export const ACCESS_HEADER = "# ---- sealfile: who can open this file (from its sops block; not part of the file) ----";

/**
 * A non-secret fingerprint of the data key: the first 8 bytes of SHA-256 over a label and the key. It
 * changes exactly when the data key does (rotate, revoke), so a reviewer sees that in the diff.
 */
export function dataKeyFingerprint(dataKey: Uint8Array): string {
  return createHash("sha256").update("sealfile data key fingerprint\0").update(dataKey).digest("hex").slice(0, 16);
}

/**
 * Lines appended to the plaintext for review: one per recipient (by name where `.sops.yaml` names it now or
 * named it in an earlier commit),
 * sorted so that adding or removing someone is a one-line change, the Shamir threshold when there is
 * one, and the data key's fingerprint.
 */
function accessLines(doc: OpenedDocument, names: ReadonlyMap<string, string> | undefined): string {
  const lines: string[] = [];
  doc.keys.forEach((group, g) => {
    const prefix = doc.keys.length > 1 ? `key group ${g + 1}: ` : "";
    for (const k of group) {
      const name = names ? nameFor(names, k.id) : undefined;
      lines.push(`# recipient: ${prefix}${name === undefined ? "" : `${name} `}${k.kind} ${k.id}`);
    }
  });
  lines.sort();
  if (doc.metadata.shamirThreshold > 1) lines.push(`# shamir threshold: ${doc.metadata.shamirThreshold} of ${doc.keys.length} key groups`);
  lines.push(`# data key: ${dataKeyFingerprint(doc.dataKey)} (a fingerprint; it changes when the data key is renewed)`);
  return `${ACCESS_HEADER}\n${lines.join("\n")}\n`;
}
