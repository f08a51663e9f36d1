/** Owns: running a command on a pseudo-terminal with scripted answers (through `pty-drive.py`), for prompt and Ctrl-C tests. */
import { spawnSync } from "node:child_process";
import { join } from "node:path";

export interface PtyAnswer {
  /** Typed once the terminal has shown this since the previous answer… */
  after: string;
  /** …and, when given, what it shows ends with this (trailing spaces ignored). */
  endsWith?: string;
  send: string;
}

export interface PtySpec {
  answers?: PtyAnswer[];
  /** Send stdout/stderr to these files and read stdin from /dev/null, so the terminal shows only /dev/tty prompts. */
  stdout?: string;
  stderr?: string;
  stdinNull?: boolean;
  /** Seconds before the command is killed (default 60). */
  timeout?: number;
}

export interface PtyResult {
  /** Everything the terminal showed. */
  tty: string;
  exit: number;
  answered: number;
}

export const hasPty = spawnSync("python3", ["-c", "import pty"]).status === 0;

export function runOnPty(argv: string[], spec: PtySpec, opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): PtyResult {
  const r = spawnSync("python3", [join(import.meta.dirname, "pty-drive.py"), JSON.stringify(spec), ...argv], {
    cwd: opts.cwd,
    env: opts.env,
    encoding: "utf8",
    timeout: ((spec.timeout ?? 60) + 10) * 1000,
  });
  if (r.status !== 0) throw new Error(`pty-drive.py failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as PtyResult;
}
