/**
 * Owns: the trust boundary for file paths a `.sops.yaml` names (`audit_log`, `exec.files`) — each one is
 * confined to the repository the config belongs to before anything reads or writes it.
 *
 * "The repository" is the git work tree holding the `.sops.yaml` (the nearest folder upward with a `.git`
 * entry), or the `.sops.yaml`'s own folder when it is in none: a config deep in a monorepo may name a
 * shared file elsewhere in that repository, but never anything beside or above it. A confined path is
 * relative, stays inside the repository once `..` is resolved, does not pass through `.git`, and does not
 * leave the repository through a symbolic link (checked on the real path of the file, or of the nearest
 * folder that exists when the file does not yet).
 */
import { lstatSync, readlinkSync, realpathSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { SealError } from "./errors.js";

const MAX_LEVELS = 100;

/** The repository a `.sops.yaml` at `configPath` belongs to (a real path, symbolic links resolved). */
export function repositoryRoot(configPath: string): string {
  const folder = dirname(resolve(configPath));
  const start = realPathOfNearest(folder) ?? folder;
  let dir = start;
  for (let i = 0; i < MAX_LEVELS; i++) {
    if (entryExists(join(dir, ".git"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return start;
}

/**
 * `value` (as written in the config at `configPath`, under `field`) as an absolute path inside the
 * repository `root`, relative to the config's folder.
 * @throws SealError BAD_CONFIG when it is absolute, leaves the repository (by `..` or a symbolic link),
 *   or points into `.git`.
 */
export function confineToRepository(value: string, field: string, configPath: string, root: string): string {
  const refuse = (why: string): never => {
    throw new SealError("BAD_CONFIG", `${configPath}: ${field} ${JSON.stringify(value)} ${why}`, {
      hint: `paths in .sops.yaml must stay inside the repository (${root}); name a file in it, relative to the .sops.yaml${field === "audit_log" ? ", or set SEALFILE_AUDIT_LOG for a log elsewhere" : ""}`,
    });
  };
  if (value.trim() === "" || value.includes("\0")) refuse("is not a file path");
  if (isAbsolute(value) || /^[A-Za-z]:|^[\\/]/.test(value)) refuse("is an absolute path");
  const folder = dirname(resolve(configPath));
  const path = resolve(realPathOfNearest(folder) ?? folder, value);
  if (!inside(root, path)) refuse("points outside the repository");
  const real = realPathOfNearest(path);
  if (real === undefined || !inside(root, real)) refuse("leaves the repository through a symbolic link");
  if (relative(root, real!).split(sep).includes(".git")) refuse("points into .git");
  return path;
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

function entryExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The real path of `path`: symbolic links resolved, also a dangling one (to where it would create the file),
 * and the missing rest appended to the nearest existing folder. Undefined for a link loop.
 */
function realPathOfNearest(path: string, depth = 0): string | undefined {
  if (depth > MAX_LEVELS) return undefined;
  try {
    return realpathSync(path);
  } catch {
    // missing, or a dangling link
  }
  let isLink = false;
  try {
    isLink = lstatSync(path).isSymbolicLink();
  } catch {
    // missing
  }
  if (isLink) return realPathOfNearest(resolve(dirname(path), readlinkSync(path)), depth + 1);
  const parent = dirname(path);
  if (parent === path) return path;
  const real = realPathOfNearest(parent, depth + 1);
  return real === undefined ? undefined : join(real, basename(path));
}
