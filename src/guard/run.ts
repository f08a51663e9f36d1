/**
 * Owns: one guard run — choosing the files (staged index, all tracked, or explicit paths), applying
 * `.secretsignore`, scanning, and applying or updating the baseline. A sealfile temp file is always reported.
 */
import { relative, resolve, sep } from "node:path";
import { runGitText } from "../git/run-git.js";
import { MODE_SUBMODULE, MODE_SYMLINK, expandPaths, listTracked, readStaged, readWorkingFiles } from "../git/staged.js";
import { DEFAULT_BASELINE, loadBaseline, loadIgnoreFile, writeBaseline } from "./allow.js";
import { SEALFILE_TEMP, scan } from "./scan.js";
import { isSealfileTempName } from "../io/temp-files.js";
import { baseName } from "./secret-files.js";
import type { Finding, GuardPolicy } from "./types.js";

export type GuardMode = "staged" | "all" | "paths";

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
  /** The repository root (or `cwd` outside a repository) that finding paths are relative to. */
  readonly root: string;
  /** Set when the baseline was written. */
  readonly baselineWritten?: { path: string; count: number };
}

interface Candidate {
  readonly path: string;
  readonly mode: string;
  readonly content: Buffer | null;
  readonly note?: string;
}

async function repoRoot(cwd: string, required: boolean): Promise<string> {
  try {
    return await runGitText(["rev-parse", "--show-toplevel"], { cwd });
  } catch (e) {
    if (required) throw e;
    return cwd;
  }
}

async function candidates(root: string, opts: RunGuardOptions): Promise<Candidate[]> {
  if (opts.mode === "staged") return readStaged(root);
  if (opts.mode === "all") return readWorkingFiles(root, await listTracked(root));
  const expanded = await expandPaths(root, opts.cwd, opts.paths ?? []);
  const readable = await readWorkingFiles(root, expanded.filter((f) => f.note === undefined));
  return [...readable, ...expanded.filter((f) => f.note !== undefined).map((f) => ({ ...f, content: null }))];
}

/**
 * Runs the guard.
 * @throws SealError GENERIC (exit 2) on git failures; CANNOT_READ_INPUT / BAD_CONFIG (exit 2) for an
 * unreadable `.secretsignore` or a malformed baseline; CANNOT_WRITE_OUTPUT when the baseline cannot be written.
 */
export async function runGuard(opts: RunGuardOptions): Promise<GuardResult> {
  const root = await repoRoot(opts.cwd, opts.mode !== "paths");
  const ignore = await loadIgnoreFile(root);
  const baselineFile = resolve(root, opts.baselinePath ?? DEFAULT_BASELINE);
  const baselineRel = relative(root, baselineFile).split(sep).join("/");
  const accepted = await loadBaseline(baselineFile);

  const notes: string[] = [];
  let checkedFiles = 0;
  let ignoredFiles = 0;
  const all: Finding[] = [];
  for (const c of await candidates(root, opts)) {
    if (c.note !== undefined) notes.push(`${c.path}: ${c.note}`);
    if (c.content === null || c.mode === MODE_SYMLINK || c.mode === MODE_SUBMODULE) continue;
    if (c.path === baselineRel) continue;
    if (ignore.ignores(c.path) && !isSealfileTempName(baseName(c.path))) {
      ignoredFiles++;
      continue;
    }
    checkedFiles++;
    all.push(...scan(c.path, c.content, opts.policy));
  }
  all.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : (a.line ?? 0) - (b.line ?? 0)));

  if (opts.updateBaseline) {
    const keep = opts.mode === "all" ? [] : [...accepted].map((fp) => ({ fingerprint: fp }) as Finding);
    const written = writeBaseline(baselineFile, [...keep, ...all]);
    return { findings: [], checkedFiles, ignoredFiles, baselined: all.length, notes, root, baselineWritten: { path: baselineFile, count: written.fingerprints.length } };
  }
  const findings = all.filter((f) => f.rule === SEALFILE_TEMP || !accepted.has(f.fingerprint));
  return { findings, checkedFiles, ignoredFiles, baselined: all.length - findings.length, notes, root };
}
