/**
 * Owns: making rewrites of one file take turns. A writer creates `.NAME.sealfile-lock` beside the file
 * (O_EXCL; pid, host, start time and a token inside) before it reads the file, and removes it after the
 * rename; another writer retries with backoff for a bounded time, then fails with FILE_LOCKED. A lock whose
 * holder died on this host, or that is older than a day, is recovered by renaming it away (only one recoverer
 * can rename the file it judged). Just before a rename the writer checks that the lock is still its own.
 */
import { closeSync, constants, lstatSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { SealError } from "../errors.js";
import { isSealfileLockName, lockPathFor, pidAlive, removeDeadTempFiles, tempPathFor } from "./temp-files.js";
import { dirname, join } from "node:path";

/** How long a writer waits for another one by default. */
export const DEFAULT_LOCK_WAIT_MS = 10_000;
/** A lock older than this is stale whoever holds it (a holder on another host cannot be asked). */
export const DEFAULT_LOCK_STALE_MS = 24 * 3600_000;
/** A lock with no readable holder record (its writer died between create and write) is stale after this. */
const UNWRITTEN_GRACE_MS = 10_000;

export interface LockOptions {
  readonly waitMs?: number;
  readonly staleMs?: number;
}

interface Holder {
  readonly pid: number;
  readonly host: string;
  readonly started: number;
}

/** What is at the lock path now. `raw` and `ino` identify the very file that was judged. */
type Seen =
  | { readonly kind: "gone" }
  | { readonly kind: "held"; readonly ino: number; readonly raw: Buffer | undefined; readonly holder: Holder | undefined; readonly ageMs: number };

/** Locks this process holds: lock path → token. */
const held = new Map<string, string>();

function parseHolder(raw: Buffer): Holder | undefined {
  try {
    const v = JSON.parse(raw.toString("utf8")) as Record<string, unknown>;
    const { pid, host, started } = v;
    if (typeof pid !== "number" || !Number.isSafeInteger(pid) || typeof host !== "string" || typeof started !== "number") return undefined;
    return { pid, host, started };
  } catch {
    return undefined;
  }
}

function look(lockPath: string, now: number): Seen {
  let ino: number;
  let mtime: number;
  try {
    const st = lstatSync(lockPath);
    ino = st.ino;
    mtime = st.mtimeMs;
  } catch {
    return { kind: "gone" };
  }
  let raw: Buffer | undefined;
  try {
    raw = readFileSync(lockPath);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { kind: "gone" };
  }
  const holder = raw ? parseHolder(raw) : undefined;
  // A start time in the future says nothing; the file's own time then counts.
  const since = holder && holder.started <= now ? Math.min(holder.started, mtime) : mtime;
  return { kind: "held", ino, raw, holder, ageMs: now - since };
}

function isStale(seen: Extract<Seen, { kind: "held" }>, staleMs: number): boolean {
  if (seen.ageMs > staleMs) return true;
  if (seen.holder) return seen.holder.host === hostname() && !pidAlive(seen.holder.pid);
  // Readable but without a holder record: its writer died between creating and filling it.
  return seen.raw !== undefined && seen.ageMs > UNWRITTEN_GRACE_MS;
}

/** Creates the lock, or returns false when one exists. @throws SealError CANNOT_WRITE_OUTPUT */
function tryCreate(lockPath: string, record: Buffer): boolean {
  let fd: number;
  try {
    fd = openSync(lockPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw new SealError("CANNOT_WRITE_OUTPUT", `could not create the lock ${lockPath}: ${(e as NodeJS.ErrnoException).code ?? "error"}`, {
      cause: e,
      hint: "sealfile locks a file by creating a file beside it: check that you may write to the folder",
    });
  }
  try {
    writeSync(fd, record);
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * Takes a stale lock away by renaming it to a name of our own, then checks that what was taken is the file
 * that was judged stale. If another recoverer replaced it in between with a live lock, that lock is put back.
 */
function recover(lockPath: string, seen: Extract<Seen, { kind: "held" }>): void {
  const taken = tempPathFor(lockPath);
  try {
    renameSync(lockPath, taken);
  } catch {
    return; // someone else recovered it first
  }
  let same = false;
  try {
    const st = lstatSync(taken);
    same = st.ino === seen.ino && (seen.raw === undefined || readFileSync(taken).equals(seen.raw));
  } catch {
    // vanished: treat as not ours to judge
  }
  try {
    if (same) unlinkSync(taken);
    else renameSync(taken, lockPath);
  } catch {
    // nothing more can be done; a holder that lost its lock finds out before its rename
  }
}

function describeHolder(h: Holder | undefined): string {
  if (!h) return "another process";
  const host = /^[\w.-]{1,64}$/.test(h.host) ? h.host : "another host";
  const since = Number.isFinite(h.started) && h.started > 0 && h.started < 8.64e15 ? ` since ${new Date(h.started).toISOString()}` : "";
  return `another sealfile process (pid ${h.pid} on ${host}${since})`;
}

export class FileLock {
  readonly lockPath: string;
  readonly #token: string;

  constructor(lockPath: string, token: string) {
    this.lockPath = lockPath;
    this.#token = token;
  }

  /** Whether the lock file is still the one this holder created. */
  stillHeld(): boolean {
    try {
      const h = JSON.parse(readFileSync(this.lockPath, "utf8")) as { token?: unknown };
      return h.token === this.#token;
    } catch {
      return false;
    }
  }

  /** Removes the lock if it is still ours. Safe to call more than once. */
  release(): void {
    if (held.get(this.lockPath) !== this.#token) return;
    held.delete(this.lockPath);
    if (!this.stillHeld()) return;
    try {
      unlinkSync(this.lockPath);
    } catch {
      // already gone
    }
  }
}

/**
 * Recovers the stale locks in `dir`: a writer killed between its rename and its release leaves a lock on a
 * file that a resumed run may never need to rewrite. Never fails.
 */
function removeStaleLocks(dir: string, staleMs: number): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!isSealfileLockName(name)) continue;
    const lockPath = join(dir, name);
    const seen = look(lockPath, Date.now());
    if (seen.kind === "held" && isStale(seen, staleMs)) recover(lockPath, seen);
  }
}

/**
 * Locks `path` for rewriting. Also removes leftover temp files and stale locks of dead writers in its folder.
 * @throws SealError FILE_LOCKED when another writer holds it past `waitMs`; CANNOT_WRITE_OUTPUT when the
 *   lock cannot be created.
 */
export async function acquireFileLock(path: string, opts: LockOptions = {}): Promise<FileLock> {
  const waitMs = opts.waitMs ?? DEFAULT_LOCK_WAIT_MS;
  const staleMs = opts.staleMs ?? DEFAULT_LOCK_STALE_MS;
  const lockPath = lockPathFor(path);
  removeDeadTempFiles(dirname(path));
  removeStaleLocks(dirname(path), staleMs);
  const token = randomBytes(16).toString("hex");
  const record = Buffer.from(`${JSON.stringify({ pid: process.pid, host: hostname(), started: Date.now(), token })}\n`, "utf8");
  const deadline = Date.now() + waitMs;
  let delay = 20;
  for (;;) {
    if (tryCreate(lockPath, record)) {
      held.set(lockPath, token);
      return new FileLock(lockPath, token);
    }
    const now = Date.now();
    const seen = look(lockPath, now);
    if (seen.kind === "gone") continue;
    if (isStale(seen, staleMs)) {
      recover(lockPath, seen);
      continue;
    }
    if (now >= deadline) {
      throw new SealError("FILE_LOCKED", `${path} is being changed by ${describeHolder(seen.holder)}; gave up after ${Math.round(waitMs / 100) / 10} s, nothing changed`, {
        hint: `run the command again when the other one has finished; if no sealfile process is running, remove ${lockPath}`,
        details: { lock: lockPath, ...(seen.holder ? { pid: seen.holder.pid } : {}) },
      });
    }
    await new Promise((wake) => setTimeout(wake, Math.min(deadline - now, delay * (1 + Math.random() / 2))));
    delay = Math.min(delay * 1.5, 250);
  }
}

/** Runs `fn` holding the lock on `path`; the lock is released however `fn` ends. */
export async function withFileLock<T>(path: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const lock = await acquireFileLock(path, opts);
  try {
    return await fn();
  } finally {
    lock.release();
  }
}

/**
 * Called just before the rename that replaces `path`: when this process locked `path`, the lock must still be
 * its own (it can be lost only to a recovery that judged it stale).
 * @throws SealError FILE_LOCKED
 */
export function checkLockBeforeRename(path: string): void {
  const lockPath = lockPathFor(path);
  const token = held.get(lockPath);
  if (token === undefined) return;
  if (new FileLock(lockPath, token).stillHeld()) return;
  throw new SealError("FILE_LOCKED", `lost the lock on ${path} to another sealfile process; nothing changed`, {
    hint: `run the command again (the lock ${lockPath} was taken over as stale)`,
    details: { lock: lockPath },
  });
}

/** Releases every lock this process holds (for a process that is about to exit mid-command). */
export function releaseAllLocks(): void {
  for (const [lockPath, token] of [...held]) new FileLock(lockPath, token).release();
}
