/**
 * Owns: the state of one file covered by a creation rule, read from its bytes and metadata alone (no key):
 * encrypted or not, recipients up to date with the rule, data key age against the rule's `rotate_after`, and
 * whether its own `sops` block encrypts less than the rule (that block is not covered by the MAC).
 */
import { readFileSync } from "node:fs";
import { isSealError } from "../errors.js";
import { formatFromPath } from "../formats/index.js";
import { dataKeyAge, diffWithRule, type RecipientChange } from "../document/recipient-diff.js";
import { describeWeakness, plainWhereEncrypted, ruleWeakness, storedRule } from "../document/rule-strength.js";
import { pathLabel } from "../document/index.js";
import { parseSealed } from "./sealed-file.js";
import { encryptionRuleOf } from "./creation-rule.js";
import type { RuleFile } from "./rule-files.js";

export interface FileStatus {
  readonly path: string;
  readonly encrypted: boolean;
  /** Why a file with a `sops` block still counts as not encrypted (no MAC). */
  readonly unsealedReason?: string;
  /** How the file's stored rule falls short of its creation rule. */
  readonly weakRule?: string;
  /** Key paths that must be encrypted (by the creation rule or the file's own) but are in clear. */
  readonly clearValues?: string[];
  /** Set when the file has a metadata block that cannot be read. */
  readonly broken?: string;
  readonly recipientsUpToDate?: boolean;
  readonly added?: RecipientChange[];
  readonly removed?: RecipientChange[];
  readonly regrouped?: boolean;
  readonly keyCreated?: string;
  readonly keyAgeSource?: string;
  readonly keyAgeDays?: number;
  readonly rotateAfter?: string;
  readonly overdue?: boolean;
  /** Short words for what needs doing: "not encrypted", "recipients out of date", "rotation overdue", … */
  readonly problems: string[];
}

const DAY_MS = 86_400_000;

/** The status of one rule-covered file. Never throws for a file's content; only for unreadable files. */
export function statusOf(file: RuleFile, now: Date = new Date()): FileStatus {
  const bytes = readFileSync(file.path);
  let parsed;
  try {
    parsed = parseSealed(bytes, formatFromPath(file.path), file.display);
  } catch (e) {
    if (isSealError(e, "BAD_METADATA")) return { path: file.display, encrypted: true, broken: e.message, problems: ["broken metadata"] };
    // No metadata, or not even parseable in its format (a plaintext binary file): not encrypted.
    return { path: file.display, encrypted: false, problems: ["not encrypted"] };
  }
  const md = parsed.metadata;
  // Anyone can write a `sops` block; without a MAC nothing vouches for it.
  if (!md.mac) return { path: file.display, encrypted: false, unsealedReason: "its sops block has no MAC", problems: ["not encrypted"] };
  const problems: string[] = [];
  const wanted = encryptionRuleOf(file.rule, parsed.store.name);
  let weakness, clear;
  try {
    weakness = wanted ? ruleWeakness([parsed.tree], storedRule(md), wanted) : undefined;
    clear = [...new Set([...(wanted ? plainWhereEncrypted(parsed.tree, wanted) : []), ...plainWhereEncrypted(parsed.tree, storedRule(md))].map(pathLabel))];
  } catch {
    return { path: file.display, encrypted: true, broken: `invalid metadata: ${md.cryptRule.kind} is not a valid regular expression`, problems: ["broken metadata"] };
  }
  if (weakness) problems.push("encryption rule weaker than its creation rule");
  if (clear.length > 0) problems.push("values in clear");
  const diff = file.rule.keyGroups.length > 0 ? diffWithRule(md, file.rule) : undefined;
  if (diff && !diff.upToDate) problems.push("recipients out of date");
  const age = dataKeyAge(md);
  const ageMs = age ? now.getTime() - age.since.getTime() : undefined;
  const overdue = file.rule.rotateAfterMs !== undefined && ageMs !== undefined && ageMs > file.rule.rotateAfterMs;
  if (overdue) problems.push("rotation overdue");
  return {
    path: file.display,
    encrypted: true,
    ...(weakness ? { weakRule: describeWeakness(weakness) } : {}),
    ...(clear.length > 0 ? { clearValues: clear } : {}),
    ...(diff ? { recipientsUpToDate: diff.upToDate, added: diff.added, removed: diff.removed, regrouped: diff.regrouped } : {}),
    ...(age ? { keyCreated: age.since.toISOString().replace(/\.\d{3}Z$/, "Z"), keyAgeSource: age.source, keyAgeDays: Math.floor((ageMs ?? 0) / DAY_MS) } : {}),
    ...(file.rule.rotateAfter ? { rotateAfter: file.rule.rotateAfter, overdue } : {}),
    problems,
  };
}
