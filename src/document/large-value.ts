/**
 * Owns: sealing and opening a document whose one value is held outside the tree as envelope bytes (a
 * binary file's `data`, too large to be a string or to be copied whole): the same data key, MAC, rule and
 * IV stash as sealDocument/openDocument, with the value encrypted into and decrypted from buffers.
 */
import { SealError } from "../errors.js";
import { IvStash } from "../crypto/iv-stash.js";
import { formatLastModified, MacHasher, sealMac } from "../crypto/mac.js";
import { randomBytes } from "../crypto/random.js";
import { wipe } from "../crypto/wipe.js";
import { decodeScalar } from "../crypto/scalar-codec.js";
import { openEnvelopeBytes, parseEnvelopeBytes, sealBytesInto, sealedEnvelopeLength } from "../crypto/large-value.js";
import type { KeyKind } from "../keys/types.js";
import type { Metadata } from "../metadata.js";
import { cloneTree, type Scalar, type Tree } from "../tree/index.js";
import { crypterFor } from "./crypt-rule.js";
import { DATA_KEY_BYTES, keysOf, unwrapDataKey, wrapDataKey } from "./data-key.js";
import { newMetadata, verifyMac } from "./metadata-mac.js";
import { aadOf, pathLabel } from "./values.js";
import type { OpenedDocument, OpenOptions, SealOptions } from "./index.js";

const IV_BYTES = 32;

/** Where the caller's output has room for the value: `out[at, at + length)`. */
export type PlaceValue = (tree: Tree, metadata: Metadata, length: number) => { out: Uint8Array; at: number };

/**
 * Encrypts `plain` (not empty) as the one top-level value `key` of a new document, always encrypted (as
 * sops does for binary files, whatever the rule). `place` gets the document without the value (`key` holds
 * "") and its finished metadata, and returns the file's bytes with room for the value's envelope, which is
 * then written there. Returns those bytes. `plain` is the caller's, and is not kept.
 * @throws SealError NO_RECIPIENTS, ENCRYPT_FAILED
 */
export async function sealLargeValueDocument(key: string, plain: Uint8Array, opts: SealOptions, place: PlaceValue): Promise<Uint8Array> {
  const dataKey = randomBytes(DATA_KEY_BYTES);
  try {
    await wrapDataKey(dataKey, opts.keyGroups, opts.shamirThreshold ?? 0, opts.ctx);
    const now = opts.now ?? new Date();
    const metadata = newMetadata(opts, now);
    // The one leaf is encrypted, so the MAC is over its bytes alone (encodeScalar gives `plain` as `str`).
    const mac = new MacHasher(metadata.macOnlyEncrypted);
    mac.add(plain);
    metadata.lastModified = formatLastModified(now);
    metadata.mac = sealMac(mac.digestHex(), dataKey, metadata.lastModified);
    const iv = randomBytes(IV_BYTES);
    const length = sealedEnvelopeLength(plain.length, iv.length, "str");
    const tree: Tree = { branches: [{ kind: "map", items: [{ kind: "entry", key, value: { kind: "str", value: "" } }] }] };
    const { out, at } = place(tree, metadata, length);
    sealBytesInto(plain, "str", dataKey, aadOf([key]), iv, out.subarray(at, at + length));
    return out;
  } finally {
    wipe(dataKey);
  }
}

/**
 * openDocument for a tree whose only leaf, top-level `key`, holds "" and whose encrypted text is `envelope`
 * (bytes). `undefined`, before any key is used, when that is not the case or the envelope is not in the
 * plain shape (see parseEnvelopeBytes): the caller then opens the file the ordinary way. The plaintext
 * becomes the value itself (a `bytes` scalar keeps the buffer; the caller wipes it when done).
 * @throws SealError NO_USABLE_KEY, DECRYPT_VALUE_FAILED, MAC_MISMATCH
 */
export async function openLargeValueDocument(tree: Tree, metadata: Metadata, key: string, envelope: Uint8Array, opts: OpenOptions): Promise<OpenedDocument | undefined> {
  const items = tree.branches.length === 1 ? tree.branches[0]!.items : [];
  const only = items.length === 1 ? items[0] : undefined;
  if (only?.kind !== "entry" || only.key !== key || only.value.kind !== "str" || only.value.value !== "") return undefined;
  if (!crypterFor(metadata.cryptRule).shouldEncrypt([key], [])) return undefined;
  const parts = parseEnvelopeBytes(envelope);
  // Types whose MAC bytes are the plaintext bytes themselves; others go the ordinary way.
  if (parts === null || (parts.type !== "str" && parts.type !== "bytes")) return undefined;

  const keys = await keysOf(metadata);
  const openedWith: KeyKind[] = [];
  const dataKey = await unwrapDataKey(keys, metadata, { ...opts, openedWith });
  let plain: Uint8Array | undefined;
  try {
    const aad = aadOf([key]);
    try {
      plain = openEnvelopeBytes(envelope, parts, dataKey, aad).plain;
    } catch (e) {
      if (!(e instanceof SealError)) throw e;
      throw new SealError(e.code, `could not decrypt the value at ${pathLabel([key])}: ${e.message}`, {
        hint: "the value was changed, moved to another key, or encrypted with another data key",
        exitCode: e.exitCode,
      });
    }
    const stash = new IvStash();
    stash.remember(aad, parts.type, plain, parts.iv);
    const mac = new MacHasher(metadata.macOnlyEncrypted);
    mac.add(plain);
    if (!opts.ignoreMac) verifyMac(mac.digestHex(), metadata, dataKey, opts.file);
    const value: Scalar = decodeScalar(plain, parts.type, { adopt: true });
    if (value.kind !== "bytes") wipe(plain);
    const opened = cloneTree(tree);
    opened.branches[0]!.items[0] = { kind: "entry", key, value };
    return { plain: opened, metadata, dataKey, stash, keys, openedWith };
  } catch (e) {
    wipe(dataKey, plain);
    throw e;
  }
}
