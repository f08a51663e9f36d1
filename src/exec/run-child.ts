/**
 * Owns: running the user's command as a child process that behaves as if started directly: inherited
 * stdio and TTY, signals passed on, its exit status handed back (128+N when killed by signal N).
 *
 * Process groups: with no controlling terminal (CI, services, `setsid`), the child starts in a group of
 * its own and forwarded signals go to that whole group, so `sh -c '…; sleep 300'` takes its `sleep` with
 * it on SIGTERM. With a terminal, the child stays in our group: Node cannot hand the terminal's
 * foreground to another group (tcsetpgrp), and the terminal itself already signals every process of the
 * foreground group on Ctrl-C/Ctrl-Z, grandchildren included; there, a SIGTERM sent to us reaches the
 * child only.
 */
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { constants as osConstants } from "node:os";
import type { Readable, Writable } from "node:stream";
import { SealError } from "../errors.js";
import { childProcesses } from "./_child-process.lazy.js";
import { startInherited, type InheritedChild } from "./_process-handle.js";
import { hasControllingTerminal, inTerminalForeground } from "./_terminal.js";
import { createMaskStream } from "./mask.js";

/** Signals passed on to the child while it runs. */
export const FORWARDED_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2"] as const;
/** The ones a terminal sends to the whole foreground process group (Ctrl-C, Ctrl-\). */
const TERMINAL_SIGNALS: ReadonlySet<string> = new Set(["SIGINT", "SIGQUIT"]);

/** stdout/stderr go through a filter that replaces secret values with `***`. */
export interface MaskedStdio {
  readonly mask: readonly string[];
  /** Where the filtered output goes (defaults: this process's stdout and stderr). */
  readonly stdout?: Writable;
  readonly stderr?: Writable;
}

export interface RunChildOptions {
  /** argv: the program and its arguments, never parsed by a shell unless `shell` is set. */
  readonly command: readonly string[];
  /** Run `command.join(" ")` through `/bin/sh -c` (for pipes and redirections). */
  readonly shell: boolean;
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly stdio: "inherit" | MaskedStdio;
}

/**
 * Starts the command, waits for it, and resolves with its exit status. With masking, also waits until
 * the child's output has been passed on.
 *
 * @throws SealError `COMMAND_NOT_FOUND` (exit 127) when the program does not exist,
 *   `COMMAND_NOT_EXECUTABLE` (126) when it cannot be run, `COMMAND_TOO_LARGE` (126) when the environment
 *   and arguments exceed the system's limit, `FILE_NOT_FOUND` when `cwd` does not exist, `USAGE` for an
 *   empty command, `GENERIC` when the environment cannot be passed or the process cannot be started.
 */
export async function runChild(opts: RunChildOptions): Promise<{ exitCode: number }> {
  const program = opts.command[0];
  if (program === undefined || program === "") throw new SealError("USAGE", "no command given to run");
  checkEnv(opts.env);
  const [file, args] = opts.shell ? ["/bin/sh", ["-c", opts.command.join(" ")]] : [program, opts.command.slice(1)];
  const masked = opts.stdio === "inherit" ? undefined : opts.stdio;

  const ownGroup = !hasControllingTerminal();
  // A new session, hence a new process group led by the child (Node offers no plain setpgid).
  const spawnOpts = { cwd: opts.cwd, env: opts.env, detached: ownGroup };
  let child: StartedChild;
  let piped: ChildProcess | undefined;
  try {
    const inherited = masked ? undefined : startInherited(file, args, spawnOpts);
    if (inherited !== undefined) child = inherited;
    else {
      piped = childProcesses().spawn(file, args, { ...spawnOpts, stdio: masked ? ["inherit", "pipe", "pipe"] : "inherit" });
      child = adapt(piped);
    }
  } catch (e) {
    if (errCode(e) === "E2BIG") throw tooLarge(program, file, args, opts.env);
    throw startError(e, program, opts.cwd);
  }

  const removeForwarding = forwardSignals(child, ownGroup);
  try {
    const outputDone = masked && piped ? pipeMasked(piped, masked) : Promise.resolve();
    const exitCode = await waitForExit(child, program, opts.cwd);
    await outputDone;
    return { exitCode };
  } finally {
    removeForwarding();
  }
}

/** A started child, whether from Node's process handle or from child_process. */
type StartedChild = Omit<InheritedChild, "pid"> & { readonly pid: number | undefined };

/** child_process's child as a StartedChild; start errors it reports by an `error` event reject `exit`. */
function adapt(proc: ChildProcess): StartedChild {
  return {
    get pid() {
      return proc.pid;
    },
    running: () => proc.exitCode === null && proc.signalCode === null,
    kill: (signal) => void proc.kill(signal),
    exit: new Promise((resolve, reject) => {
      proc.once("error", reject);
      proc.once("close", (code: number | null, signal: NodeJS.Signals | null) => resolve({ code, signal }));
    }),
  };
}

function forwardSignals(child: StartedChild, ownGroup: boolean): () => void {
  const installed: Array<[NodeJS.Signals, () => void]> = [];
  for (const sig of FORWARDED_SIGNALS) {
    const handler = (): void => {
      // See _terminal.ts: the child already has a terminal-generated SIGINT/SIGQUIT.
      if (TERMINAL_SIGNALS.has(sig) && inTerminalForeground()) return;
      if (child.pid === undefined || !child.running()) return;
      if (!ownGroup) {
        child.kill(sig);
        return;
      }
      try {
        process.kill(-child.pid, sig);
      } catch {
        child.kill(sig); // the group is already gone but the child has not been reaped yet
      }
    };
    process.on(sig, handler);
    installed.push([sig, handler]);
  }
  return () => {
    for (const [sig, handler] of installed) process.removeListener(sig, handler);
  };
}

