/**
 * Owns: where the guard's own configuration (`.secretsignore`, the baseline) is read from — the git index, i.e.
 * what is committed plus what is staged, never an untracked or unstaged working-tree file, which anything that
 * writes files (an unpacked archive, a build step, a received file) could drop to switch the guard off.
 */
import { isAbsolute, relative, sep } from "node:path";
import { readIndexFiles, type IndexFile } from "../git/staged.js";
import { SealError } from "../errors.js";
import { readSmallFile } from "../io/small-file.js";

/** A configuration file's trusted text (null: none), and a warning when the working tree says otherwise. */
export interface ConfigText {
  readonly text: string | null;
  readonly warning?: string;
}

const REGULAR_FILE = /^100(?:644|755)$/;

/** The file's bytes; null when there is none. A device, FIFO or folder (a link to one) is refused, not waited on. */
async function readWorking(abs: string, shown: string): Promise<Buffer | null> {
  try {
    return readSmallFile(abs, shown);
  } catch (e) {
    if (e instanceof SealError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return null;
    throw new SealError("CANNOT_READ_INPUT", `could not read ${shown}`, { exitCode: 2, cause: e, hint: "check the file's permissions" });
  }
}

/**
 * Reads configuration files of the guard (one git call for all their index versions), each:
 * - Inside the repository: the index version (a symlink or a missing entry counts as no file). A working-tree
 *   version that differs is not used, and the warning says so.
 * - Outside the repository (a `--baseline` elsewhere): the file itself, since the user named it.
 * - Not in a repository at all: only a file named on the command line (`explicit`); nothing is committed there,
 *   so a default `.secretsignore` or baseline lying in the folder is not trusted.
 * @throws SealError GENERIC (exit 2) when git fails; CANNOT_READ_INPUT (exit 2) for an unreadable file.
 */
export async function readGuardConfigs(root: string, inRepo: boolean, files: ReadonlyArray<{ abs: string; explicit: boolean }>): Promise<ConfigText[]> {
  const placed = files.map(({ abs, explicit }) => {
    const rel = relative(root, abs).split(sep).join("/");
    const inside = rel !== "" && !rel.startsWith("../") && rel !== ".." && !isAbsolute(rel);
    return { abs, rel, direct: !inside || (!inRepo && explicit) };
  });
  const fromIndex = placed.filter((p) => !p.direct && inRepo).map((p) => p.rel);
  const index = fromIndex.length === 0 ? new Map<string, IndexFile>() : await readIndexFiles(root, fromIndex);
  return Promise.all(placed.map((p) => configText(p, inRepo, index)));
}

async function configText(p: { abs: string; rel: string; direct: boolean }, inRepo: boolean, index: ReadonlyMap<string, IndexFile>): Promise<ConfigText> {
  const { abs, rel } = p;
  if (p.direct) {
    const bytes = await readWorking(abs, abs);
    return { text: bytes === null ? null : bytes.toString("utf8") };
  }
  // Inside a repository the index decides; a working-tree entry that is not a regular file counts as none.
  const working = await readWorking(abs, rel).catch((e: unknown) => {
    if (e instanceof SealError && e.details?.why !== undefined) return null;
    throw e;
  });
  if (!inRepo) {
    return working === null ? { text: null } : { text: null, warning: `${rel} is not used outside a git repository (the guard trusts only committed configuration)` };
  }
  const entry = index.get(rel);
  const staged = entry !== undefined && REGULAR_FILE.test(entry.mode) ? entry.content : null;
  if (working === null || (staged !== null && working.equals(staged))) return { text: staged === null ? null : staged.toString("utf8") };
  const warning =
    staged === null
      ? `${rel} is not committed or staged, so it is not used (the guard reads its configuration from the index; \`git add ${rel}\` to use it)`
      : `${rel} has changes that are not staged; the staged version is used (\`git add ${rel}\` to use them)`;
  return { text: staged === null ? null : staged.toString("utf8"), warning };
}
