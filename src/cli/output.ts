/**
 * Owns: where a command's result goes — stdout, `--output FILE`, or back into the input file (`-i`) — and
 * holding the lock on the file a command rewrites, from before it is read until after it is replaced.
 */
import { resolve } from "node:path";
import { SealError } from "../errors.js";
import { writeFileAtomic, writePlaintextAtomic } from "../io/atomic-write.js";
import { DEFAULT_LOCK_WAIT_MS, acquireFileLock, releaseAllLocks } from "../io/file-lock.js";
import type { CliContext } from "./context.js";

export interface OutputTarget {
  readonly inPlace?: boolean | undefined;
  readonly output?: string | undefined;
  readonly input?: string | undefined;
}

/** The file a result is written to, or undefined for stdout. */
export function outputPath(ctx: CliContext, target: OutputTarget): string | undefined {
  const path = target.inPlace && target.input && target.input !== "-" ? target.input : target.output;
  return path ? resolve(ctx.cwd, path) : undefined;
}

/**
 * Refuses the targets sops refuses with ErrorConflictingParameters (8), before anything is read: `-i` with
 * `--output` (main.go:834, 1025, 1205) and `-i` on stdin (main.go:830, 1017).
 * @throws SealError CONFLICTING_PARAMETERS
 */
export function checkOutputTarget(target: OutputTarget): void {
  if (target.inPlace && target.output !== undefined) {
    throw new SealError("CONFLICTING_PARAMETERS", "--in-place and --output cannot be combined", { hint: "use -i to rewrite the file, or --output FILE to write elsewhere" });
  }
  if (target.inPlace && (!target.input || target.input === "-")) {
    throw new SealError("CONFLICTING_PARAMETERS", "--in-place needs a file, not stdin", { hint: "name the file, or drop -i to write to stdout" });
  }
}

/**
 * Writes `data` to its target. Plaintext is always written as a fresh 0600 file (a looser existing mode is
 * not kept, and a symbolic link at the target is replaced, never written through).
 */
export async function writeResult(ctx: CliContext, target: OutputTarget, data: Uint8Array, plaintext: boolean): Promise<void> {
  const path = outputPath(ctx, target);
  if (path) {
    if (plaintext) writePlaintextAtomic(path, data);
    else writeFileAtomic(path, data);
    return;
  }
  await new Promise<void>((res, rej) => ctx.payload.write(data, (e) => (e ? rej(e) : res())));
}

/** How long to wait for another writer: `SEALFILE_LOCK_WAIT_MS`, else 10 s. */
function lockWaitMs(ctx: CliContext): number {
  const raw = ctx.env.SEALFILE_LOCK_WAIT_MS;
  const n = raw === undefined || raw === "" ? Number.NaN : Number(raw);
  return Number.isSafeInteger(n) && n >= 0 ? n : DEFAULT_LOCK_WAIT_MS;
}

/**
 * Runs `fn` holding the lock on `path` (absolute), or without a lock when `path` is undefined (stdout).
 * The lock is released however `fn` ends, also when the process exits inside it (edit on a signal).
 * @throws SealError FILE_LOCKED
 */
export async function withWriteLock<T>(ctx: CliContext, path: string | undefined, fn: () => Promise<T>): Promise<T> {
  if (path === undefined) return fn();
  const lock = await acquireFileLock(path, { waitMs: lockWaitMs(ctx) });
  process.on("exit", releaseAllLocks);
  try {
    return await fn();
  } finally {
    process.off("exit", releaseAllLocks);
    lock.release();
  }
}
