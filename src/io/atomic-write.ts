/**
 * Owns: replacing a file so that readers see either the old bytes or the new ones, never a mix:
 * a temp file in the same folder, fsync, rename, fsync of the folder. The original mode is kept.
 */
import { closeSync, constants, fsyncSync, openSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { randomBytes } from "node:crypto";
import { SealError } from "../errors.js";

/**
 * Writes `data` to `path` atomically.
 * @param mode - mode for a new file (default 0644); an existing file keeps its own mode.
 * @throws SealError CANNOT_WRITE_OUTPUT
 */
export function writeFileAtomic(path: string, data: Uint8Array, mode = 0o644): void {
  const dir = dirname(path);
  let fileMode = mode;
  try {
    fileMode = statSync(path).mode & 0o7777;
  } catch {
    // a new file
  }
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, fileMode);
    let off = 0;
    while (off < data.length) off += writeSync(fd, data, off, data.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
    throw new SealError("CANNOT_WRITE_OUTPUT", `could not write ${path}: ${(e as NodeJS.ErrnoException).code ?? "error"}`, {
      hint: "check that the folder exists and that you may write to it",
      cause: e,
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
