/**
 * Owns: deciding which leaves are encrypted (sops Tree.shouldBeEncrypted): one rule, tested against every
 * component of the leaf's path (ancestors count) or against the comments that precede it.
 */
import type { CryptRule } from "../metadata.js";
import type { Comment } from "../tree/index.js";
import { isEnvelope } from "../crypto/value-cipher.js";
import { compileUserRegex } from "../user-regex.js";

export interface CryptRuleMatcher {
  /** Whether the leaf at `path`, preceded by `comments`, is (to be) encrypted. */
  shouldEncrypt(path: readonly string[], comments: readonly Comment[]): boolean;
  /** Whether a comment stays plaintext because the rule itself reads it (a comment-regex marker). */
  isMarkerComment(text: string): boolean;
  /**
   * Whether an encrypted comment's `ENC[…]` text matches `unencrypted_comment_regex`: sops would then read
   * the value after it as clear text and the file would not open, so sops refuses to write it.
   */
  unreadableEnvelope(envelope: string): boolean;
}

/**
 * Builds the matcher for a rule. Regexes run on the RE2 engine, as sops runs them on Go's; the rule was checked
 * where it was read (`.sops.yaml`, the file's `sops` block, a flag), so an invalid one here is a caller's mistake.
 * @throws SealError BAD_METADATA for an invalid regex.
 */
export function crypterFor(rule: CryptRule): CryptRuleMatcher {
  const { kind, value } = rule;
  const re = kind.endsWith("regex")
    ? compileUserRegex(value, { code: "BAD_METADATA", at: kind, hint: "write the rule in RE2 syntax, as sops reads it" })
    : undefined;
  const commentText = (c: Comment): string | undefined => (isEnvelope(c.text) ? undefined : c.text);
  const anyComment = (comments: readonly Comment[]): boolean =>
    comments.some((c) => {
      const t = commentText(c);
      return t !== undefined && re!.test(t);
    });
  return {
    shouldEncrypt(path, comments) {
      switch (kind) {
        case "unencrypted_suffix":
          return !path.some((p) => p.endsWith(value));
        case "encrypted_suffix":
          return path.some((p) => p.endsWith(value));
        case "unencrypted_regex":
          return !path.some((p) => re!.test(p));
        case "encrypted_regex":
          return path.some((p) => re!.test(p));
        case "unencrypted_comment_regex":
          return !anyComment(comments);
        case "encrypted_comment_regex":
          return anyComment(comments);
      }
    },
    isMarkerComment(text) {
      return (kind === "unencrypted_comment_regex" || kind === "encrypted_comment_regex") && re!.test(text);
    },
    unreadableEnvelope(envelope) {
      return kind === "unencrypted_comment_regex" && re!.test(envelope);
    },
  };
}
