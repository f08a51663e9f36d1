/**
 * Owns: reading the small text files a repository supplies next to the secrets — `.sops.yaml`,
 * `.secretsignore`, the baseline, `.gitattributes`, hooks, package.json. Any of them can be a committed
 * symbolic link to /dev/zero, /dev/tty or a FIFO: read as usual, that hangs every command run there (or
 * grows memory until Node gives up). Here only a regular file is read, up to a cap; the open does not wait
 * for a FIFO's writer.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { SealError, type ErrorCode } from "../errors.js";

/** Far above any real configuration file. */
export const MAX_SMALL_FILE_BYTES = 16 * 1024 * 1024;

/**
 * The bytes of `path` when it is (or links to) a regular file of at most MAX_SMALL_FILE_BYTES.
 * @throws the fs error of the open (ENOENT, EACCES, …) as it is; SealError `code` (named `shown`) when it
 *   is not a regular file or is larger than the cap
 */
export function readSmallFile(path: string, shown: string, code: ErrorCode = "CANNOT_READ_INPUT"): Buffer {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) {
      throw new SealError(code, `${shown} is not a regular file (${st.isDirectory() ? "a folder" : st.isFIFO() ? "a FIFO" : st.isSocket() ? "a socket" : "a device"})`, {
        hint: `make ${shown} a plain file, or remove it`,
      });
    }
    const tooLarge = (): SealError =>
      new SealError(code, `${shown} is larger than ${MAX_SMALL_FILE_BYTES / 1024 / 1024} MiB`, { hint: `${shown} is a configuration file; check that it is the file you meant` });
    if (st.size > MAX_SMALL_FILE_BYTES) throw tooLarge();
    // The file can grow while it is read: read to its end, never past the cap.
    let buf = Buffer.allocUnsafe(st.size + 4096);
    let total = 0;
    for (;;) {
      if (total === buf.length) {
        if (total > MAX_SMALL_FILE_BYTES) throw tooLarge();
        const grown = Buffer.allocUnsafe(Math.min(buf.length * 2, MAX_SMALL_FILE_BYTES + 1));
        buf.copy(grown, 0, 0, total);
        buf = grown;
      }
      const n = readSync(fd, buf, total, buf.length - total, null);
      if (n === 0) break;
      total += n;
    }
    if (total > MAX_SMALL_FILE_BYTES) throw tooLarge();
    return buf.subarray(0, total);
  } finally {
    closeSync(fd);
  }
}

/** {@link readSmallFile} as UTF-8 text. */
export function readSmallText(path: string, shown: string, code: ErrorCode = "CANNOT_READ_INPUT"): string {
  return readSmallFile(path, shown, code).toString("utf8");
}
