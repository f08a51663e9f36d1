/**
 * Owns: reading a command's input file (or stdin for `-`), with sops's exit status for a missing file; reading
 * a file first removes the temp files killed sealfile writers left in its folder.
 */
import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import { removeDeadTempFiles } from "../io/temp-files.js";
import type { Readable } from "node:stream";
import { SealError } from "../errors.js";

export async function readAll(stream: Readable): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === "string" ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks);
}

/**
 * Reads `path`, or stdin when it is `-` or undefined.
 * @throws SealError FILE_NOT_FOUND (exit 100), CANNOT_READ_INPUT
 */
export async function readInput(path: string | undefined, stdin: Readable): Promise<Uint8Array> {
  if (!path || path === "-") return readAll(stdin);
  removeDeadTempFiles(dirname(path));
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new SealError("FILE_NOT_FOUND", `${path}: no such file`);
    throw new SealError("CANNOT_READ_INPUT", `${path}: cannot read (${code ?? "error"})`);
  }
}
