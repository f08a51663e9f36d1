/**
 * Owns: the checks of a `.sops.yaml` beyond its schema — regexes RE2 cannot compile, two encryption rules in one
 * creation rule, an unreadable `rotate_after`, recipients that are not valid age keys — run on the data as
 * parsed, whatever else is wrong with it (wrong types are skipped: the schema reports them), so `doctor` can
 * list every problem at once. Messages never quote a recipient (it could be a pasted private key).
 */
import { parseDuration, specFromKeyString } from "../config.js";
import { ageRecipientProblem } from "../keys/age-recipient-check.js";
import { CRYPT_RULE_KINDS } from "../metadata.js";
import { userRegexProblem } from "../user-regex.js";

export interface SemanticProblem {
  /** Where in the document: keys and list indexes. */
  readonly path: ReadonlyArray<string | number>;
  readonly message: string;
}

type Raw = Record<string, unknown>;
type Path = ReadonlyArray<string | number>;

const isMap = (v: unknown): v is Raw => typeof v === "object" && v !== null && !Array.isArray(v);

/** Every problem of `data` (a parsed `.sops.yaml`) that its schema cannot express. */
export function semanticProblems(data: unknown): SemanticProblem[] {
  if (!isMap(data)) return [];
  const problems: SemanticProblem[] = [];
  const recipients = isMap(data.recipients) ? data.recipients : {};
  for (const [name, key] of Object.entries(recipients)) {
    if (typeof key === "string") problems.push(...ageKeyProblems(key, ["recipients", name]));
  }
  const rules = Array.isArray(data.creation_rules) ? data.creation_rules : [];
  rules.forEach((rule, i) => {
    if (isMap(rule)) problems.push(...ruleProblems(rule, ["creation_rules", i], recipients));
  });
  return problems;
}

function ruleProblems(rule: Raw, at: Path, recipients: Raw): SemanticProblem[] {
  const problems: SemanticProblem[] = [];
  for (const key of ["path_regex", ...CRYPT_RULE_KINDS.filter((k) => k.endsWith("regex"))]) {
    const source = rule[key];
    const why = typeof source === "string" ? userRegexProblem(source) : undefined;
    if (why !== undefined) problems.push({ path: [...at, key], message: `is not a valid regular expression (RE2 syntax, as sops reads it): ${why}` });
  }
  const kinds = CRYPT_RULE_KINDS.filter((k) => typeof rule[k] === "string");
  if (kinds.length > 1) problems.push({ path: [...at, kinds[1]!], message: `only one of ${kinds.join(", ")} may be set` });
  if (typeof rule.rotate_after === "string") {
    try {
      parseDuration(rule.rotate_after);
    } catch {
      problems.push({ path: [...at, "rotate_after"], message: "is not a duration (use e.g. 90d, 12w, 1y)" });
    }
  }
  problems.push(...ageListProblems(rule.age, [...at, "age"], recipients));
  if (Array.isArray(rule.key_groups)) rule.key_groups.forEach((g, j) => problems.push(...groupProblems(g, [...at, "key_groups", j], recipients)));
  return problems;
}

/** A `key_groups` entry's age recipients, and those of its `merge:` groups. */
function groupProblems(group: unknown, at: Path, recipients: Raw): SemanticProblem[] {
  if (!isMap(group)) return [];
  const problems = ageListProblems(group.age, [...at, "age"], recipients);
  if (Array.isArray(group.merge)) group.merge.forEach((m, k) => problems.push(...groupProblems(m, [...at, "merge", k], recipients)));
  return problems;
}

/** An `age:` value — a comma-separated string or a list — whose entries are names or recipients. */
function ageListProblems(value: unknown, at: Path, recipients: Raw): SemanticProblem[] {
  const entries: Array<[string, Path]> =
    typeof value === "string"
      ? value.split(",").map((e) => [e.trim(), at])
      : Array.isArray(value)
        ? value.flatMap((e, j): Array<[string, Path]> => (typeof e === "string" ? [[e.trim(), [...at, j]]] : []))
        : [];
  // A name is checked once, where `recipients:` gives its key.
  return entries
    .filter(([e]) => e !== "" && !Object.hasOwn(recipients, e))
    .flatMap(([e, path]) => ageKeyProblems(e, path).map((p) => (/^(age1|ssh-)/.test(e) || p.message.includes("private key") ? p : { path, message: `is neither a name from recipients: nor ${p.message.replace(/^is not /, "")}` })));
}

/** A key string that stands for an age recipient (not a KMS, PGP or Vault key) and is not a valid one. */
function ageKeyProblems(key: string, path: Path): SemanticProblem[] {
  if (specFromKeyString(key.trim(), "age").kind !== "age") return [];
  const why = ageRecipientProblem(key);
  return why === undefined ? [] : [{ path, message: why }];
}
