/**
 * Owns: reading a command's input file (or stdin for `-`), with sops's exit status for a missing file,
 * held to MAX_INPUT_BYTES: a device such as /dev/zero is refused, and a stream is cut off at the cap.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
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
  let buf = Buffer.allocUnsafe(Math.max(size, 64 * 1024));
  let total = 0;
  for (;;) {
    if (total === buf.length) {
      if (total >= MAX_INPUT_BYTES) {
        if (readSync(fd, Buffer.alloc(1), 0, 1, null) === 0) break;
        throw tooLarge(path);
      }
      const grown = Buffer.allocUnsafe(Math.min(MAX_INPUT_BYTES, buf.length * 2));
      buf.copy(grown, 0, 0, total);
      buf = grown;
    }
    const n = readSync(fd, buf, total, buf.length - total, null);
    if (n === 0) break;
    total += n;
  }
  return buf.subarray(0, total);
}

/**
 * Reads `path`, or stdin when it is `-` or undefined.
 * @throws SealError FILE_NOT_FOUND (exit 100), CANNOT_READ_INPUT (also for a device, a directory, or
 *   more than MAX_INPUT_BYTES)
 */
export async function readInput(path: string | undefined, stdin: Readable): Promise<Uint8Array> {
  if (!path || path === "-") return readAll(stdin);
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new SealError("FILE_NOT_FOUND", `${path}: no such file`);
    throw new SealError("CANNOT_READ_INPUT", `${path}: cannot read (${code ?? "error"})`);
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
    throw new SealError("CANNOT_READ_INPUT", `${path}: cannot read (${code ?? "error"})`);
  } finally {
    closeSync(fd);
  }
}
