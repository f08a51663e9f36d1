/** Owns: where a command's result goes — stdout, `--output FILE`, or back into the input file (`-i`). */
import { writeFileAtomic, writePlaintextAtomic } from "../io/atomic-write.js";
import type { CliContext } from "./context.js";
import { resolve } from "node:path";

export interface OutputTarget {
  readonly inPlace?: boolean | undefined;
  readonly output?: string | undefined;
  readonly input?: string | undefined;
}

/**
 * Writes `data` to its target. Plaintext is always written as a fresh 0600 file (a looser existing mode is
 * not kept, and a symbolic link at the target is replaced, never written through).
 */
export async function writeResult(ctx: CliContext, target: OutputTarget, data: Uint8Array, plaintext: boolean): Promise<void> {
  const path = target.inPlace && target.input && target.input !== "-" ? target.input : target.output;
  if (path) {
    if (plaintext) writePlaintextAtomic(resolve(ctx.cwd, path), data);
    else writeFileAtomic(resolve(ctx.cwd, path), data);
    return;
  }
  await new Promise<void>((res, rej) => ctx.payload.write(data, (e) => (e ? rej(e) : res())));
}
