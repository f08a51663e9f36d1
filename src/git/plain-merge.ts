/**
 * Owns: the merge driver's fallback for files a broad pattern sent to it that are not encrypted at all —
 * git's own line-based three-way merge (`git merge-file`), written into OURS as git would.
 */
import { isSealError } from "../errors.js";
import { runGit } from "./run-git.js";

/** `git merge-file` exits with the number of conflicts (capped at 127); higher statuses are errors. */
const MAX_CONFLICT_STATUS = 127;

/**
 * Merges `theirs` into `ours` (in place) with `base` as the ancestor.
 * @returns true when the merge was clean, false when conflict markers were written.
 * @throws SealError GENERIC (exit 2) when git fails.
 */
export async function mergePlainFiles(opts: { cwd: string; base: string; ours: string; theirs: string; name: string }): Promise<boolean> {
  try {
    await runGit(["merge-file", "-L", `${opts.name} (ours)`, "-L", `${opts.name} (base)`, "-L", `${opts.name} (theirs)`, opts.ours, opts.base, opts.theirs], { cwd: opts.cwd });
    return true;
  } catch (e) {
    const status = isSealError(e) ? e.details?.["exitStatus"] : undefined;
    if (typeof status === "number" && status > 0 && status <= MAX_CONFLICT_STATUS) return false;
    throw e;
  }
}
