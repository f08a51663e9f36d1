/**
 * Owns: the record of an unfinished revoke — for each file the revocation touched, the paths of the values
 * whose secrets must be changed at their source — kept in the git folder (`sealfile/revoke-<key hash>.json`)
 * so a revoke that stopped part-way and is run again still lists every file. Paths only, never values.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { writeFileAtomic } from "../io/atomic-write.js";
import { runGitText } from "../git/run-git.js";

export interface TouchedFile {
  readonly display: string;
  readonly valuePaths: readonly string[];
}

/** Where the record for revoking `key` lives, or undefined outside a git repository. */
export async function revokeRecordPath(cwd: string, key: string): Promise<string | undefined> {
  let gitDir: string;
  try {
    gitDir = await runGitText(["rev-parse", "--absolute-git-dir"], { cwd });
  } catch {
    return undefined;
  }
  const id = createHash("sha256").update(key.trim()).digest("hex").slice(0, 16);
  return join(gitDir, "sealfile", `revoke-${id}.json`);
}

function readRecord(path: string): TouchedFile[] {
  try {
    const data = JSON.parse(readFileSync(path, "utf8")) as unknown;
    if (!Array.isArray(data)) return [];
    return data.filter(
      (f): f is TouchedFile =>
        typeof f === "object" && f !== null && typeof (f as TouchedFile).display === "string" && Array.isArray((f as TouchedFile).valuePaths) && (f as TouchedFile).valuePaths.every((p) => typeof p === "string"),
    );
  } catch {
    return [];
  }
}

/**
 * Adds this run's files to the record (a file seen before keeps the union of its paths) and writes it
 * back before anything is re-keyed. @returns every file touched so far, earlier runs first.
 */
export function recordTouched(path: string | undefined, files: readonly TouchedFile[]): TouchedFile[] {
  const merged = new Map<string, string[]>();
  for (const f of [...(path ? readRecord(path) : []), ...files]) {
    const paths = merged.get(f.display) ?? [];
    for (const p of f.valuePaths) if (!paths.includes(p)) paths.push(p);
    merged.set(f.display, paths);
  }
  const all = [...merged].map(([display, valuePaths]) => ({ display, valuePaths }));
  if (path) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileAtomic(path, Buffer.from(`${JSON.stringify(all, null, 2)}\n`, "utf8"));
  }
  return all;
}

/** Removes the record once the revocation is complete. */
export function clearRecord(path: string | undefined): void {
  if (path) rmSync(path, { force: true });
}
