/**
 * Owns: running `git` with an argument array (never a shell string) and turning failures into SealErrors, and
 * telling beforehand when git could not find a repository at all.
 */
import { spawn } from "node:child_process";
import { existsSync, realpathSync } from "node:fs";
import { dirname, join } from "node:path";
import { SealError } from "../errors.js";

export interface RunGitOptions {
  /** Working directory for git. */
  readonly cwd: string;
  /** Bytes written to git's stdin (then closed). */
  readonly input?: Uint8Array;
  /** Exit statuses, besides 0, that count as success (e.g. 1 for `git config --get` with no value). */
  readonly okExitCodes?: readonly number[];
}

/** Exit status of every git failure: the guard's "usage or git error". */
const GIT_FAILURE_EXIT = 2;

/**
 * Runs `git ...args` and resolves with its stdout. Nothing is interpreted by a shell. Git's stderr is
 * only ever quoted by its first line: git names paths and refs there, never blob contents.
 * @throws SealError GENERIC (exit 2) when git cannot start or exits with a status not allowed.
 */
export function runGit(args: readonly string[], options: RunGitOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", [...args], {
      cwd: options.cwd,
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => err.push(c));
    // git may exit before reading all of stdin (e.g. a bad object name); EPIPE is then reported by `close`.
    child.stdin.on("error", () => {});
    child.on("error", (e: NodeJS.ErrnoException) => {
      const what = e.code === "ENOENT" ? "git is not installed or not on PATH" : `could not run git ${args[0] ?? ""}`;
      reject(new SealError("GENERIC", what, { exitCode: GIT_FAILURE_EXIT, cause: e }));
    });
    child.on("close", (code, signal) => {
      if (code === 0 || (code !== null && options.okExitCodes?.includes(code))) {
        resolve(Buffer.concat(out));
        return;
      }
      const first = Buffer.concat(err).toString("utf8").trim().split("\n")[0] ?? "";
      const status = code === null ? `signal ${signal ?? "?"}` : `status ${code}`;
      reject(
        new SealError("GENERIC", `git ${args[0] ?? ""} failed (${status})${first ? `: ${first}` : ""}`, {
          exitCode: GIT_FAILURE_EXIT,
          details: { args: [...args], exitStatus: code },
        }),
      );
    });
    child.stdin.end(options.input ?? undefined);
  });
}

/** Like {@link runGit}, decoded as UTF-8 with trailing newlines removed. */
export async function runGitText(args: readonly string[], options: RunGitOptions): Promise<string> {
  return (await runGit(args, options)).toString("utf8").replace(/\n+$/, "");
}

/**
 * False only when git, started in `folder`, certainly finds no repository: GIT_DIR is not set and neither
 * `folder` nor any folder above it (symbolic links resolved, as git sees its working directory) has a `.git`
 * entry or is itself a bare repository. Spares starting git (tens of milliseconds) outside repositories.
 */
export function mayBeInRepository(folder: string): boolean {
  if (process.env.GIT_DIR !== undefined) return true;
  let dir: string;
  try {
    dir = realpathSync(folder);
  } catch {
    return true; // let git decide
  }
  for (;;) {
    if (existsSync(join(dir, ".git")) || (existsSync(join(dir, "HEAD")) && existsSync(join(dir, "objects")) && existsSync(join(dir, "refs")))) return true;
    const parent = dirname(dir);
    if (parent === dir) return false;
    dir = parent;
  }
}
