/**
 * Owns: one guard run — choosing the files (staged index, all tracked, explicit paths, standard input, or
 * every file version in the history), applying
 * `.secretsignore`, scanning, and applying or updating the baseline. A sealfile temp file is always reported.
 */
import { lstat } from "node:fs/promises";
import { relative, resolve, sep } from "node:path";
import { listHistoryBlobs, readBlobs } from "../git/history.js";
import { runGitText } from "../git/run-git.js";
import { MODE_SUBMODULE, MODE_SYMLINK, eachStaged, expandPaths, listTracked, readWorkingFiles } from "../git/staged.js";
import { SealError } from "../errors.js";
import { isSealfileTempName } from "../io/temp-files.js";
import { ALWAYS_BLOCKED, DEFAULT_BASELINE, IGNORE_FILE } from "./allow.js";
import { freshRunKey, freshScryptParams, makeFingerprinter, parseBaseline, writeBaseline, type BaselineState, type RunKey } from "./baseline.js";
import { readGuardConfigs, type ConfigText } from "./config-source.js";
import { compileIgnore } from "./ignore-match.js";
import { SEALFILE_TEMP, scan } from "./scan.js";
import { baseName } from "./secret-files.js";
import type { ScryptParams } from "./fingerprint.js";
import type { Finding, GuardPolicy } from "./types.js";

export type GuardMode = "staged" | "all" | "paths" | "stdin" | "history";

/** How a scan of standard input is named in findings. */
export const STDIN_NAME = "<stdin>";

export interface RunGuardOptions {
  readonly cwd: string;
  readonly mode: GuardMode;
  /** For mode "paths": files or directories, relative to `cwd` or absolute. */
  readonly paths?: readonly string[];
  readonly policy: GuardPolicy;
  /** Baseline file, relative to the repository root or absolute (default `.secrets-baseline.json`). */
  readonly baselinePath?: string;
  /**
   * Accept every current finding into the baseline instead of reporting it. With mode "all" the baseline is
   * replaced (fixed findings drop out); otherwise the new fingerprints are added to the existing ones.
   */
  readonly updateBaseline?: boolean;
  /** Fingerprint every finding even when no baseline needs it (for `--json`). */
  readonly fingerprints?: boolean;
  /** For mode "stdin": the bytes read (scanned as one file named STDIN_NAME). */
  readonly stdin?: Uint8Array;
  /** For mode "history": a revision range (`main..HEAD`); every ref when absent. */
  readonly range?: string;
}

export interface GuardResult {
  /** Findings left after `.secretsignore`, inline allows and the baseline, in path order. */
  readonly findings: Finding[];
  /** Files whose content was scanned. */
  readonly checkedFiles: number;
  /** Files skipped by `.secretsignore`, and findings accepted by the baseline. */
  readonly ignoredFiles: number;
  readonly baselined: number;
  /** Files that could not be checked, e.g. "config/x.yaml: unreadable (EACCES)". */
  readonly notes: string[];
  /** Things the user should act on that do not block: an unstaged `.secretsignore`, an old-format baseline. */
  readonly warnings: string[];
  /** The repository root (or `cwd` outside a repository) that finding paths are relative to. */
  readonly root: string;
  /** Set when the baseline was written; `inRepo`: it must be staged to take effect. */
  readonly baselineWritten?: { path: string; count: number; inRepo: boolean };
}

interface Candidate {
  readonly path: string;
  readonly mode: string;
  readonly content: Buffer | null;
  readonly note?: string;
}

async function repoRoot(cwd: string, required: boolean, mode: GuardMode): Promise<{ root: string; inRepo: boolean }> {
  try {
    return { root: await runGitText(["rev-parse", "--show-toplevel"], { cwd }), inRepo: true };
  } catch (e) {
    if (!required) return { root: cwd, inRepo: false };
    const what = mode === "history" ? "--history reads a repository's history" : mode === "all" ? "--all checks the tracked files" : "with no paths the guard checks the staged files";
    throw new SealError("USAGE", `not inside a git repository (${what})`, {
      exitCode: 2,
      cause: e,
      hint: "run it inside a repository, or name what to check: `secrets guard FILE…`, or `secrets guard -` to read standard input",
    });
  }
}

/** Paths named on the command line must exist: a typo must not pass as "0 files checked". */
async function checkPathsExist(cwd: string, paths: readonly string[]): Promise<void> {
  for (const p of paths) {
    try {
      await lstat(resolve(cwd, p));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT" && (e as NodeJS.ErrnoException).code !== "ENOTDIR") continue; // reported as unreadable
      throw new SealError("FILE_NOT_FOUND", `${p}: no such file or folder`, { exitCode: 2, hint: "check the path; with no paths the guard checks the staged files" });
    }
  }
}

const LEGACY_BASELINE_WARNING =
  "is an old-format baseline: its unsalted SHA-256 fingerprints let anyone who can read it test guesses of the " +
  "accepted secrets offline. It is still honoured; rewrite it with `secrets guard --all --baseline-update` and commit it";

/**
 * How fingerprints are shown and written: under the baseline's own parameters; else, for a new baseline, a fresh
 * salt; else (a report only) a run key, as nothing could ever be matched against them.
 */
function outputFingerprints(state: BaselineState, opts: RunGuardOptions): ScryptParams | RunKey | null {
  if (state.kind === "scrypt" && (opts.updateBaseline === true || opts.fingerprints === true)) return state.params;
  if (opts.updateBaseline === true) return freshScryptParams();
  return opts.fingerprints === true ? freshRunKey() : null;
}