async function waitForExit(child: StartedChild, program: string, cwd: string): Promise<number> {
  let ended: { code: number | null; signal: NodeJS.Signals | null };
  try {
    ended = await child.exit;
  } catch (e) {
    throw startError(e, program, cwd);
  }
  if (ended.code !== null) return ended.code;
  return 128 + (ended.signal === null ? 0 : (osConstants.signals[ended.signal] ?? 0));
}

/** What a refused start means to the user; child_process reports some by throwing, some by an `error` event. */
function startError(e: unknown, program: string, cwd: string): SealError {
  const code = errCode(e);
  if (code === "ENOENT" && !existsSync(cwd)) {
    return new SealError("FILE_NOT_FOUND", `working directory ${cwd} does not exist`);
  }
  if (code === "ENOENT") {
    return new SealError("COMMAND_NOT_FOUND", `command not found: ${program}`, {
      hint: "check the spelling, and that it is on PATH (with --pristine, PATH is the only one kept)",
      details: { command: program },
    });
  }
  if (code === "EACCES" || code === "ENOEXEC" || code === "EISDIR") {
    return new SealError("COMMAND_NOT_EXECUTABLE", `cannot run ${program}: it is not an executable program (${code})`, {
      hint: "make it executable (chmod +x), or run it through its interpreter, e.g. `secrets exec -- sh script.sh`",
      details: { command: program },
    });
  }
  // Node's own message may quote the offending argument or environment entry: only its code is passed on.
  return new SealError("GENERIC", `could not start ${program}: ${code ?? "unknown error"}`, {
    hint: "check that the command runs on its own, outside `secrets exec` (and, under Node's permission model, that child processes are allowed)",
  });
}

/** Linux limits one argument or `NAME=value` entry to 128 KiB (MAX_ARG_STRLEN), and all of them together. */
const MAX_ONE_ENTRY = 128 * 1024;

function tooLarge(program: string, file: string, args: readonly string[], env: Readonly<Record<string, string>>): SealError {
  const entryBytes = (name: string): number => Buffer.byteLength(name) + 1 + Buffer.byteLength(env[name]!) + 1;
  const names = Object.keys(env).filter((n) => entryBytes(n) > MAX_ONE_ENTRY);
  const argTooLong = [file, ...args].some((a) => Buffer.byteLength(a) + 1 > MAX_ONE_ENTRY);
  const which =
    names.length > 0
      ? `environment variable${names.length > 1 ? "s" : ""} ${names.join(", ")} ${names.length > 1 ? "are" : "is"} larger than the 128 KiB one variable may hold`
      : argTooLong
        ? "an argument is larger than the 128 KiB one argument may hold"
        : "the environment and arguments together exceed the system's limit";
  return new SealError("COMMAND_TOO_LARGE", `cannot start ${program}: ${which} (E2BIG)`, {
    hint: "offer large values as a file instead of a variable: --file-env NAME=FILE gives the child a path to the decrypted file",
    details: { command: program, variables: names },
  });
}

function errCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** Node would refuse these with a message quoting the value; refuse them first, naming only the name. */
function checkEnv(env: Readonly<Record<string, string>>): void {
  for (const name in env) {
    const v = env[name];
    if (name === "" || name.includes("=") || name.includes("\0") || typeof v !== "string" || v.includes("\0")) {
      throw new SealError("GENERIC", `environment variable ${JSON.stringify(name.replace(/\0/g, "\\0"))} cannot be passed to a process`, {
        hint: "names must be non-empty without `=`; names and values cannot hold NUL bytes",
      });
    }
  }
}

function pipeMasked(child: ChildProcess, masked: MaskedStdio): Promise<void> {
  const pairs: Array<[Readable | null, Writable]> = [
    [child.stdout, masked.stdout ?? process.stdout],
    [child.stderr, masked.stderr ?? process.stderr],
  ];
  return Promise.all(pairs.map(([src, dest]) => (src === null ? Promise.resolve() : forwardMasked(src, dest, masked.mask)))).then(() => undefined);
}

/**
 * Copies `src` through a mask filter into `dest` (left open: it is our own stdout/stderr). When `dest`
 * fails or closes (its reader went away, as with `| head`), our end of the child's pipe is closed too, so
 * the child's next write fails instead of blocking forever: SIGPIPE/EPIPE, or ECONNRESET when output it
 * had already written was still unread (Node's child pipes are socket pairs).
 */
function forwardMasked(src: Readable, dest: Writable, mask: readonly string[]): Promise<void> {
  return new Promise<void>((resolve) => {
    const filter = createMaskStream([...mask]);
    const finish = (): void => {
      dest.removeListener("error", cutOff);
      dest.removeListener("close", cutOff);
      resolve();
    };
    const cutOff = (): void => {
      src.unpipe(filter);
      filter.unpipe(dest);
      src.destroy();
      filter.destroy();
      finish();
    };
    if (dest.destroyed) return cutOff();
    dest.once("error", cutOff);
    dest.once("close", cutOff);
    filter.once("end", finish);
    filter.once("error", finish);
    src.pipe(filter).pipe(dest, { end: false });
  });
}
