/** Owns: where a command's result goes — stdout, `--output FILE`, or back into the input file (`-i`). */
import { writeFileAtomic } from "../io/atomic-write.js";
import type { CliContext } from "./context.js";
import { resolve } from "node:path";

export interface OutputTarget {
  readonly inPlace?: boolean | undefined;
  readonly output?: string | undefined;
  readonly input?: string | undefined;
}

/**
 * Writes `data` to its target. Plaintext written to a new file gets mode 0600.
 */
export async function writeResult(ctx: CliContext, target: OutputTarget, data: Uint8Array, plaintext: boolean): Promise<void> {
  const path = target.inPlace && target.input && target.input !== "-" ? target.input : target.output;
  if (path) {
    writeFileAtomic(resolve(ctx.cwd, path), data, plaintext ? 0o600 : 0o644);
    return;
  }
  await new Promise<void>((res, rej) => ctx.payload.write(data, (e) => (e ? rej(e) : res())));
}
