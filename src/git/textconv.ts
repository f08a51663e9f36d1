/**
 * Owns: git's diff textconv for encrypted files, over bytes — the decrypted document when a key opens it,
 * otherwise the bytes as they are, so `git diff` shows plaintext to key holders and ciphertext to everyone
 * else and never fails. The plaintext only ever goes back to the caller (for stdout), never to disk.
 */
import { isSealError, type SealError } from "../errors.js";
import { closeDocument, openDocument } from "../document/index.js";
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
    const doc = await openDocument(tree, metadata, { ctx: opts.ctx, order: opts.order ?? DEFAULT_DECRYPTION_ORDER, file: opts.file });
    try {
      return { text: store.emitPlain(doc.plain), decrypted: true };
    } finally {
      closeDocument(doc);
    }
  } catch (e) {
    if (!isSealError(e)) throw e;
    return QUIET.has(e.code) ? { text: bytes, decrypted: false } : { text: bytes, decrypted: false, problem: e };
  }
}
