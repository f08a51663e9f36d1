/**
 * Owns: installing the guard as a pre-commit hook — a line in `.husky/pre-commit` when the repository uses
 * husky, otherwise our own `pre-commit` script in git's hooks folder, never clobbering someone else's hook
 * (`force` chains it) — and uninstalling it.
 */
import { chmodSync, existsSync, mkdirSync, renameSync, unlinkSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { writeFileAtomic } from "../io/atomic-write.js";
import { SealError } from "../errors.js";
import { runGitText } from "./run-git.js";
import { readSmallText } from "../io/small-file.js";

/** How the hook calls sealfile when the caller does not say (the old default, which needed npx). */
export const DEFAULT_SECRETS_COMMAND = "secrets";
/** Marks a hook script as written by us, so re-installing may replace it. */
const OUR_MARK = "# installed by sealfile: secrets hook install";
/** Where `--force` moves a foreign hook so ours can run it first. */
const CHAINED_SUFFIX = ".sealfile-chained";
/** A line of ours in any hook: `secrets guard`, `node …/secrets.js guard`, or the old `npx --no-install secrets guard`. */
const OUR_LINE = /\bsecrets(?:\.js'?)?\s+guard\b/;

/** The guard's command line, given how to start sealfile (`secrets`, `node bin/secrets.js`, `node '/abs/…'`). */
export function guardLine(secretsCommand: string): string {
  return `${secretsCommand} guard --staged`;
}

function hookScript(secretsCommand: string, chained: boolean): string {
  const lines = ["#!/bin/sh", OUR_MARK, "# Blocks commits that would put a plaintext secret into git history."];
  if (chained) lines.push(`# The hook that was here before runs first (secrets hook uninstall puts it back).`, `"$(dirname "$0")/pre-commit${CHAINED_SUFFIX}" "$@" || exit $?`);
  return `${lines.join("\n")}\n${guardLine(secretsCommand)}\n`;
}

export interface HookInstallResult {
  readonly manager: "husky" | "git";
  /** "created": new file; "added": our line appended to an existing husky hook; "unchanged": already there;
   * "updated": our own older line or script rewritten; "chained": a foreign hook kept and run before ours (`force`). */
  readonly action: "created" | "added" | "unchanged" | "updated" | "chained";
  readonly hookPath: string;
  readonly backupPath?: string;
  /** Something the user still has to do, e.g. activate husky. */
  readonly note?: string;
}

async function usesHusky(root: string): Promise<{ husky: boolean; active: boolean }> {
  let hooksPath = "";
  try {
    hooksPath = await runGitText(["config", "--get", "core.hooksPath"], { cwd: root, okExitCodes: [1] });
  } catch {
    hooksPath = "";
  }
  const active = /(?:^|\/)\.husky(?:\/_)?\/?$/.test(hooksPath);
  if (active || existsSync(join(root, ".husky"))) return { husky: true, active };
  try {
    const pkg = JSON.parse(readSmallText(join(root, "package.json"), "package.json")) as Record<string, unknown>;
    const deps = { ...(pkg["dependencies"] as object | undefined), ...(pkg["devDependencies"] as object | undefined) };
    return { husky: "husky" in deps, active };
  } catch {
    return { husky: false, active };
  }
}

function installHusky(root: string, active: boolean, command: string): HookInstallResult {
  const hookPath = join(root, ".husky", "pre-commit");
  const note = active ? undefined : "husky is not active yet: run `npx husky` (or `npm install` with a `prepare: husky` script)";
  const extra = note === undefined ? {} : { note };
  const line = guardLine(command);
  if (!existsSync(hookPath)) {
    mkdirSync(dirname(hookPath), { recursive: true });
    writeFileAtomic(hookPath, Buffer.from(`${line}\n`), 0o755);
    return { manager: "husky", action: "created", hookPath, ...extra };
  }
  const current = readSmallText(hookPath, hookPath);
  const lines = current.split("\n");
  const ours = lines.findIndex((l) => OUR_LINE.test(l) && !l.trimStart().startsWith("#"));
  if (ours >= 0 && lines[ours]?.trim() === line) return { manager: "husky", action: "unchanged", hookPath, ...extra };
  if (ours >= 0) {
    lines[ours] = line;
    writeFileAtomic(hookPath, Buffer.from(lines.join("\n")));
    chmodSync(hookPath, 0o755);
    return { manager: "husky", action: "updated", hookPath, ...extra };
  }
  const sep = current === "" || current.endsWith("\n") ? "" : "\n";
  writeFileAtomic(hookPath, Buffer.from(`${current}${sep}${line}\n`));
  // husky 9 runs the file through `sh`, but with `core.hooksPath=.husky` git needs it executable.
  chmodSync(hookPath, 0o755);
  return { manager: "husky", action: "added", hookPath, ...extra };
}

function installGitHook(hooksDir: string, force: boolean, command: string): HookInstallResult {
  const hookPath = join(hooksDir, "pre-commit");
  const chainedPath = `${hookPath}${CHAINED_SUFFIX}`;
  mkdirSync(hooksDir, { recursive: true });
  if (!existsSync(hookPath)) {
    writeFileAtomic(hookPath, Buffer.from(hookScript(command, false)), 0o755);
    return { manager: "git", action: "created", hookPath };
  }
  const current = readSmallText(hookPath, hookPath);
  if (current.includes(OUR_MARK)) {
    const script = hookScript(command, existsSync(chainedPath));
    const action = current === script ? "unchanged" : "updated";
    if (action === "updated") writeFileAtomic(hookPath, Buffer.from(script));
    chmodSync(hookPath, 0o755);
    return { manager: "git", action, hookPath };
  }
  if (!force) {
    throw new SealError("GENERIC", `${hookPath} already exists and was not installed by sealfile`, {
      exitCode: 2,
      hint: `add \`${guardLine(command)}\` to it yourself, or re-run with --force to keep it and run the guard after it`,
    });
  }
  if (existsSync(chainedPath)) {
    throw new SealError("GENERIC", `${chainedPath} already exists`, { exitCode: 2, hint: "move it away (it is a hook sealfile chained before), then re-run" });
  }
  renameSync(hookPath, chainedPath);
  chmodSync(chainedPath, 0o755);
  writeFileAtomic(hookPath, Buffer.from(hookScript(command, true)), 0o755);
  return { manager: "git", action: "chained", hookPath, backupPath: chainedPath };
}

export interface HookUninstallResult {
  /** "removed": our script deleted; "restored": the chained hook put back; "edited": our line taken out of a husky hook; "absent": nothing of ours. */
  readonly action: "removed" | "restored" | "edited" | "absent";
  readonly hookPath: string;
}

/**
 * Takes the guard out of the pre-commit hook: our own script is deleted (or the hook it chained put back),
 * and in a husky hook only our line goes.
 * @throws SealError GENERIC (exit 2) outside a git repository.
 */
export async function uninstallHook(opts: { cwd: string }): Promise<HookUninstallResult> {
  const root = await repoTop(opts.cwd);
  const huskyHook = join(root, ".husky", "pre-commit");
  if (existsSync(huskyHook)) {
    const lines = readSmallText(huskyHook, huskyHook).split("\n");
    const kept = lines.filter((l) => !(OUR_LINE.test(l) && !l.trimStart().startsWith("#")));
    if (kept.length !== lines.length) {
      writeFileAtomic(huskyHook, Buffer.from(kept.join("\n")));
      return { action: "edited", hookPath: huskyHook };
    }
  }
  const hookPath = join(resolve(root, await runGitText(["rev-parse", "--git-path", "hooks"], { cwd: root })), "pre-commit");
  if (!existsSync(hookPath) || !readSmallText(hookPath, hookPath).includes(OUR_MARK)) return { action: "absent", hookPath };
  const chainedPath = `${hookPath}${CHAINED_SUFFIX}`;
  if (existsSync(chainedPath)) {
    renameSync(chainedPath, hookPath);
    return { action: "restored", hookPath };
  }
  unlinkSync(hookPath);
  return { action: "removed", hookPath };
}

async function repoTop(cwd: string): Promise<string> {
  try {
    return await runGitText(["rev-parse", "--show-toplevel"], { cwd });
  } catch (e) {
    throw new SealError("GENERIC", "not inside a git repository", { exitCode: 2, cause: e, hint: "run this inside the repository whose commits the guard should check" });
  }
}

/**
 * Installs the guard as a pre-commit hook for the repository containing `cwd`. Idempotent.
 * `command` starts sealfile (see driver-command.ts: `secrets` on PATH, `node <path in the repo>`, or
 * `node <absolute path>`), so the hook costs one sealfile start and needs no npx. With `force`, a foreign hook
 * is kept as `pre-commit.sealfile-chained` and run before the guard.
 * @throws SealError GENERIC (exit 2) when `cwd` is not in a git repository, or a foreign hook exists and
 * `force` is not set; CANNOT_WRITE_OUTPUT when the hook cannot be written.
 */
export async function installHook(opts: { cwd: string; force?: boolean; command?: string }): Promise<HookInstallResult> {
  const root = await repoTop(opts.cwd);
  const command = opts.command ?? DEFAULT_SECRETS_COMMAND;
  const { husky, active } = await usesHusky(root);
  if (husky) return installHusky(root, active, command);
  // --git-path honours core.hooksPath and linked worktrees; it answers relative to the cwd it ran in.
  const hooksDir = resolve(root, await runGitText(["rev-parse", "--git-path", "hooks"], { cwd: root }));
  return installGitHook(hooksDir, opts.force ?? false, command);
}
