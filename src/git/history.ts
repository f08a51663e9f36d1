/**
 * Owns: reading every file version reachable in a repository's history once — `git log --raw` names, per
 * commit, the blobs it added or changed (oldest commit first, so each blob is credited to the commit that
 * introduced it), and one `git cat-file --batch` streams their contents, each blob id read once however many
 * commits or paths share it.
 */
import { spawn } from "node:child_process";
import { SealError } from "../errors.js";
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
 * HISTORY_MAX_BLOB get `null` content.
 * @throws SealError GENERIC (exit 2) when git fails.
 */
export async function readBlobs(root: string, blobs: readonly HistoryBlob[], each: (b: HistoryBlob, content: Buffer | null) => void): Promise<void> {
  if (blobs.length === 0) return;
  const child = spawn("git", ["cat-file", "--batch"], { cwd: root, stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, LC_ALL: "C" } });
  child.stdin.on("error", () => {});
  child.stdin.end(blobs.map((b) => b.blob).join("\n") + "\n");
  let buf: Buffer = Buffer.alloc(0);
  // chunks of a large blob are kept aside until it is complete, so it is copied once, not once per chunk
  const parts: Buffer[] = [];
  let partsLength = 0;
  let index = 0;
  let need = -1; // bytes of content (plus the newline after it) still to come for the current blob
  const done = new Promise<void>((resolve, reject) => {
    child.on("error", (e) => reject(new SealError("GENERIC", "could not run git cat-file", { exitCode: 2, cause: e })));
    child.on("close", (code) => (code === 0 && index === blobs.length ? resolve() : reject(new SealError("GENERIC", `git cat-file failed (status ${code ?? "?"})`, { exitCode: 2 }))));
  });
  child.stdout.on("data", (chunk: Buffer) => {
    if (need > 0 && partsLength + chunk.length < need) {
      parts.push(chunk);
      partsLength += chunk.length;
      return;
    }
    buf = Buffer.concat([buf, ...parts, chunk]);
    parts.length = 0;
    partsLength = 0;
    for (;;) {
      if (need < 0) {
        const nl = buf.indexOf(10);
        if (nl < 0) return;
        const header = buf.subarray(0, nl).toString("latin1"); // "<id> blob <size>" or "<id> missing"
        buf = buf.subarray(nl + 1);
        const size = /^\S+ blob (\d+)$/.exec(header)?.[1];
        if (size === undefined) {
          each(blobs[index++] as HistoryBlob, null);
          continue;
        }
        need = Number(size) + 1;
      }
      if (buf.length < need) {
        parts.push(buf);
        partsLength = buf.length;
        buf = Buffer.alloc(0);
        return;
      }
      const content = buf.subarray(0, need - 1);
      buf = buf.subarray(need);
      need = -1;
      each(blobs[index++] as HistoryBlob, content.length > HISTORY_MAX_BLOB ? null : content);
    }
  });
  await done;
}
