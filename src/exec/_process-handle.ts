/**
 * Owns: starting a child that shares our stdin, stdout and stderr through Node's process handle, the
 * object child_process itself drives. child_process brings streams, net and dgram with it (about 36
 * internal modules, some 7 ms of every `secrets exec -- …` on a small machine), and a child with inherited
 * stdio uses none of them. When the handle is not there or not as expected (another runtime, Windows),
 * `startInherited` returns undefined and the caller uses child_process. Private to src/exec.
 */
import { constants as osConstants } from "node:os";
import { getSystemErrorName } from "node:util";

/** The handle's surface: the same calls and fields child_process uses. */
interface ProcessHandle {
  pid?: number;
  onexit: (exitStatus: number, signal: string) => void;
  spawn(options: object): number;
  kill(signal: number): number;
  close(): void;
}
type ProcessHandleClass = new () => ProcessHandle;

/** A child started with inherited stdio. */
export interface InheritedChild {
  readonly pid: number;
  /** True until the child has exited. */
  running(): boolean;
  kill(signal: NodeJS.Signals): void;
  /** The exit code, or null when a signal ended the child (then `signal` names it). */
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** A start that failed, with the system's error name (ENOENT, EACCES, E2BIG, …) as child_process gives it. */
export class StartFailure extends Error {
  readonly code: string;
  constructor(code: string) {
    super(`spawn ${code}`);
    this.code = code;
  }
}

let handleClass: ProcessHandleClass | null | undefined;

function processHandleClass(): ProcessHandleClass | undefined {
  if (handleClass === undefined) handleClass = findHandleClass();
  return handleClass ?? undefined;
}

/**
 * Node versions whose process handle takes the options below (child_process has passed them so since Node
 * 0.x; test/exec/process-handle.test.ts checks the one it runs on). A later Node uses child_process until
 * checked.
 */
const CHECKED_NODE_MAJORS = { from: 20, to: 24 } as const;

function findHandleClass(): ProcessHandleClass | null {
  const binding = (process as { binding?: (name: string) => unknown }).binding;
  const major = Number(process.versions.node.split(".")[0]);
  if (major < CHECKED_NODE_MAJORS.from || major > CHECKED_NODE_MAJORS.to) return null;
  if (process.platform === "win32" || typeof binding !== "function") return null;
  // process.binding is deprecated in documentation only; it warns under --pending-deprecation, which
  // would put a line on the user's stderr for an internal choice.
  const quiet = process.noDeprecation;
  process.noDeprecation = true;
  try {
    const Process = (binding.call(process, "process_wrap") as { Process?: unknown } | undefined)?.Process;
    if (typeof Process !== "function") return null;
    const proto = (Process as { prototype?: Record<string, unknown> }).prototype;
    return ["spawn", "kill", "close"].every((m) => typeof proto?.[m] === "function") ? (Process as ProcessHandleClass) : null;
  } catch {
    return null;
  } finally {
    process.noDeprecation = quiet;
  }
}

/**
 * Starts `file` with `args`, sharing our stdio, or returns undefined when Node's process handle is not
 * available (use child_process then). `detached` starts it in a new session, as child_process does.
 *
 * @throws StartFailure when the system refuses to start it (ENOENT, EACCES, E2BIG, …).
 */
export function startInherited(
  file: string,
  args: readonly string[],
  opts: { readonly cwd: string; readonly env: Readonly<Record<string, string>>; readonly detached: boolean },
): InheritedChild | undefined {
  const Process = processHandleClass();
  if (Process === undefined) return undefined;
  const handle = new Process();
  let running = true;
  let settle: (r: { code: number | null; signal: NodeJS.Signals | null }) => void = () => {};
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => (settle = resolve));
  handle.onexit = (exitStatus, signal) => {
    running = false;
    handle.close();
    settle(signal === "" ? { code: exitStatus, signal: null } : { code: null, signal: signal as NodeJS.Signals });
  };
  const envPairs: string[] = [];
  for (const name in opts.env) envPairs.push(`${name}=${opts.env[name]}`);
  const err = handle.spawn({
    file,
    args: [file, ...args],
    cwd: opts.cwd,
    envPairs,
    stdio: [0, 1, 2].map((fd) => ({ type: "inherit", fd })),
    detached: opts.detached,
  });
  if (err !== 0 || handle.pid === undefined) {
    handle.close();
    throw new StartFailure(err !== 0 ? getSystemErrorName(err) : "no process id");
  }
  return {
    pid: handle.pid,
    running: () => running,
    kill: (signal) => {
      if (running) handle.kill(osConstants.signals[signal]);
    },
    exit,
  };
}
