/** Owns: how a guard result is shown — the human report (file:line, rule id, masked excerpt, how to fix) and the JSON document. */
import { relative, sep } from "node:path";
import type { Finding, GuardMode, GuardResult } from "../guard/index.js";

/** Version of the `--json` document; bump when a field changes meaning. */
export const GUARD_JSON_VERSION = 1;

const WHAT: Record<GuardMode, string> = { staged: "staged file", all: "tracked file", paths: "file", stdin: "input", history: "file version" };

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** `path:line:column`, prefixed with the commit's short id (`3f2a1b9c0d4e:path:…`) for a history finding. */
function place(f: Finding): string {
  const at = f.line === undefined ? f.path : `${f.path}:${f.line}:${f.column ?? 1}`;
  return f.commit === undefined ? at : `${f.commit.slice(0, 12)}:${at}`;
}

/** The `--json` document: every finding (masked excerpt and fingerprint, never the value) plus counts. */
export function guardJson(mode: GuardMode, r: GuardResult): string {
  const findings = r.findings.map((f) => ({
    ...(f.commit === undefined ? {} : { commit: f.commit }),
    path: f.path,
    ...(f.line === undefined ? {} : { line: f.line, column: f.column ?? 1 }),
    rule: f.rule,
    excerpt: f.excerpt,
    message: f.message,
    fingerprint: f.fingerprint,
  }));
  const doc = {
    version: GUARD_JSON_VERSION,
    mode,
    root: r.root,
    checkedFiles: r.checkedFiles,
    ignoredFiles: r.ignoredFiles,
    baselined: r.baselined,
    notes: r.notes,
    warnings: r.warnings,
    findings,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** One line per finding, then its message indented below. */
export function guardFindingLines(r: GuardResult): string {
  return r.findings
    .map((f) => `${place(f)}  ${f.rule}${f.excerpt ? `  ${f.excerpt}` : ""}\n    ${f.message}\n`)
    .join("");
}

/** The summary of a clean run (or of a baseline update). */
export function guardSummary(mode: GuardMode, r: GuardResult): string {
  const extra = [
    r.ignoredFiles ? `${r.ignoredFiles} ignored by .secretsignore` : "",
    r.baselined && !r.baselineWritten ? `${plural(r.baselined, "finding")} accepted by the baseline` : "",
  ].filter((s) => s !== "");
  const counted = `${plural(r.checkedFiles, WHAT[mode])} checked${extra.length ? ` (${extra.join(", ")})` : ""}`;
  if (r.baselineWritten) {
    const where = relative(r.root, r.baselineWritten.path).split(sep).join("/");
    const stage = r.baselineWritten.inRepo ? `; \`git add ${where}\` to use it (the guard reads the staged version)` : "";
    return `secrets guard: ${counted}; ${plural(r.baselined, "finding")} accepted, ${where} now holds ${plural(r.baselineWritten.count, "fingerprint")}${stage}\n`;
  }
  return `secrets guard: ${counted}, no secrets found\n`;
}

/** The headline of a failing run, used as the error message. */
export function guardHeadline(mode: GuardMode, r: GuardResult): string {
  const files = new Set(r.findings.map((f) => f.path)).size;
  return `${plural(r.findings.length, "finding")} in ${plural(files, WHAT[mode])}${mode === "staged" ? "; commit blocked" : ""}`;
}

/** What to do about findings, shown as the error's hint. */
export function guardAdvice(mode: GuardMode): string {
  const restage = mode === "staged" ? ", then `git add` the fix (the guard checks what is staged, not the working tree)" : "";
  return [
    `fix: remove the secret (and rotate it if it ever left your machine) or encrypt the file with \`secrets encrypt -i FILE\`${restage}`,
    "allow a false alarm: add a `secrets:allow` comment on its line, list the path in .secretsignore, or accept every current finding with `secrets guard --baseline-update`",
  ].join("\n      ");
}
