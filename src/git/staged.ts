/**
 * Owns: reading what is about to be committed (index blobs, in one `git diff --cached --raw -z` and one
 * `git cat-file --batch`), reading given paths from the index, and reading working-tree files for `--all` and
 * explicit paths.
 */
import { lstat, readFile, readdir, readlink } from "node:fs/promises";
import { join, relative, resolve, sep } from "node:path";
import { streamBlobs } from "./cat-file-stream.js";
import { runGit } from "./run-git.js";
import { SealError } from "../errors.js";

/** One index entry that differs from HEAD. */
export interface StagedEntry {
  /** Path relative to the repository root, with `/` separators. */
  readonly path: string;
  /** For renames and copies (only seen when the caller's git detects them): the source path. */
  readonly fromPath?: string;
  /** Blob id in the index (all zeros for deletions). */
  readonly oid: string;
  /** Index mode: "100644", "100755", "120000" (symlink), "160000" (submodule), "000000" (deleted). */
  readonly mode: string;
  /** Raw status letter: A, M, D, T, R, C, U. */
  readonly status: string;
  /** Blob bytes; null for deletions, submodules and unmerged entries. For symlinks, the link target. */
  readonly content: Buffer | null;
}

/** One file read from the working tree. */
export interface WorkingFile {
  readonly path: string;
  readonly mode: string;
  /** null when the file could not be read (see `note`) or is a submodule. */
  readonly content: Buffer | null;
  readonly note?: string;
}

export const MODE_SYMLINK = "120000";
export const MODE_SUBMODULE = "160000";
const ZERO_OID = /^0+$/;

/** A parsed line of `git diff --raw -z`. */
export interface RawDiffEntry {
  readonly srcMode: string;
  readonly dstMode: string;
  readonly dstOid: string;
  readonly status: string;
  readonly path: string;
  readonly fromPath?: string;
}

/**
 * Parses `git diff --raw -z` output: `:<srcmode> <dstmode> <srcoid> <dstoid> <status>\0<path>\0`, where
 * renames and copies (status R/C with a score) carry two paths, source then destination.
 * @throws SealError GENERIC (exit 2) on output that does not have this shape.
 */
export function parseRawDiff(out: Buffer): RawDiffEntry[] {
  const fields = out.toString("utf8").split("\0");
  const entries: RawDiffEntry[] = [];
  let i = 0;
  while (i < fields.length) {
    const head = fields[i++];
    if (head === undefined || head === "") continue;
    const m = /^:(\d{6}) (\d{6}) ([0-9a-f]+) ([0-9a-f]+) ([A-Z])\d*$/.exec(head);
    if (!m) throw new SealError("GENERIC", "unexpected output from git diff --raw", { exitCode: 2 });
    const [, srcMode, dstMode, , dstOid, status] = m as unknown as [string, string, string, string, string, string];
    if (status === "R" || status === "C") {
      const fromPath = fields[i++] ?? "";
      const path = fields[i++] ?? "";
      entries.push({ srcMode, dstMode, dstOid, status, path, fromPath });
    } else {
      entries.push({ srcMode, dstMode, dstOid, status, path: fields[i++] ?? "" });
    }
  }
  return entries;
}

/**
 * Reads every staged change against HEAD (or against the empty tree before the first commit) with its index
 * content. Rename detection is turned off: for the guard a rename is simply a new path with its content, and
 * skipping similarity scoring keeps large commits fast. Symlinks yield their target, submodules and
 * deletions yield null.
 * @throws SealError GENERIC (exit 2) when git fails (e.g. `cwd` is not in a repository).
 */
export async function readStaged(cwd: string): Promise<StagedEntry[]> {
  const entries: Array<{ at: number; entry: StagedEntry }> = [];
  await eachStaged(cwd, (entry, at) => entries.push({ at, entry: entry.content === null ? entry : { ...entry, content: Buffer.from(entry.content) } }));
  return entries.sort((a, b) => a.at - b.at).map((e) => e.entry);
}

/**
 * Like {@link readStaged}, but hands each entry to `each` as soon as its content has arrived from git (in no
 * particular order; `at` is its place in the diff), so scanning overlaps reading. `entry.content` is valid only
 * during the call.
 * @throws SealError GENERIC (exit 2) when git fails; whatever `each` throws.
 */
export async function eachStaged(cwd: string, each: (entry: StagedEntry, at: number) => void): Promise<void> {
  const raw = await runGit(
    ["-c", "core.quotePath=false", "diff", "--cached", "--raw", "-z", "--no-renames", "--no-abbrev", "--no-ext-diff", "--ignore-submodules=none"],
    { cwd },
  );
  const diff = parseRawDiff(raw);
  const entry = (d: RawDiffEntry, content: Buffer | null): StagedEntry => ({
    path: d.path,
    ...(d.fromPath === undefined ? {} : { fromPath: d.fromPath }),
    oid: d.dstOid,
    mode: d.dstMode,
    status: d.status,
    content,
  });
  // each blob is read once, however many paths stage it
  const byOid = new Map<string, number[]>();
  diff.forEach((d, at) => {
    if (!needsBlob(d.status, d.dstMode, d.dstOid)) each(entry(d, null), at);
    else byOid.set(d.dstOid, [...(byOid.get(d.dstOid) ?? []), at]);
  });
  const oids = [...byOid.keys()];
  await streamBlobs(cwd, oids, (i, content) => {
    for (const at of byOid.get(oids[i] ?? "") ?? []) each(entry(diff[at] as RawDiffEntry, content), at);
  });
}

function needsBlob(status: string, mode: string, oid: string): boolean {
  return status !== "D" && status !== "U" && mode !== MODE_SUBMODULE && !ZERO_OID.test(oid);
}

