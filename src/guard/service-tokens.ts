/**
 * Owns: turning the token rules of the catalog (rule-catalog.ts) into detectors — each woken by its trigger
 * literals in the one-pass trigger scan, then one anchored, length-bounded pattern at that place, the token
 * boundaries, and the rule's acceptance test on the part after the prefix.
 */
import type { Detector } from "./detector.js";
import { RULE_CATALOG, type CatalogRule, type TokenAccept } from "./rule-catalog.js";
import { randomToken } from "./detector.js";

const TOKEN_CHAR = /[A-Za-z0-9_-]/;
const DIGIT = /[0-9]/;

/** Words run together (`MyAccessKey`, `SomeName`): each capital starts a run of lower case. */
const CAMEL_WORDS = /^(?:[A-Z]?[a-z]+)+$/;

const ACCEPT: Readonly<Record<TokenAccept, (tail: string) => boolean>> = {
  random: randomToken,
  // a digit, or capitals that do not just start words: 1 in 30 random 20-character alphanumeric parts has no digit
  mixed: (s) => randomToken(s) && /[a-z]/.test(s) && /[A-Z]/.test(s) && (/[0-9]/.test(s) || !CAMEL_WORDS.test(s)),
  cased: (s) => randomToken(s) && /[a-z]/.test(s) && /[A-Z]/.test(s),
  digit: (s) => randomToken(s) && /[0-9]/.test(s),
  any: () => true,
};

/** Where the token starts, given where its trigger was found (-1: not here). */
function startOf(rule: CatalogRule, text: string, at: number): number {
  if (rule.back !== undefined) return at - rule.back;
  if (rule.digitsBefore !== undefined) {
    const [min, max] = rule.digitsBefore;
    let p = at;
    while (p > 0 && at - p < max && DIGIT.test(text[p - 1] ?? "")) p--;
    return at - p >= min ? p : -1;
  }
  return at;
}

/** The literal prefix the token starts with (its longest trigger that is a prefix), so acceptance judges the rest. */
function prefixLength(rule: CatalogRule, secret: string): number {
  if (rule.back !== undefined || rule.digitsBefore !== undefined) return 0;
  const lower = secret.toLowerCase();
  return Math.max(0, ...(rule.triggers ?? []).filter((t) => lower.startsWith(t)).map((t) => t.length));
}

function tokenDetector(rule: CatalogRule & { pattern: string; triggers: readonly string[] }): Detector {
  const re = new RegExp(rule.pattern, "y");
  const accept = ACCEPT[rule.accept ?? "random"];
  const message = `${rule.provider} token`;
  return {
    rule: rule.id,
    triggers: rule.triggers,
    at(text, at, out) {
      const start = startOf(rule, text, at);
      if (start < 0 || TOKEN_CHAR.test(text[start - 1] ?? "")) return;
      re.lastIndex = start;
      const m = re.exec(text);
      if (m === null || TOKEN_CHAR.test(text[start + m[0].length] ?? "")) return;
      const secret = m[0];
      if (!accept(secret.slice(prefixLength(rule, secret)))) return;
      out.push({ rule: rule.id, start, secret, message });
    },
  };
}

/** Every token rule of the catalog, in catalog order (most specific first where they overlap). */
export const SERVICE_TOKEN_DETECTORS: readonly Detector[] = RULE_CATALOG.flatMap((r) =>
  r.pattern !== undefined && r.triggers !== undefined ? [tokenDetector({ ...r, pattern: r.pattern, triggers: r.triggers })] : [],
);
