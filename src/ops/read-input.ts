/** Owns: reading a command's input file (or stdin for `-`), with sops's exit status for a missing file. */
import { readFileSync } from "node:fs";
import type { Readable } from "node:stream";
import { SealError } from "../errors.js";

export async function readAll(stream: Readable): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === "string" ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks);
}

/**
 * Reads `path`, or stdin when it is `-` or undefined. sops checks that the file exists (exit 100) only in
 * decrypt and encrypt; where it does not (set, unset, rotate), the failed read exits 2: pass `missingExitCode`.
 * @throws SealError FILE_NOT_FOUND (exit 100, or `missingExitCode`), CANNOT_READ_INPUT (2)
 */
export async function readInput(path: string | undefined, stdin: Readable, missingExitCode?: number): Promise<Uint8Array> {
  if (!path || path === "-") return readAll(stdin);
  return readInputFile(path, missingExitCode);
}

/** Like {@link readInput} for a path that is never stdin. */
export function readInputFile(path: string, missingExitCode?: number): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") {
      throw new SealError("FILE_NOT_FOUND", `${path}: no such file`, { hint: "check the path (it is relative to the working directory)", ...(missingExitCode === undefined ? {} : { exitCode: missingExitCode }) });
    }
    throw new SealError("CANNOT_READ_INPUT", `${path}: cannot read (${code ?? "error"})`, { hint: code === "EISDIR" ? "name a file, not a folder" : "check that the file is readable by you" });
  }
}
