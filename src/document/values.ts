/**
 * Owns: encrypting and decrypting every value and comment of a tree under one data key, and the MAC over
 * the plaintext leaves, in one walk each (sops Tree.Encrypt / Tree.Decrypt).
 */
import { SealError } from "../errors.js";
import { decodeComment, decodeScalar, encodeScalar, utf8 } from "../crypto/scalar-codec.js";
import { isEnvelope, openEnvelope, sealBytes } from "../crypto/value-cipher.js";
import { MacHasher } from "../crypto/mac.js";
import { randomBytes } from "../crypto/random.js";
import type { IvStash } from "../crypto/iv-stash.js";
import { mapLeaves, type Comment, type Scalar, type Tree } from "../tree/index.js";
import type { CryptRuleMatcher } from "./crypt-rule.js";

const IV_BYTES = 32;

/** The value AAD: map keys joined by ":" plus a trailing ":" (list indices never appear). */
export function aadOf(path: readonly string[]): string {
  return path.length === 0 ? ":" : `${path.join(":")}:`;
}

export function pathLabel(path: readonly string[]): string {
  return path.length === 0 ? "(top level)" : path.join(".");
}

/**
 * Encrypts every leaf the rule selects, in place, and returns the MAC hex over the plaintext.
 * IVs come from `stash` for unchanged (path, type, plaintext) so re-saving keeps their ciphertext.
 */
export function sealValues(tree: Tree, dataKey: Uint8Array, rule: CryptRuleMatcher, macOnlyEncrypted: boolean, stash?: IvStash): string {
  const mac = new MacHasher(macOnlyEncrypted);
  mapLeaves(
    tree,
    (s, { path, comments }) => {
      if (s.kind === "null") return s;
      const encrypt = rule.shouldEncrypt(path, comments);
      const { bytes, type } = encodeScalar(s);
      if (!macOnlyEncrypted || encrypt) mac.add(bytes);
      // Empty values are never encrypted (sops writes "" as is).
      if (!encrypt || bytes.length === 0) return s;
      const aad = aadOf(path);
      const iv = stash?.recall(aad, type, bytes) ?? randomBytes(IV_BYTES);
      return { kind: "str", value: sealBytes(bytes, type, dataKey, aad, iv) };
    },
    (c, { path, comments }) => sealComment(c, path, comments, dataKey, rule, stash),
  );
  return mac.digestHex();
}

/**
 * Encrypts one comment the rule selects. A comment whose text reads as an `ENC[…]` envelope is encrypted like
 * any other (as sops does); one that stays in clear is refused, since decryption would try to open it.
 * @throws SealError ENCRYPT_FAILED for a clear comment that reads as an envelope, or an encrypted one that
 *   matches unencrypted_comment_regex.
 */
function sealComment(c: Comment, path: readonly string[], comments: readonly Comment[], dataKey: Uint8Array, rule: CryptRuleMatcher, stash?: IvStash): Comment {
  if (c.text === "") return c;
  if (rule.isMarkerComment(c.text) || !rule.shouldEncrypt(path, comments)) {
    if (isEnvelope(c.text)) {
      throw new SealError("ENCRYPT_FAILED", `a comment at ${pathLabel(path)} stays in clear but reads as an encrypted value (ENC[AES256_GCM,…]), so the file would not open`, {
        hint: "reword that comment so it does not start with ENC[AES256_GCM,data:",
      });
    }
    return c;
  }
  const aad = aadOf(path);
  const bytes = utf8(c.text);
  // sops gives inline comments a fresh IV on every save; keeping it (as for any unchanged value) keeps
  // re-saved lines byte-identical, which is what makes diffs minimal.
  const iv = stash?.recall(aad, "comment", bytes) ?? randomBytes(IV_BYTES);
  const sealed = sealBytes(bytes, "comment", dataKey, aad, iv);
  if (rule.unreadableEnvelope(sealed)) {
    // sops Tree.Encrypt: "Encrypted comment … matches UnencryptedCommentRegex!" (exit 23).
    throw new SealError("ENCRYPT_FAILED", `an encrypted comment at ${pathLabel(path)} matches unencrypted_comment_regex, so the file would not open`, {
      hint: "make sure unencrypted_comment_regex cannot match an encrypted comment (ENC[AES256_GCM,…]), e.g. anchor it: ^\\s*sops:nocrypt",
    });
  }
  return { ...c, text: sealed };
}

/**
 * Decrypts every encrypted leaf in place and returns the MAC hex recomputed over the plaintext.
 * @throws SealError DECRYPT_VALUE_FAILED naming the key path when a value does not open (tampered, moved);
 *         NOT_ENCRYPTED-like BAD_METADATA when a leaf the rule says is encrypted is in clear.
 */
export function openValues(tree: Tree, dataKey: Uint8Array, rule: CryptRuleMatcher, macOnlyEncrypted: boolean, stash?: IvStash): string {
  return walkOpen(tree, dataKey, rule, macOnlyEncrypted, stash, undefined).mac;
}

