/**
 * Owns: replacing a file so that readers see either the old bytes or the new ones, never a mix:
 * a temp file in the same folder (`.NAME.sealfile-<pid>-<hex>.tmp`, see temp-files.ts), fsync, a check that
 * this process still holds the file's lock if it took one, rename, fsync of the folder. Encrypted output keeps the original
 * mode; plaintext is always 0600. The rename replaces a symbolic link at `path` itself, so nothing is ever
 * written through a link to a file. A FIFO or a character device (or a link to one: /dev/stdout) is written
 * to directly instead: renaming over it would replace the device.
 */
import { closeSync, constants, fchmodSync, fsyncSync, lstatSync, openSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { SealError } from "../errors.js";
import { checkLockBeforeRename } from "./file-lock.js";
import { tempPathFor } from "./temp-files.js";

/** The one mode plaintext is ever written with, whatever the umask or the file it replaces. */
export const PLAINTEXT_MODE = 0o600;

/**
 * Writes `data` to `path` atomically.
 * @param mode - mode for a new file (default 0644); an existing regular file keeps its own mode.
 * @throws SealError CANNOT_WRITE_OUTPUT; FILE_LOCKED when this process had locked `path` and lost the lock
 */
export function writeFileAtomic(path: string, data: Uint8Array, mode = 0o644): void {
  let fileMode = mode;
  try {
    const st = lstatSync(path);
    if (st.isFile()) fileMode = st.mode & 0o7777;
  } catch {
    // a new file
  }
  replaceFile(path, data, fileMode, false);
}

/**
 * Writes plaintext to `path` atomically as a 0600 regular file: an existing file's looser mode is not kept,
 * and a symbolic link at `path` is replaced, its target left untouched.
 * @throws SealError CANNOT_WRITE_OUTPUT
 */
export function writePlaintextAtomic(path: string, data: Uint8Array): void {
  replaceFile(path, data, PLAINTEXT_MODE, true);
}

/**
 * True when `path` is, or links to, a FIFO or a character device (`--output /dev/null`, `/dev/stdout` → a
 * pipe): those are written to as they are. A file renamed over one would replace the device itself — as
 * root, /dev/null for the whole machine.
 */
function isStream(path: string): boolean {
  const st = statSync(path, { throwIfNoEntry: false });
  return st !== undefined && (st.isCharacterDevice() || st.isFIFO());
}

function writeAll(fd: number, data: Uint8Array): void {
  let off = 0;
  while (off < data.length) off += writeSync(fd, data, off, data.length - off);
}

function writeToStream(path: string, data: Uint8Array): void {
  let fd: number | undefined;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_NOCTTY);
    writeAll(fd, data);
  } catch (e) {
    throw new SealError("CANNOT_WRITE_OUTPUT", `could not write ${path}: ${(e as NodeJS.ErrnoException).code ?? "error"}`, {
      cause: e,
      hint: "check that you may write to it",
    });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** `exact`: set the mode with fchmod, so the umask cannot change it. */
function replaceFile(path: string, data: Uint8Array, fileMode: number, exact: boolean): void {
  if (isStream(path)) return writeToStream(path, data);
  const dir = dirname(path);
  const tmp = tempPathFor(path);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, fileMode);
    if (exact) fchmodSync(fd, fileMode);
    writeAll(fd, data);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    checkLockBeforeRename(path);
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
    if (e instanceof SealError) throw e;
    throw new SealError("CANNOT_WRITE_OUTPUT", `could not write ${path}: ${(e as NodeJS.ErrnoException).code ?? "error"}`, {
      cause: e,
      hint: "check that the folder exists and that you may write to it",
    });
  }
  try {
    const dfd = openSync(dir, constants.O_RDONLY);
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    // some file systems refuse fsync on a directory; the rename itself is still atomic
  }
}
