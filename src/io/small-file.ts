/**
 * Owns: reading the small files sealfile takes from around it — from the repository `.sops.yaml`,
 * `.secretsignore`, the baseline, `.gitattributes`, hooks and package.json; from the user the age and SSH
 * key files. Any of them can be a symbolic link to /dev/zero or /dev/tty: read as usual, that hangs the
 * command while memory grows. Here only a regular file is read (and a pipe where asked: a key file may be
 * `<(pass show …)`), up to a cap; without pipes, the open does not wait for a FIFO's writer.
 */
import { closeSync, constants, fstatSync, openSync, type Stats } from "node:fs";
import { readToEnd } from "./read-to-end.js";
import { SealError, type ErrorCode } from "../errors.js";

/** Far above any real configuration or key file. */
export const MAX_SMALL_FILE_BYTES = 16 * 1024 * 1024;

function kindOf(st: Stats): string {
  return st.isDirectory() ? "a folder" : st.isFIFO() ? "a FIFO" : st.isSocket() ? "a socket" : "a device";
}

/**
 * The bytes of `path` when it is (or links to) a regular file of at most MAX_SMALL_FILE_BYTES, or with
 * `pipes` a FIFO or socket sending at most that much.
 * @throws the fs error of the open (ENOENT, EACCES, …) as it is; SealError `code`, naming `shown`, when it is
 *   something else or larger (its `details.why` says which, without the name)
 */
export function readSmallFile(path: string, shown: string, code: ErrorCode = "CANNOT_READ_INPUT", opts: { pipes?: boolean } = {}): Buffer {
  const refuse = (why: string, hint: string): SealError => new SealError(code, `${shown} ${why}`, { hint, details: { why } });
  const tooLarge = (): SealError => refuse(`is larger than ${MAX_SMALL_FILE_BYTES / 1024 / 1024} MiB`, `check that ${shown} is the file you meant`);
  const fd = openSync(path, opts.pipes ? constants.O_RDONLY : constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = fstatSync(fd);
    if (!st.isFile() && !(opts.pipes && (st.isFIFO() || st.isSocket()))) {
      throw refuse(`is not a regular file (${kindOf(st)})`, `make ${shown} a plain file, or remove it`);
    }
    if (st.size > MAX_SMALL_FILE_BYTES) throw tooLarge();
    // A file can grow while it is read, and a pipe has no size: the cap holds as it is read.
    const bytes = readToEnd(fd, st.size + 1, MAX_SMALL_FILE_BYTES);
    if (bytes === undefined) throw tooLarge();
    return bytes;
  } finally {
    closeSync(fd);
  }
}

/** {@link readSmallFile} as UTF-8 text. */
export function readSmallText(path: string, shown: string, code: ErrorCode = "CANNOT_READ_INPUT"): string {
  return readSmallFile(path, shown, code).toString("utf8");
}
