/**
 * Owns: reading a command's input file (or stdin for `-`), with sops's exit status for a missing file,
 * held to MAX_INPUT_BYTES: a device such as /dev/zero is refused, and a stream is cut off at the cap; reading
 * a file first removes the temp files killed sealfile writers left in its folder.
 */
import { closeSync, fstatSync, openSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { removeDeadTempFiles } from "../io/temp-files.js";
import { readToEnd } from "../io/read-to-end.js";
import type { Readable } from "node:stream";
import { SealError } from "../errors.js";
import { MAX_INPUT_BYTES } from "../formats/limits.js";

const GIB = 1024 * 1024 * 1024;

function tooLarge(what: string): SealError {
  return new SealError("CANNOT_READ_INPUT", `${what} is larger than ${MAX_INPUT_BYTES / GIB} GiB, the most sealfile reads`, {
    hint: "split the data into smaller files",
  });
}

/** Reads a stream to its end. @throws SealError CANNOT_READ_INPUT past MAX_INPUT_BYTES */
export async function readAll(stream: Readable, what = "the input"): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const c of stream) {
    const chunk = typeof c === "string" ? Buffer.from(c) : (c as Buffer);
    total += chunk.length;
    if (total > MAX_INPUT_BYTES) {
      stream.destroy();
      throw tooLarge(what);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Reads an open descriptor (a regular file, a pipe or a socket) with the cap applied as it goes. */
function readDescriptor(fd: number, size: number, path: string): Uint8Array {
  const bytes = readToEnd(fd, size, MAX_INPUT_BYTES);
  if (bytes === undefined) throw tooLarge(path);
  return bytes;
}

/**
 * Reads `path`, or stdin when it is `-` or undefined. sops checks that the file exists (exit 100) only in
 * decrypt and encrypt; where it does not (set, unset, rotate), the failed read exits 2: pass `missingExitCode`.
 * @throws SealError FILE_NOT_FOUND (exit 100, or `missingExitCode`), CANNOT_READ_INPUT (2; also for a device,
 *   a directory, or more than MAX_INPUT_BYTES)
 */
export async function readInput(path: string | undefined, from: { stdin: Readable; cwd: string }, missingExitCode?: number): Promise<Uint8Array> {
  if (!path || path === "-") return readAll(from.stdin);
  return readInputFile(path, missingExitCode, from.cwd);
}

/** Like {@link readInput} for a path that is never stdin; a relative `path` is taken from `cwd`. Errors name `path` as given. */
export function readInputFile(path: string, missingExitCode?: number, cwd?: string): Uint8Array {
  const full = cwd === undefined ? path : resolve(cwd, path);
  removeDeadTempFiles(dirname(full));
  let fd: number;
  try {
    fd = openSync(full, "r");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") {
      throw new SealError("FILE_NOT_FOUND", `${path}: no such file`, { hint: "check the path (it is relative to the working directory)", ...(missingExitCode === undefined ? {} : { exitCode: missingExitCode }) });
    }
    throw new SealError("CANNOT_READ_INPUT", `${path}: cannot read (${code ?? "error"})`, { hint: code === "EISDIR" ? "name a file, not a folder" : "check that the file is readable by you" });
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() && !st.isFIFO() && !st.isSocket()) {
      throw new SealError("CANNOT_READ_INPUT", `${path}: not a regular file (a device or a directory)`, {
        hint: "pass a file, or `-` to read stdin",
      });
    }
    if (st.isFile() && st.size > MAX_INPUT_BYTES) throw tooLarge(path);
    return readDescriptor(fd, st.isFile() ? st.size + 1 : 0, path);
  } catch (e) {
    if (e instanceof SealError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new SealError("CANNOT_READ_INPUT", `${path}: cannot read (${code ?? "error"})`, { hint: "check that the file is readable by you" });
  } finally {
    closeSync(fd);
  }
}
