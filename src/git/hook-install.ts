/**
 * Owns: installing the guard as a pre-commit hook — a line in `.husky/pre-commit` when the repository uses
 * husky, otherwise our own `pre-commit` script in git's hooks folder, never clobbering someone else's hook.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { writeFileAtomic } from "../io/atomic-write.js";
import { SealError } from "../errors.js";
import { runGitText } from "./run-git.js";

/** The command the hook runs. */
export const GUARD_COMMAND = "npx --no-install secrets guard --staged";
/** Marks a hook script as written by us, so re-installing may replace it. */
const OUR_MARK = "# installed by sealfile: secrets hook install";
const HOOK_SCRIPT = `#!/bin/sh\n${OUR_MARK}\n# Blocks commits that would put a plaintext secret into git history.\n${GUARD_COMMAND}\n`;

export interface HookInstallResult {
  readonly manager: "husky" | "git";
  /** "created": new file; "added": our line appended to an existing husky hook; "unchanged": already there;
   * "updated": our own older script rewritten; "replaced": a foreign hook overwritten with `force` (kept as a backup). */
  readonly action: "created" | "added" | "unchanged" | "updated" | "replaced";
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
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as Record<string, unknown>;
    const deps = { ...(pkg["dependencies"] as object | undefined), ...(pkg["devDependencies"] as object | undefined) };
    return { husky: "husky" in deps, active };
  } catch {
    return { husky: false, active };
  }
}

function installHusky(root: string, active: boolean): HookInstallResult {
  const hookPath = join(root, ".husky", "pre-commit");
  const note = active ? undefined : "husky is not active yet: run `npx husky` (or `npm install` with a `prepare: husky` script)";
  const extra = note === undefined ? {} : { note };
  if (!existsSync(hookPath)) {
    mkdirSync(dirname(hookPath), { recursive: true });
    writeFileAtomic(hookPath, Buffer.from(`${GUARD_COMMAND}\n`), 0o755);
    return { manager: "husky", action: "created", hookPath, ...extra };
  }
  const current = readFileSync(hookPath, "utf8");
  // `secrets guard …`, or `node bin/secrets.js guard …` as in a checkout of sealfile itself.
  if (current.split("\n").some((l) => /\bsecrets(?:\.js)?\s+guard\b/.test(l) && !l.trimStart().startsWith("#"))) {
    return { manager: "husky", action: "unchanged", hookPath, ...extra };
  }
  const sep = current === "" || current.endsWith("\n") ? "" : "\n";
  writeFileAtomic(hookPath, Buffer.from(`${current}${sep}${GUARD_COMMAND}\n`));
  // husky 9 runs the file through `sh`, but with `core.hooksPath=.husky` git needs it executable.
  chmodSync(hookPath, 0o755);
  return { manager: "husky", action: "added", hookPath, ...extra };
}

function installGitHook(hooksDir: string, force: boolean): HookInstallResult {
  const hookPath = join(hooksDir, "pre-commit");
  mkdirSync(hooksDir, { recursive: true });
  if (!existsSync(hookPath)) {
    writeFileAtomic(hookPath, Buffer.from(HOOK_SCRIPT), 0o755);
    return { manager: "git", action: "created", hookPath };
  }
  const current = readFileSync(hookPath, "utf8");
  if (current === HOOK_SCRIPT) {
    chmodSync(hookPath, 0o755);
    return { manager: "git", action: "unchanged", hookPath };
  }
  if (current.includes(OUR_MARK)) {
    writeFileAtomic(hookPath, Buffer.from(HOOK_SCRIPT));
    chmodSync(hookPath, 0o755);
    return { manager: "git", action: "updated", hookPath };
  }
  if (!force) {
    throw new SealError("GENERIC", `${hookPath} already exists and was not installed by sealfile`, {
      exitCode: 2,
      hint: `add \`${GUARD_COMMAND}\` to it yourself, or re-run with --force to replace it (a backup is kept)`,
    });
  }
  const backupPath = `${hookPath}.sealfile-backup`;
  writeFileAtomic(backupPath, Buffer.from(current), 0o755);
  writeFileAtomic(hookPath, Buffer.from(HOOK_SCRIPT));
  chmodSync(hookPath, 0o755);
  return { manager: "git", action: "replaced", hookPath, backupPath };
}

/**
 * Installs the guard as a pre-commit hook for the repository containing `cwd`. Idempotent.
 * @throws SealError GENERIC (exit 2) when `cwd` is not in a git repository, or a foreign hook exists and
 * `force` is not set; CANNOT_WRITE_OUTPUT when the hook cannot be written.
 */
export async function installHook(opts: { cwd: string; force?: boolean }): Promise<HookInstallResult> {
  const root = await runGitText(["rev-parse", "--show-toplevel"], { cwd: opts.cwd });
  const { husky, active } = await usesHusky(root);
  if (husky) return installHusky(root, active);
  // --git-path honours core.hooksPath and linked worktrees; it answers relative to the cwd it ran in.
  const hooksDir = resolve(root, await runGitText(["rev-parse", "--git-path", "hooks"], { cwd: root }));
  return installGitHook(hooksDir, opts.force ?? false);
}
