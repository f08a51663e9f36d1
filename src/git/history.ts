/**
 * Owns: reading every file version reachable in a repository's history once — `git log --raw` names, per
 * commit, the blobs it added or changed (oldest commit first, so each blob is credited to the commit that
 * introduced it), and one `git cat-file --batch` streams their contents, each blob id read once however many
 * commits or paths share it.
 */
import { SealError } from "../errors.js";
import { streamBlobs } from "./cat-file-stream.js";
import { runGit } from "./run-git.js";

export interface HistoryBlob {
  readonly commit: string;
  readonly path: string;
  readonly mode: string;
  readonly blob: string;
}

/** Blobs bigger than this are listed with a note rather than read (generated files, archives). */
export const HISTORY_MAX_BLOB = 8 * 1024 * 1024;

/**
 * The blobs added or modified anywhere in `range` (all refs when absent), first appearance only, in commit order;
 * only those at `paths` (git pathspecs, relative to `root`) when given. Merges are read as diffs against their
 * first parent, so a blob a merge resolution introduced is included.
 * @throws SealError GENERIC (exit 2) when git fails (e.g. an unknown revision).
 */
export async function listHistoryBlobs(root: string, range: string | undefined, paths: readonly string[] = []): Promise<HistoryBlob[]> {
  if (range !== undefined && range.startsWith("-")) {
    throw new SealError("USAGE", `--history takes a revision range, not an option: ${range}`, { exitCode: 2, hint: "e.g. `secrets guard --history main..HEAD`" });
  }
  const out = await runGit(
    ["log", "--reverse", "--raw", "--no-renames", "--no-abbrev", "--diff-merges=first-parent", "--format=%x01%H", ...(range ? [range] : ["--all"]), "--", ...paths],
    { cwd: root },
  );
  const seen = new Set<string>();
  const blobs: HistoryBlob[] = [];
  let commit = "";
  for (const line of out.toString("utf8").split("\n")) {
    if (line.startsWith("\x01")) {
      commit = line.slice(1);
      continue;
    }
    // :100644 100644 <old> <new> M\tpath
    const m = /^:\d{6} (\d{6}) [0-9a-f]+ ([0-9a-f]{40,64}) [AMT][^\t]*\t(.*)$/.exec(line);
    if (m === null) continue;
    const [, mode = "", blob = "", path = ""] = m;
    if (mode === "160000" || mode === "120000" || seen.has(blob)) continue;
    seen.add(blob);
    blobs.push({ commit, path: unquote(path), mode, blob });
  }
  return blobs;
}

/** git quotes paths with unusual bytes ("a\tb"); `core.quotePath` still quotes control characters. */
function unquote(path: string): string {
  if (!path.startsWith('"')) return path;
  try {
    return JSON.parse(path) as string;
  } catch {
    return path;
  }
}

/**
 * Streams the contents of `blobs` through one `git cat-file --batch`, calling `each` in order; blobs over
 * HISTORY_MAX_BLOB get `null` content. `content` is valid only during the call.
 * @throws SealError GENERIC (exit 2) when git fails.
 */
export async function readBlobs(root: string, blobs: readonly HistoryBlob[], each: (b: HistoryBlob, content: Buffer | null) => void): Promise<void> {
  await streamBlobs(root, blobs.map((b) => b.blob), (i, content) => each(blobs[i] as HistoryBlob, content), HISTORY_MAX_BLOB);
}
