/**
 * Owns: `scan(path, bytes, policy)` — every check on one file's bytes, with no I/O: unsealed files under a
 * creation rule, clear values in sealed files, secret file names, key files, known secret formats, and
 * temp files a killed sealfile writer left behind.
 */
import { fingerprint, maskSecret } from "./mask.js";
import type { Hit } from "./patterns.js";
import { CODE_EXT } from "./generic-assignment.js";
import { findHits } from "./trigger-scan.js";
import { baseName, keyFileName, secretFileReason } from "./secret-files.js";
import { hasInlineAllow } from "./allow.js";
import { isSealfileTempName } from "../io/temp-files.js";
import type { Finding, GuardPolicy, GuardRule, SealedInspection } from "./types.js";

/** Git's own test for binary content: a NUL byte in the first 8000 bytes. */
const BINARY_PROBE = 8000;
const SEALED_VALUE = /ENC\[AES256_GCM,[^\]\n]{0,100000}\]/g;
/** Lockfiles hold only integrity hashes and registry URLs; the generic detector is skipped there. */
const LOCKFILE = /^(?:package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|bun\.lock|Cargo\.lock|go\.sum|poetry\.lock|composer\.lock|Gemfile\.lock|Pipfile\.lock|uv\.lock|flake\.lock)$/;

function isBinary(bytes: Uint8Array): boolean {
  return bytes.subarray(0, BINARY_PROBE).includes(0);
}

function decode(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
}

/** Replaces each sealed `ENC[…]` value with spaces of the same length, so offsets and lines are kept. */
function blankSealedValues(text: string): string {
  return text.replace(SEALED_VALUE, (m) => " ".repeat(m.length));
}

/** The rule of a staged sealfile temp file; `.secretsignore` and the baseline do not silence it. */
export const SEALFILE_TEMP = "sealfile-temp";

function fileFinding(rule: string, path: string, message: string, secret = ""): Finding {
  return { rule, path, excerpt: "", fingerprint: fingerprint(rule, path, secret), message };
}

/** Converts hits to findings with 1-based line and column, dropping lines that carry `secrets:allow`. */
function toFindings(path: string, text: string, hits: Hit[], allowInline: (rule: string) => boolean): Finding[] {
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
      fingerprint: fingerprint(h.rule, path, h.secret),
      message: h.message,
    });
  }
  return out;
}

/** Keeps the first of any hits that cover the same characters (detectors run most specific first). */
function dropOverlaps(hits: Hit[]): Hit[] {
  const kept: Hit[] = [];
  for (const h of hits) {
    const end = h.start + h.secret.length;
    if (!kept.some((k) => h.start < k.start + k.secret.length && k.start < end)) kept.push(h);
  }
  return kept;
}

function clearValueFindings(path: string, rule: GuardRule | undefined, insp: SealedInspection): Finding[] {
  const paths = (insp.clearValues ?? []).filter((kp) => rule?.shouldEncrypt?.(kp) ?? true);
  return paths.map((kp) =>
    fileFinding(
      "clear-value",
      path,
      `value at "${kp.join(".")}" is not encrypted; re-encrypt with \`secrets edit ${path}\` or \`secrets encrypt -i ${path}\``,
      kp.join("\0"),
    ),
  );
}

/**
 * Checks one file. Pure: the policy decides what is a valid sealed file; nothing is read or printed.
 * Findings never hold a secret value, only a masked excerpt and a fingerprint.
 */
export function scan(path: string, bytes: Uint8Array, policy: GuardPolicy): Finding[] {
  const findings: Finding[] = [];
  const name = baseName(path);
  // 0: a write that was killed; it may hold plaintext whatever its content looks like.
  if (isSealfileTempName(name)) return [fileFinding(SEALFILE_TEMP, path, "a temp file left by an interrupted sealfile write (it may hold plaintext); unstage and delete it")];
  const binary = isBinary(bytes);
  const raw = binary ? "" : decode(bytes);
  const hasSealedValues = raw.includes("ENC[AES256_GCM,");

  // 1, 2: files under a creation rule must be valid sealed files with every required value encrypted.
  const rule = name === ".sops.yaml" ? undefined : policy.rules.find((r) => r.pathRegex.test(path));
  const nameReason = secretFileReason(path, raw);
  let sealed = false;
  if (rule !== undefined || nameReason !== null || hasSealedValues || keyFileName(path)) {
    const insp = policy.inspectSealed(path, bytes);
    sealed = insp.sealed;
    if (sealed) {
      findings.push(...clearValueFindings(path, rule, insp));
      if (insp.weakRule) findings.push(fileFinding("weak-rule", path, `${insp.weakRule}; re-encrypt it under that rule with \`secrets rotate -i --fix-rule ${path}\``));
    } else if (rule !== undefined) {
      const why = insp.problem ? ` (${insp.problem})` : "";
      findings.push(
        fileFinding(
          "unsealed-file",
          path,
          `matches creation_rules[${rule.index}] but is not an encrypted file${why}; encrypt it with \`secrets encrypt -i ${path}\``,
        ),
      );
    }
  }

  // 3: secret-looking names (only when no creation rule already said so).
  if (!sealed && rule === undefined && nameReason !== null) {
    findings.push(fileFinding("secret-file", path, `${nameReason} is not encrypted; encrypt it, or keep it out of git`));
  }
  if (binary) return findings;

  // 4, 5: known formats and key material (key files are always blocked), then generic assignments.
  const text = hasSealedValues ? blankSealedValues(raw) : raw;
  const hits = findHits(text, CODE_EXT.test(path), !LOCKFILE.test(name));
  if (!sealed && keyFileName(path) && !hits.some((h) => h.rule === "key-file")) {
    findings.push(fileFinding("key-file", path, "a dotenvx key file: key files must never be committed"));
  }
  findings.push(...toFindings(path, text, dropOverlaps(hits), (r) => r !== "key-file"));
  return findings;
}