/**
 * Reads blobs with one `git cat-file --batch` process, keyed by id (missing objects are absent).
 * @throws SealError GENERIC (exit 2) when git fails or its output is malformed.
 */
export async function readBlobs(cwd: string, oids: readonly string[]): Promise<Map<string, Buffer>> {
  const unique = [...new Set(oids)];
  const blobs = new Map<string, Buffer>();
  // streamBlobs hands over views of its pipe chunks: each content is copied to outlive the call
  await streamBlobs(cwd, unique, (i, content) => {
    if (content !== null) blobs.set(unique[i]!, Buffer.from(content));
  });
  return blobs;
}

/** One file as the index holds it. */
export interface IndexFile {
  readonly mode: string;
  readonly content: Buffer;
}

/**
 * Reads exact paths (relative to the repository root, `/`-separated) from the index, stage 0 only: what is
 * committed plus what is staged. Paths not in the index (untracked, or unmerged) are absent from the result.
 * @throws SealError GENERIC (exit 2) when git fails.
 */
export async function readIndexFiles(root: string, paths: readonly string[]): Promise<Map<string, IndexFile>> {
  const wanted = new Set(paths);
  const out = await runGit(["--literal-pathspecs", "-c", "core.quotePath=false", "ls-files", "-z", "--stage", "--full-name", "--", ...paths], { cwd: root });
  const entries: Array<{ path: string; mode: string; oid: string }> = [];
  for (const rec of out.toString("utf8").split("\0")) {
    // "<mode> <oid> <stage>\t<path>"
    const m = /^(\d{6}) ([0-9a-f]+) 0\t(.*)$/s.exec(rec);
    if (m && wanted.has(m[3] ?? "")) entries.push({ mode: m[1] ?? "", oid: m[2] ?? "", path: m[3] ?? "" });
  }
  const blobs = entries.length === 0 ? new Map<string, Buffer>() : await readBlobs(root, entries.map((e) => e.oid));
  const files = new Map<string, IndexFile>();
  for (const e of entries) {
    const content = blobs.get(e.oid);
    if (content !== undefined) files.set(e.path, { mode: e.mode, content });
  }
  return files;
}

/**
 * Lists tracked files (index entries) with their modes, optionally limited to pathspecs.
 * @throws SealError GENERIC (exit 2) when git fails.
 */
export async function listTracked(cwd: string, paths?: readonly string[]): Promise<Array<{ path: string; mode: string }>> {
  const out = await runGit(["-c", "core.quotePath=false", "ls-files", "-z", "--stage", "--full-name", "--", ...(paths ?? [])], { cwd });
  const seen = new Set<string>();
  const files: Array<{ path: string; mode: string }> = [];
  for (const rec of out.toString("utf8").split("\0")) {
    if (rec === "") continue;
    // "<mode> <oid> <stage>\t<path>"
    const tab = rec.indexOf("\t");
    const path = rec.slice(tab + 1);
    if (seen.has(path)) continue; // unmerged paths appear once per stage
    seen.add(path);
    files.push({ path, mode: rec.slice(0, 6) });
  }
  return files;
}

/**
 * Reads working-tree files relative to `root`. Submodules get null content; symlinks yield their target;
 * files that cannot be read get null content and a note (the caller reports it, the scan goes on).
 */
export async function readWorkingFiles(root: string, files: ReadonlyArray<{ path: string; mode: string }>): Promise<WorkingFile[]> {
  return Promise.all(
    files.map(async ({ path, mode }): Promise<WorkingFile> => {
      if (mode === MODE_SUBMODULE) return { path, mode, content: null };
      const abs = join(root, path);
      try {
        const st = await lstat(abs);
        if (st.isSymbolicLink()) return { path, mode: MODE_SYMLINK, content: Buffer.from(await readlink(abs)) };
        if (st.isDirectory()) return { path, mode: MODE_SUBMODULE, content: null };
        return { path, mode, content: await readFile(abs) };
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code ?? "error";
        return { path, mode, content: null, note: code === "ENOENT" ? "deleted in the working tree" : `unreadable (${code})` };
      }
    }),
  );
}

/** Directories never descended into when expanding explicit paths. */
const SKIP_DIRS = new Set([".git", "node_modules"]);

/**
 * Expands explicit paths (files or directories, relative to `cwd`) into files relative to `root`,
 * without needing git. Paths that do not exist are returned with a note.
 */
export async function expandPaths(
  root: string,
  cwd: string,
  paths: readonly string[],
): Promise<Array<{ path: string; mode: string; note?: string }>> {
  const found: Array<{ path: string; mode: string; note?: string }> = [];
  const rel = (abs: string): string => relative(root, abs).split(sep).join("/");
  const walk = async (abs: string): Promise<void> => {
    let st;
    try {
      st = await lstat(abs);
    } catch (e) {
      found.push({ path: rel(abs), mode: "100644", note: `unreadable (${(e as NodeJS.ErrnoException).code ?? "error"})` });
      return;
    }
    if (st.isDirectory()) {
      let names: string[];
      try {
        names = (await readdir(abs)).sort();
      } catch (e) {
        found.push({ path: rel(abs), mode: "040000", note: `unreadable (${(e as NodeJS.ErrnoException).code ?? "error"})` });
        return;
      }
      for (const name of names) if (!SKIP_DIRS.has(name)) await walk(join(abs, name));
    } else {
      found.push({ path: rel(abs), mode: st.isSymbolicLink() ? MODE_SYMLINK : (st.mode & 0o111) !== 0 ? "100755" : "100644" });
    }
  };
  for (const p of paths) await walk(resolve(cwd, p)); // absolute paths stay absolute
  return found;
}
