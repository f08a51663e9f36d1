/**
 * Owns: finding every file under a folder that a `.sops.yaml` creation rule covers — `git ls-files` (tracked
 * and untracked-but-not-ignored) inside a repository, a directory walk outside one — for `--all` and `status`.
 * A symbolic link found in a folder is not a file of its own: reading it would bring the bytes of a file
 * elsewhere (outside the repository, perhaps) into the link's place, re-encrypted for the repository's own
 * recipients, and the link would become a regular file. Such links are reported apart and left alone.
 */
import { lstatSync, readdirSync, statSync } from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { SealError } from "../errors.js";
import { CONFIG_NAME, loadConfig, matchRule, type CreationRule, type SopsConfig } from "../config.js";
import { runGit, runGitText } from "../git/run-git.js";
import { isSealfileLockName, isSealfileTempName } from "../io/temp-files.js";

export interface RuleFile {
  /** Absolute path. */
  readonly path: string;
  /** Path relative to the working directory, with forward slashes, for messages. */
  readonly display: string;
  readonly config: SopsConfig;
  readonly rule: CreationRule;
}

export interface RuleFiles {
  readonly files: RuleFile[];
  /** Symbolic links a rule covers, found in a folder: left alone (a file named on its own is in `files`). */
  readonly links: RuleFile[];
}

export interface RuleFilesOptions {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** `--config`: one config for every file instead of the nearest one. */
  readonly explicitConfig?: string;
}

/** Folders never walked outside git. */
const SKIP_DIRS = new Set([".git", "node_modules"]);

/** The top of the git work tree containing `dir`, or undefined outside git. */
export async function gitTopLevel(dir: string): Promise<string | undefined> {
  try {
    const top = await runGitText(["rev-parse", "--show-toplevel"], { cwd: dir });
    return top === "" ? undefined : top;
  } catch {
    return undefined;
  }
}

async function listFiles(dir: string): Promise<string[]> {
  if (await gitTopLevel(dir)) {
    const out = await runGit(["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "."], { cwd: dir });
    const seen = new Set<string>();
    for (const p of out.toString("utf8").split("\0")) if (p !== "") seen.add(resolve(dir, p));
    return [...seen].sort();
  }
  const found: string[] = [];
  const walk = (d: string): void => {
    for (const ent of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, ent.name);
      if (ent.isDirectory()) {
        if (!SKIP_DIRS.has(ent.name)) walk(p);
      } else if (ent.isFile() || ent.isSymbolicLink()) {
        found.push(p);
      }
    }
  };
  walk(dir);
  return found.sort();
}

/** sealfile's own temp files and locks are never secrets files of their own. */
function isSealfileOwn(path: string): boolean {
  const name = basename(path);
  return isSealfileTempName(name) || isSealfileLockName(name);
}

/**
 * Every file under `root` (a folder, or one file) matched by a creation rule of the config in effect for it
 * (the nearest `.sops.yaml` upward from the file, unless one is named). Config files themselves are skipped;
 * symbolic links in a folder are listed apart.
 * @throws SealError FILE_NOT_FOUND when `root` does not exist; BAD_CONFIG for an invalid config; GENERIC when git fails.
 */
export async function filesMatchingRules(root: string, opts: RuleFilesOptions): Promise<RuleFiles> {
  const abs = resolve(opts.cwd, root);
  const st = statSync(abs, { throwIfNoEntry: false });
  if (st === undefined) throw new SealError("FILE_NOT_FOUND", `${root}: no such file or folder`, { hint: "check the path (it is relative to the working directory)" });
  const candidates = st.isDirectory() ? await listFiles(abs) : [abs];
  const configs = new Map<string, SopsConfig | undefined>();
  const configFor = (file: string): SopsConfig | undefined => {
    const key = opts.explicitConfig ? "" : dirname(file);
    if (!configs.has(key)) configs.set(key, loadConfig({ cwd: opts.cwd, file, env: opts.env, ...(opts.explicitConfig ? { explicit: opts.explicitConfig } : {}) }));
    return configs.get(key);
  };
  const files: RuleFile[] = [];
  const links: RuleFile[] = [];
  for (const path of candidates) {
    if (basename(path) === CONFIG_NAME || isSealfileOwn(path)) continue;
    const config = configFor(path);
    if (!config || path === config.path) continue;
    const rule = matchRule(config, path, opts.cwd);
    if (!rule) continue;
    const found = { path, display: relative(opts.cwd, path).split(sep).join("/") || basename(path), config, rule };
    (st.isDirectory() && lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink() ? links : files).push(found);
  }
  return { files, links };
}
