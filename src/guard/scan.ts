/**
 * Owns: `scan(path, bytes, policy)` — every check on one file's bytes, with no I/O: unsealed files under a
 * creation rule, clear values in sealed files, secret file names, key files, known secret formats, and
 * temp files a killed sealfile writer left behind.
 */
import { isConflictFile } from "../git/conflict-file.js";
import { maskSecret } from "./mask.js";
import type { Hit } from "./patterns.js";
import { CODE_EXT } from "./generic-assignment.js";
import { findAlwaysBlockedHits, findHits } from "./trigger-scan.js";
import { baseName, keyFileName, secretFileReason } from "./secret-files.js";
import { ALWAYS_BLOCKED, hasInlineAllow } from "./allow.js";
import { decodeForScan } from "./text-decode.js";
import { PUBLISHED_EXAMPLES } from "./rule-catalog.js";
import { isSealfileTempName } from "../io/temp-files.js";
import type { Finding, Fingerprinter, GuardPolicy, GuardRule, SealedInspection } from "./types.js";

const SEALED_VALUE = /ENC\[AES256_GCM,[^\]\n]{0,100000}\]/g;
/**
 * The sops metadata key of a sealed YAML (`sops:`), JSON (`"sops":`), dotenv (`sops_…=`) or INI (`[sops]`) file.
 * A file with `ENC[…]` values but none of these (code quoting sealed values) cannot be a sealed file, and is not
 * parsed as one: parsing a large source file as YAML costs more than scanning it.
 */
const SOPS_METADATA = /(?:^|\n)sops[:_]|"sops"\s*:|(?:^|\n)\[sops\]/;
/** Lockfiles hold only integrity hashes and registry URLs; the generic detector is skipped there. */
const LOCKFILE = /^(?:package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|bun\.lock|Cargo\.lock|go\.sum|poetry\.lock|composer\.lock|Gemfile\.lock|Pipfile\.lock|uv\.lock|flake\.lock)$/;

/** Fingerprints nothing: for scans whose findings need no fingerprint (no baseline, no JSON). */
const NO_FINGERPRINTS: Fingerprinter = { mark: () => ({ fingerprint: "", accepted: false }) };

export interface ScanOptions {
  readonly fingerprinter?: Fingerprinter;
  /**
   * Report only what nothing accepts (key files): for files `.secretsignore` lists, and the baseline file itself.
   * Policy checks, secret file names and every other detector are skipped.
   */
  readonly alwaysBlockedOnly?: boolean;
}

/** Replaces each sealed `ENC[…]` value with spaces of the same length, so offsets and lines are kept. */
function blankSealedValues(text: string): string {
  return text.replace(SEALED_VALUE, (m) => " ".repeat(m.length));
}

/** The rule of a staged sealfile temp file; `.secretsignore` and the baseline do not silence it. */
export const SEALFILE_TEMP = "sealfile-temp";

function fileFinding(fp: Fingerprinter, rule: string, path: string, message: string, secret = ""): Finding {
  return { rule, path, excerpt: "", ...fp.mark(rule, path, secret), message };
}

/** Converts hits to findings with 1-based line and column, dropping lines that carry `secrets:allow`. */
function toFindings(fp: Fingerprinter, path: string, text: string, hits: Hit[], allowInline: (rule: string) => boolean): Finding[] {
  hits.sort((a, b) => a.start - b.start);
  const out: Finding[] = [];
  let line = 1;
  let lineStart = 0;
  let pos = 0;
  for (const h of hits) {
    for (let nl = text.indexOf("\n", pos); nl !== -1 && nl < h.start; nl = text.indexOf("\n", nl + 1)) {
      line++;
      lineStart = nl + 1;
    }
    pos = lineStart;
    if (allowInline(h.rule)) {
      const lineEnd = text.indexOf("\n", h.start);
      if (hasInlineAllow(text.slice(lineStart, lineEnd < 0 ? text.length : lineEnd))) continue;
    }
    out.push({
      rule: h.rule,
      path,
      line,
      column: h.start - lineStart + 1,
      excerpt: maskSecret(h.secret),
      ...fp.mark(h.rule, path, h.secret),
      message: h.message,
    });
  }
  return out;
}

/** Keeps the first of any hits that cover the same characters (detectors run most specific first); drops vendors' published examples. */
function dropOverlaps(hits: Hit[]): Hit[] {
  const kept: Hit[] = [];
  for (const h of hits) {
    if (PUBLISHED_EXAMPLES.has(h.secret)) continue;
    const end = h.start + h.secret.length;
    if (!kept.some((k) => h.start < k.start + k.secret.length && k.start < end)) kept.push(h);
  }
  return kept;
}

