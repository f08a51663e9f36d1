/**
 * Owns: the creation rule as the authority over what a file encrypts — which rule a file should be written
 * under (its matching `.sops.yaml` creation rule), and refusing, or when asked repairing, a file whose own
 * `sops` block encrypts less (that block is not covered by the MAC). A file no creation rule governs has no
 * authority over it but its own block (as in sops); `set` then warns when a value would be stored in clear.
 */
import { SealError } from "../errors.js";
import { matchRule, type CreationRule, type SopsConfig } from "../config.js";
import type { FormatName } from "../formats/index.js";
import type { Metadata } from "../metadata.js";
import type { Tree } from "../tree/index.js";
import { DEFAULT_ENCRYPTION_RULE, describeWeakness, ruleWeakness, storedRule, type EncryptionRule } from "../document/rule-strength.js";

/** What a rewriting command holds a file to. */
export interface RuleCheck {
  /** The rule the file should be written under; undefined when no creation rule governs it. */
  readonly wanted: EncryptionRule | undefined;
  /** Rewrite a weaker file under `wanted` instead of refusing (`--fix-rule`). */
  readonly fix: boolean;
  /** How to repair the file with this command (names the flag). */
  readonly hint: string;
}

/** The rule a creation rule encrypts with (sops's default when it sets none; binary files ignore rules). */
export function encryptionRuleOf(rule: CreationRule | undefined, format: FormatName): EncryptionRule | undefined {
  if (!rule) return undefined;
  if (format === "binary") return DEFAULT_ENCRYPTION_RULE;
  return { cryptRule: rule.cryptRule ?? DEFAULT_ENCRYPTION_RULE.cryptRule, macOnlyEncrypted: rule.macOnlyEncrypted };
}

/** The rule `file` should be written under: its creation rule in `config`, if one matches. */
export function encryptionRuleFor(config: SopsConfig | undefined, file: string | undefined, cwd: string, format: FormatName): EncryptionRule | undefined {
  const rule = config && file && file !== "-" ? matchRule(config, file, cwd) : undefined;
  return encryptionRuleOf(rule, format);
}

/**
 * The metadata to write `trees` back with: `md` unchanged when its stored rule encrypts at least what
 * `check.wanted` does; with `check.fix`, `md` under the wanted rule; otherwise an error.
 * @throws SealError WEAK_ENCRYPTION_RULE naming the file, the field and the first path left plain.
 */
export function settleRule(trees: readonly Tree[], md: Metadata, check: RuleCheck | undefined, file: string | undefined): Metadata {
  if (!check?.wanted) return md;
  const weakness = ruleWeakness(trees, storedRule(md), check.wanted);
  if (!weakness) return md;
  if (check.fix) return { ...md, cryptRule: check.wanted.cryptRule, cryptRuleStored: true, macOnlyEncrypted: check.wanted.macOnlyEncrypted };
  throw new SealError("WEAK_ENCRYPTION_RULE", `${file ?? "the file"}: ${describeWeakness(weakness)}; refusing to write it`, {
    hint: `${check.hint} (if the narrower rule is intended, put it in the file's creation rule in .sops.yaml)`,
    details: { field: weakness.field, ...(weakness.path ? { path: weakness.path } : {}) },
  });
}
