/**
 * Owns: the documented limits every format reader holds its input to, so that no reader (nor anything
 * walking the tree it returns) recurses past the call stack or expands a small file into a huge one.
 */
import { SealError } from "../errors.js";

/**
 * Deepest nesting of maps and lists a document may have, counting the top-level map as 1 (JSON, YAML,
 * TOML alike). Real secrets files stay under 20; the `yaml` package's composer runs out of call stack a
 * little below 900 levels, so the one limit for every format sits well under that.
 */
export const MAX_DEPTH = 500;

/** Largest input read from a file or stdin: 1 GiB (a value must also fit in one JavaScript string, ~512 MB). */
export const MAX_INPUT_BYTES = 1024 * 1024 * 1024;

/** The error for a document nested deeper than {@link MAX_DEPTH}. */
export function tooDeep(format: string, line?: number): SealError {
  const at = line === undefined ? "" : ` (at line ${line})`;
  return new SealError("BAD_SYNTAX", `${format} nesting is deeper than ${MAX_DEPTH} levels${at}`, {
    hint: `sealfile reads documents nested at most ${MAX_DEPTH} levels deep; flatten the structure`,
  });
}
