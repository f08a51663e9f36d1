/** Owns: where a command's result goes — stdout, `--output FILE`, or back into the input file (`-i`). */
import { SealError } from "../errors.js";
import { writeFileAtomic, writePlaintextAtomic } from "../io/atomic-write.js";
import type { CliContext } from "./context.js";
import { resolve } from "node:path";

export interface OutputTarget {
  readonly inPlace?: boolean | undefined;
  readonly output?: string | undefined;
  readonly input?: string | undefined;
}

/**
 * Refuses the targets sops refuses with ErrorConflictingParameters (8), before anything is read: `-i` with
 * `--output` (main.go:834, 1025, 1205) and `-i` on stdin (main.go:830, 1017).
 * @throws SealError CONFLICTING_PARAMETERS
 */
export function checkOutputTarget(target: OutputTarget): void {
  if (target.inPlace && target.output !== undefined) {
    throw new SealError("CONFLICTING_PARAMETERS", "--in-place and --output cannot be combined", { hint: "use -i to rewrite the file, or --output FILE to write elsewhere" });
  }
  if (target.inPlace && (!target.input || target.input === "-")) {
    throw new SealError("CONFLICTING_PARAMETERS", "--in-place needs a file, not stdin", { hint: "name the file, or drop -i to write to stdout" });
  }
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