function clearValueFindings(fp: Fingerprinter, path: string, rule: GuardRule | undefined, insp: SealedInspection): Finding[] {
  const paths = (insp.clearValues ?? []).filter((kp) => rule?.shouldEncrypt?.(kp) ?? true);
  return paths.map((kp) =>
    fileFinding(
      fp,
      "clear-value",
      path,
      `value at "${kp.join(".")}" is not encrypted; encrypt the clear values under the file's own data key with \`secrets encrypt --clear-values ${path}\``,
      kp.join("\0"),
    ),
  );
}

const KEY_FILE_MESSAGE = "a dotenvx key file: key files must never be committed";

/** Key material only: a key file by name (unless sealed) and age/dotenvx keys in the content. */
function alwaysBlockedFindings(fp: Fingerprinter, path: string, bytes: Uint8Array, raw: string, policy: GuardPolicy): Finding[] {
  const text = raw.includes("ENC[AES256_GCM,") ? blankSealedValues(raw) : raw;
  const hits = findAlwaysBlockedHits(text);
  const findings: Finding[] = [];
  if (keyFileName(path) && hits.length === 0 && !policy.inspectSealed(path, bytes).sealed) findings.push(fileFinding(fp, "key-file", path, KEY_FILE_MESSAGE));
  findings.push(...toFindings(fp, path, text, dropOverlaps(hits), () => false));
  return findings;
}

/**
 * Checks one file. Pure: the policy decides what is a valid sealed file; nothing is read or printed.
 * Findings never hold a secret value, only a masked excerpt and a fingerprint. UTF-16/32 and NUL-sprinkled text
 * is decoded first; binary content is searched for known token formats in its printable runs (the generic
 * `password = …` detector is left out there: binaries are full of such words).
 */
export function scan(path: string, bytes: Uint8Array, policy: GuardPolicy, opts: ScanOptions = {}): Finding[] {
  const fp = opts.fingerprinter ?? NO_FINGERPRINTS;
  // 0: a write that was killed; it may hold plaintext whatever its content looks like.
  if (isSealfileTempName(baseName(path))) return [fileFinding(fp, SEALFILE_TEMP, path, "a temp file left by an interrupted sealfile write (it may hold plaintext); unstage and delete it")];
  // A conflict the merge driver left: both encrypted versions between markers; committing it drops the merge.
  if (isConflictFile(bytes)) return [fileFinding(fp, "merge-conflict", path, `an unresolved merge conflict of an encrypted file; resolve it with \`secrets merge --resolve ${path}\``)];
  const decoded = decodeForScan(bytes);
  if (opts.alwaysBlockedOnly) return alwaysBlockedFindings(fp, path, bytes, decoded.text, policy);
  const findings: Finding[] = [];
  const name = baseName(path);
  const binary = decoded.kind === "binary";
  const raw = decoded.text;
  const hasSealedValues = raw.includes("ENC[AES256_GCM,");

  // 1, 2: files under a creation rule must be valid sealed files with every required value encrypted.
  const rule = name === ".sops.yaml" ? undefined : policy.rules.find((r) => r.pathRegex.test(path));
  const nameReason = secretFileReason(path, binary ? "" : raw);
  let sealed = false;
  if (rule !== undefined || nameReason !== null || (hasSealedValues && SOPS_METADATA.test(raw)) || keyFileName(path)) {
    const insp = policy.inspectSealed(path, bytes);
    sealed = insp.sealed;
    if (sealed) {
      findings.push(...clearValueFindings(fp, path, rule, insp));
      if (insp.weakRule) findings.push(fileFinding(fp, "weak-rule", path, `${insp.weakRule}; re-encrypt it under that rule with \`secrets rotate -i --fix-rule ${path}\``));
    } else if (rule !== undefined) {
      const why = insp.problem ? ` (${insp.problem})` : "";
      findings.push(
        fileFinding(
          fp,
          "unsealed-file",
          path,
          `matches creation_rules[${rule.index}] but is not an encrypted file${why}; encrypt it with \`secrets encrypt -i ${path}\``,
        ),
      );
    }
  }

  // 3: secret-looking names (only when no creation rule already said so).
  if (!sealed && rule === undefined && nameReason !== null) {
    findings.push(fileFinding(fp, "secret-file", path, `${nameReason} is not encrypted; encrypt it, or keep it out of git`));
  }

  // 4, 5: known formats and key material (key files are always blocked), then generic assignments.
  const text = hasSealedValues ? blankSealedValues(raw) : raw;
  const hits = findHits(text, CODE_EXT.test(path), !binary && !LOCKFILE.test(name));
  if (!sealed && keyFileName(path) && !hits.some((h) => h.rule === "key-file")) {
    findings.push(fileFinding(fp, "key-file", path, KEY_FILE_MESSAGE));
  }
  findings.push(...toFindings(fp, path, text, dropOverlaps(hits), (r) => !ALWAYS_BLOCKED.has(r)));
  return findings;
}