/** What `openValuesAllowingClear` found. */
export interface PartlyOpened {
  /** The MAC over every leaf, the clear ones included (they were written over values the MAC covered). */
  readonly mac: string;
  /** The MAC leaving the clear leaves out (they were added: new keys pasted in clear). */
  readonly macWithoutClear: string;
  /** Key paths of leaves the rule says are encrypted but that are in clear. */
  readonly clear: string[][];
}

/**
 * Like `openValues`, but a leaf the rule says is encrypted and that is in clear is taken as its plaintext
 * and listed, instead of refused. Every encrypted value is still opened (and so checked by its GCM tag).
 * @throws SealError DECRYPT_VALUE_FAILED when an encrypted value does not open.
 */
export function openValuesAllowingClear(tree: Tree, dataKey: Uint8Array, rule: CryptRuleMatcher, macOnlyEncrypted: boolean, stash?: IvStash): PartlyOpened {
  const clear: string[][] = [];
  const without = new MacHasher(macOnlyEncrypted);
  const { mac } = walkOpen(tree, dataKey, rule, macOnlyEncrypted, stash, { clear, without });
  return { mac, macWithoutClear: without.digestHex(), clear };
}

function walkOpen(
  tree: Tree,
  dataKey: Uint8Array,
  rule: CryptRuleMatcher,
  macOnlyEncrypted: boolean,
  stash: IvStash | undefined,
  allow: { clear: string[][]; without: MacHasher } | undefined,
): { mac: string } {
  const mac = new MacHasher(macOnlyEncrypted);
  mapLeaves(
    tree,
    (s, { path, comments }) => {
      if (s.kind === "null") return s;
      const encrypted = rule.shouldEncrypt(path, comments);
      let plain: Scalar = s;
      const inClear = encrypted && (s.kind !== "str" || (s.value !== "" && !isEnvelope(s.value)));
      if (inClear && allow) {
        allow.clear.push([...path]);
        mac.add(encodeScalar(plain).bytes);
        return plain;
      }
      if (encrypted && s.kind === "str" && s.value !== "") {
        plain = openScalar(s.value, dataKey, path, stash);
      } else if (encrypted && s.kind !== "str") {
        throw new SealError("DECRYPT_VALUE_FAILED", `the value at ${pathLabel(path)} should be encrypted but is in clear`, {
          hint: CLEAR_VALUE_HINT,
        });
      }
      if (!macOnlyEncrypted || encrypted) {
        const bytes = encodeScalar(plain).bytes;
        mac.add(bytes);
        allow?.without.add(bytes);
      }
      return plain;
    },
    (c, { path }) => {
      if (!isEnvelope(c.text)) return c;
      const aad = aadOf(path);
      const opened = open(c.text, dataKey, aad, path);
      stash?.remember(aad, "comment", opened.plain, opened.iv);
      return { ...c, text: decodeComment(opened.plain) };
    },
  );
  return { mac: mac.digestHex() };
}

/** What to do about a value found in clear where the rule wants it encrypted. */
const CLEAR_VALUE_HINT = "encrypt the clear values under the file's data key with `secrets encrypt --clear-values FILE`, or restore it from git";

function openScalar(text: string, dataKey: Uint8Array, path: readonly string[], stash?: IvStash): Scalar {
  if (!isEnvelope(text)) {
    throw new SealError("DECRYPT_VALUE_FAILED", `the value at ${pathLabel(path)} should be encrypted but is in clear`, {
      hint: CLEAR_VALUE_HINT,
    });
  }
  const aad = aadOf(path);
  const opened = open(text, dataKey, aad, path);
  stash?.remember(aad, opened.type, opened.plain, opened.iv);
  try {
    return decodeScalar(opened.plain, opened.type);
  } catch (e) {
    // The message names the type tag, never the plaintext; the path says which value to look at.
    if (e instanceof SealError) {
      throw new SealError(e.code, `could not decrypt the value at ${pathLabel(path)}: ${e.message}`, {
        hint: "its type tag (type:…) was changed, or the file was written by a broken tool; restore it from git",
        exitCode: e.exitCode,
      });
    }
    throw e;
  }
}

function open(text: string, dataKey: Uint8Array, aad: string, path: readonly string[]): { plain: Uint8Array; type: string; iv: Uint8Array } {
  try {
    return openEnvelope(text, dataKey, aad);
  } catch (e) {
    if (e instanceof SealError) {
      throw new SealError(e.code, `could not decrypt the value at ${pathLabel(path)}: ${e.message}`, {
        hint: "the value was changed, moved to another key, or encrypted with another data key",
        exitCode: e.exitCode,
      });
    }
    throw e;
  }
}

/** Key paths whose leaves the rule says must be encrypted but that are in clear (for the pre-commit guard). */
export function findClearValues(tree: Tree, rule: CryptRuleMatcher): string[][] {
  const found: string[][] = [];
  mapLeaves(tree, (s, { path, comments }) => {
    if (s.kind === "null" || (s.kind === "str" && (s.value === "" || isEnvelope(s.value)))) return s;
    if (rule.shouldEncrypt(path, comments)) found.push([...path]);
    return s;
  });
  return found;
}
