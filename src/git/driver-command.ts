/**
 * Owns: choosing how git should invoke `secrets` from its drivers — plain `secrets` when that name on PATH
 * is this very CLI (global install), `node <path inside the repo>` for a project dependency (git runs
 * drivers from the top of the work tree), else `node <absolute path>` with a note.
 */
import { accessSync, constants, realpathSync } from "node:fs";
import { delimiter, isAbsolute, join, relative } from "node:path";

export interface DriverCommand {
  readonly command: string;
  /** Something the user should know about the choice. */
  readonly note?: string;
}

/** Quotes a word for a POSIX shell (git runs driver commands through `sh -c`). */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

function real(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/** The `secrets` executables on `pathEnv`, in PATH order. */
function onPath(pathEnv: string | undefined): string[] {
  const found: string[] = [];
  for (const dir of (pathEnv ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, "secrets");
    // npm puts node_modules/.bin on PATH only inside its own scripts; git will not have it.
    if (candidate.split(/[\\/]/).includes("node_modules")) continue;
    try {
      accessSync(candidate, constants.X_OK);
      found.push(candidate);
    } catch {
      // not here
    }
  }
  return found;
}

/**
 * @param cliPath - the script that is running (`bin/secrets.js` of this installation), when known.
 * @param pathEnv - the PATH git will see.
 * @param repoRoot - the work tree's top folder.
 */
export function chooseDriverCommand(opts: { explicit?: string | undefined; cliPath: string | undefined; pathEnv: string | undefined; repoRoot: string }): DriverCommand {
  if (opts.explicit) return { command: opts.explicit };
  const self = opts.cliPath ? real(opts.cliPath) : undefined;
  const first = onPath(opts.pathEnv)[0];
  if (first && (self === undefined || real(first) === self)) return { command: "secrets" };
  if (!self) return { command: "secrets", note: "could not tell where this CLI is installed; the drivers call `secrets` from PATH" };
  const rel = relative(real(opts.repoRoot) ?? opts.repoRoot, self);
  if (!rel.startsWith("..") && !isAbsolute(rel)) return { command: `node ${shellQuote(rel)}` };
  const why = first ? `\`secrets\` on PATH (${first}) is another program or installation` : "`secrets` is not on PATH";
  return {
    command: `node ${shellQuote(self)}`,
    note: `${why}, so the drivers call ${self}; install sealfile globally or as a project dependency and re-run \`secrets git setup\` (or pass --command)`,
  };
}
