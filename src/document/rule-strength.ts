/**
 * Owns: whether a file's stored encryption rule protects less than the rule it should have been written
 * under (its creation rule). Judged on the file's actual leaves: a leaf the wanted rule encrypts but the
 * stored rule leaves plain makes the stored rule weaker, and so does `mac_only_encrypted` where the wanted
 * rule has the MAC cover every value. A stored rule that encrypts more is fine.
 */
import { DEFAULT_CRYPT_RULE, type CryptRule, type Metadata } from "../metadata.js";
import { isEnvelope } from "../crypto/value-cipher.js";
import { mapLeaves, type Tree } from "../tree/index.js";
import { crypterFor } from "./crypt-rule.js";
import { pathLabel } from "./values.js";

/** Which leaves get encrypted and what the MAC covers: the part of a rule that decides what stays plain. */
export interface EncryptionRule {
  readonly cryptRule: CryptRule;
  readonly macOnlyEncrypted: boolean;
}

/** sops's rule for a file no creation rule covers: everything encrypted except keys ending `_unencrypted`. */
export const DEFAULT_ENCRYPTION_RULE: EncryptionRule = { cryptRule: DEFAULT_CRYPT_RULE, macOnlyEncrypted: false };

/** How a stored rule falls short: the metadata field to blame and, for a leaf, its key path. */
export interface RuleWeakness {
  /** `encrypted_regex`, `unencrypted_suffix`, … or `mac_only_encrypted`. */
  readonly field: string;
  /** The first key path (dotted) left plain by the stored rule that the wanted rule encrypts. */
  readonly path?: string;
}

/** The rule a file's metadata stores. */
export function storedRule(md: Metadata): EncryptionRule {
  return { cryptRule: md.cryptRule, macOnlyEncrypted: md.macOnlyEncrypted };
}

export function sameRule(a: EncryptionRule, b: EncryptionRule): boolean {
  return a.cryptRule.kind === b.cryptRule.kind && a.cryptRule.value === b.cryptRule.value && a.macOnlyEncrypted === b.macOnlyEncrypted;
}

/**
 * Where `stored` encrypts less than `wanted` on the leaves of `trees` (encrypted or plain: the paths are the
 * same), or undefined when it does not. Empty and null leaves count: a value set there later would be
 * written under the stored rule.
 */
export function ruleWeakness(trees: readonly Tree[], stored: EncryptionRule, wanted: EncryptionRule): RuleWeakness | undefined {
  if (stored.macOnlyEncrypted && !wanted.macOnlyEncrypted) return { field: "mac_only_encrypted" };
  if (sameRule(stored, wanted)) return undefined;
  const have = crypterFor(stored.cryptRule);
  const want = crypterFor(wanted.cryptRule);
  let found: string | undefined;
  for (const tree of trees) {
    mapLeaves(tree, (s, { path, comments }) => {
      if (found === undefined && want.shouldEncrypt(path, comments) && !have.shouldEncrypt(path, comments)) found = pathLabel(path);
      return s;
    });
    if (found !== undefined) return { field: stored.cryptRule.kind, path: found };
  }
  return undefined;
}

/**
 * Key paths of leaves that `rule` says are encrypted but that hold a non-empty value not in `ENC[…]` form
 * (what a forged `sops` block over plaintext looks like). Never reads the values beyond that test.
 */
export function plainWhereEncrypted(tree: Tree, rule: EncryptionRule): string[][] {
  const matcher = crypterFor(rule.cryptRule);
  const found: string[][] = [];
  mapLeaves(tree, (s, { path, comments }) => {
    if (s.kind === "null" || (s.kind === "str" && (s.value === "" || isEnvelope(s.value)))) return s;
    if (matcher.shouldEncrypt(path, comments)) found.push([...path]);
    return s;
  });
  return found;
}

/** One sentence naming the field (and path) at fault; never a value. */
export function describeWeakness(w: RuleWeakness): string {
  if (w.field === "mac_only_encrypted") return "its sops block sets mac_only_encrypted, which its creation rule does not";
  return `its sops block's ${w.field} leaves ${w.path ?? "values"} unencrypted, which its creation rule encrypts`;
}