async function candidates(root: string, opts: RunGuardOptions): Promise<Candidate[]> {
  if (opts.mode === "all") return readWorkingFiles(root, await listTracked(root));
  const expanded = await expandPaths(root, opts.cwd, opts.paths ?? []);
  const readable = await readWorkingFiles(root, expanded.filter((f) => f.note === undefined));
  return [...readable, ...expanded.filter((f) => f.note !== undefined).map((f) => ({ ...f, content: null }))];
}

/**
 * Runs the guard. Its own configuration (`.secretsignore`, the baseline) is read from the index, never from an
 * untracked or unstaged working-tree file (see config-source.ts). Key files are reported even in files
 * `.secretsignore` lists, and no baseline accepts them.
 * @throws SealError GENERIC (exit 2) on git failures; CANNOT_READ_INPUT / BAD_CONFIG (exit 2) for an
 * unreadable `.secretsignore` or a malformed baseline; CANNOT_WRITE_OUTPUT when the baseline cannot be written.
 */
export async function runGuard(opts: RunGuardOptions): Promise<GuardResult> {
  if (opts.mode === "paths") await checkPathsExist(opts.cwd, opts.paths ?? []);
  const { root, inRepo } = await repoRoot(opts.cwd, opts.mode !== "paths" && opts.mode !== "stdin", opts.mode);
  const baselineFile = resolve(root, opts.baselinePath ?? DEFAULT_BASELINE);
  const baselineRel = relative(root, baselineFile).split(sep).join("/");
  const [ignoreConfig, baselineConfig] = (await readGuardConfigs(root, inRepo, [
    { abs: resolve(root, IGNORE_FILE), explicit: false },
    { abs: baselineFile, explicit: opts.baselinePath !== undefined },
  ])) as [ConfigText, ConfigText];
  const warnings = [ignoreConfig.warning, baselineConfig.warning].filter((w): w is string => w !== undefined);
  const ignore = compileIgnore(ignoreConfig.text ?? "");
  const baseline = parseBaseline(baselineConfig.text, baselineRel.startsWith("..") ? baselineFile : baselineRel);
  if (baseline.kind === "legacy") {
    if (opts.updateBaseline && opts.mode !== "all") {
      throw new SealError("BAD_CONFIG", `${baselineRel} is an old-format baseline (unsalted fingerprints) and cannot be added to`, {
        exitCode: 2,
        hint: "rewrite it with `secrets guard --all --baseline-update`, then commit it",
      });
    }
    if (!opts.updateBaseline) warnings.push(`${baselineRel} ${LEGACY_BASELINE_WARNING}`);
  }
  const output = outputFingerprints(baseline, opts);
  const fingerprinter = makeFingerprinter(baseline, output);

  const notes: string[] = [];
  let checkedFiles = 0;
  let ignoredFiles = 0;
  const all: Finding[] = [];
  const check = (c: Candidate, commit?: string): void => {
    if (c.note !== undefined) notes.push(`${commit ? `${commit.slice(0, 12)}:` : ""}${c.path}: ${c.note}`);
    if (c.content === null || c.mode === MODE_SYMLINK || c.mode === MODE_SUBMODULE) return;
    const skipped = c.path === baselineRel || (ignore.ignores(c.path) && !isSealfileTempName(baseName(c.path)));
    if (skipped && c.path !== baselineRel) ignoredFiles++;
    if (!skipped) checkedFiles++;
    const found = scan(c.path, c.content, opts.policy, { fingerprinter, alwaysBlockedOnly: skipped });
    all.push(...(commit === undefined ? found : found.map((f) => ({ ...f, commit }))));
  };
  if (opts.mode === "history") {
    const blobs = await listHistoryBlobs(root, opts.range);
    await readBlobs(root, blobs, (b, content) => check({ path: b.path, mode: b.mode, content, ...(content === null ? { note: "too large to read" } : {}) }, b.commit));
  } else if (opts.mode === "stdin") {
    checkedFiles++;
    all.push(...scan(STDIN_NAME, opts.stdin ?? new Uint8Array(), opts.policy, { fingerprinter }));
  } else if (opts.mode === "staged") {
    await eachStaged(root, (c) => check(c)); // each blob is scanned as it arrives from git
  } else {
    for (const c of await candidates(root, opts)) check(c);
  }
  // history: in commit order (as found); otherwise by path and line
  if (opts.mode !== "history") all.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : (a.line ?? 0) - (b.line ?? 0)));
  const blockedAlways = (f: Finding): boolean => ALWAYS_BLOCKED.has(f.rule);

  if (opts.updateBaseline && output !== null && !("runKey" in output)) {
    const kept = opts.mode === "all" || baseline.kind !== "scrypt" ? [] : [...baseline.fingerprints];
    const accepted = all.filter((f) => !blockedAlways(f));
    const written = writeBaseline(baselineFile, output, [...kept, ...accepted.map((f) => f.fingerprint)]);
    const baselineWritten = { path: baselineFile, count: written.count, inRepo: inRepo && !baselineRel.startsWith("..") };
    return { findings: all.filter(blockedAlways), checkedFiles, ignoredFiles, baselined: accepted.length, notes, warnings, root, baselineWritten };
  }
  const findings = all.filter((f) => blockedAlways(f) || f.rule === SEALFILE_TEMP || f.accepted !== true);
  return { findings, checkedFiles, ignoredFiles, baselined: all.length - findings.length, notes, warnings, root };
}
