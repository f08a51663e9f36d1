/**
 * Owns: the encrypted layout record — the part of a file's layout derived from its plaintext (where a value
 * wraps, how a number was spelled), stored as one `ENC[…]` value (`sealfile_layout`) in the metadata.
 * Its IV is derived from the data key and the text, so an unchanged record keeps its ciphertext (no diff
 * noise in git) while two different records never share an IV. The text is padded to a multiple of
 * PAD bytes, so its length says little about the plaintext either.
 */
import { createHmac } from "node:crypto";
import { utf8 } from "../crypto/scalar-codec.js";
import { openEnvelope, sealBytes } from "../crypto/value-cipher.js";
import { privateLayoutOf, type Tree } from "../tree/index.js";
import type { Metadata } from "../metadata.js";

/** The metadata key (sops keeps unknown keys of its block; sealfile's own are `sealfile_*`). */
export const LAYOUT_KEY = "sealfile_layout";
const AAD = "sealfile_layout:";
const PAD = 256;

/** Puts the tree's private layout, sealed, into `metadata.extra` (or removes a stale one). */
export function sealLayoutRecord(plain: Tree, dataKey: Uint8Array, metadata: Metadata): void {
  const text = privateLayoutOf(plain)?.privateText(plain);
  const extra = { ...metadata.extra };
  delete extra[LAYOUT_KEY];
  if (text !== undefined) {
    const padded = text + " ".repeat((PAD - (Buffer.byteLength(text) % PAD)) % PAD);
    const bytes = utf8(padded);
    const iv = createHmac("sha256", dataKey).update("sealfile layout iv\0").update(bytes).digest();
    extra[LAYOUT_KEY] = sealBytes(bytes, "str", dataKey, AAD, new Uint8Array(iv));
  }
  metadata.extra = extra;
}

/**
 * Hands the opened record to the decrypted tree's layout. Presentation only: a record that does not open
 * (damaged, or from another data key) is ignored and the values are written in their canonical form.
 */
export function openLayoutRecord(plain: Tree, dataKey: Uint8Array, metadata: Metadata): void {
  const envelope = metadata.extra[LAYOUT_KEY];
  const layout = privateLayoutOf(plain);
  if (envelope === undefined || !layout) return;
  let text: string;
  try {
    const opened = openEnvelope(envelope, dataKey, AAD);
    if (opened.type !== "str") return;
    text = Buffer.from(opened.plain).toString("utf8").trimEnd();
    opened.plain.fill(0);
  } catch {
    return;
  }
  layout.restorePrivate(text, plain);
}
