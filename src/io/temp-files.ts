/**
 * Owns: the names of sealfile's own files beside a file it rewrites — the temp file of an atomic write,
 * `.NAME.sealfile-<pid>-<12 hex>.tmp`, and the lock, `.NAME.sealfile-lock` — and removing the temp files a
 * killed writer left behind (they may hold plaintext).
 */
import { lstatSync, readdirSync, unlinkSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { randomBytes } from "node:crypto";

/** A temp file older than this is a leftover whatever its pid says (pids are reused; writes take seconds at most). */
export const LEFTOVER_AGE_MS = 10 * 60_000;

const TEMP_NAME = /^\..+\.sealfile-(\d{1,10})-[0-9a-f]{12}\.tmp$/;
/** What sealfile's atomic writes were named before they carried the writer's pid. */
const LEGACY_TEMP_NAME = /^\..+\.[0-9a-f]{12}\.tmp$/;
const LOCK_NAME = /^\..+\.sealfile-lock$/;

/** A fresh temp path beside `path`, named after this process. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.sealfile-${process.pid}-${randomBytes(6).toString("hex")}.tmp`);
}

/** The lock beside `path`. */
export function lockPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.sealfile-lock`);
}

/** True for a name sealfile gives its temp files (current or earlier naming). */
export function isSealfileTempName(name: string): boolean {
  return TEMP_NAME.test(name) || LEGACY_TEMP_NAME.test(name);
}

/** True for a name sealfile gives its locks. */
export function isSealfileLockName(name: string): boolean {
  return LOCK_NAME.test(name);
}

/** Whether a process with this id runs on this host (one we may not signal still runs). */
export function pidAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes sealfile temp files in `dir` whose writer is gone: its pid is not running, or the file is older than
 * LEFTOVER_AGE_MS (earlier names carry no pid, so only age counts for them). A live writer's temp file is kept.
 * Never fails: a folder or file that cannot be read or removed is left as it is.
 * @returns the names removed
 */
export function removeDeadTempFiles(dir: string, now = Date.now()): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!isSealfileTempName(name)) continue;
    const p = join(dir, name);
    try {
      const st = lstatSync(p);
      if (!st.isFile() && !st.isSymbolicLink()) continue;
      const pid = TEMP_NAME.exec(name)?.[1];
      const old = now - st.mtimeMs > LEFTOVER_AGE_MS;
      if (!old && (pid === undefined || pidAlive(Number(pid)))) continue;
      unlinkSync(p);
      removed.push(name);
    } catch {
      // gone already, or not ours to remove
    }
  }
  return removed;
}
