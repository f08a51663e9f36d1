/** Owns: throw-away git repositories with age keys and a .sops.yaml, for tests of commands that live in git. */
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { baseEnv, runSecrets } from "./cli.js";

export interface TestRepo {
  readonly dir: string;
  readonly home: string;
  /** Key files and recipients, in the order made. */
  readonly keys: Array<{ file: string; recipient: string }>;
  env(keyIndex?: number, extra?: Record<string, string>): Record<string, string>;
  write(rel: string, text: string): string;
  read(rel: string): string;
  git(...args: string[]): string;
  commit(message?: string): void;
  cleanup(): void;
}

/** Runs git in `dir` without the system config, and with `home`'s global config (none when not given). */
export function gitRunner(dir: string, home?: string): (...args: string[]) => string {
  const env = { ...process.env, GIT_CONFIG_NOSYSTEM: "1", ...(home ? { HOME: home } : { GIT_CONFIG_GLOBAL: "/dev/null" }) };
  return (...args) => execFileSync("git", args, { cwd: dir, encoding: "utf8", env });
}

/** `git init` on branch main, with a test identity and no commit signing. */
export function initRepo(git: (...args: string[]) => string): void {
  git("init", "-q", "-b", "main");
  git("config", "user.email", "test@example.com");
  git("config", "user.name", "test");
  git("config", "commit.gpgsign", "false");
}

/** A git repo with `nKeys` age identities (keys.N.txt kept outside the work tree). */
export function makeRepo(nKeys = 2): TestRepo {
  const root = mkdtempSync(join(tmpdir(), "sealfile-repo-"));
  const dir = join(root, "repo");
  const home = join(root, "home");
  mkdirSync(dir);
  mkdirSync(home);
  const keys: Array<{ file: string; recipient: string }> = [];
  for (let i = 0; i < nKeys; i++) {
    const file = join(root, `keys.${i}.txt`);
    const r = runSecrets(["keygen", "-o", file], { env: baseEnv(home) });
    if (r.code !== 0) throw new Error(`keygen failed: ${r.stderr}`);
    keys.push({ file, recipient: r.stdout.trim() });
  }
  const git = gitRunner(dir, home);
  initRepo(git);
  return repoAt(root, keys);
}

/** A full copy of `r` (work tree, .git, HOME and key files) in a new folder, so one setup serves several tests. */
export function copyRepo(r: TestRepo): TestRepo {
  const from = dirname(r.dir);
  const root = mkdtempSync(join(tmpdir(), "sealfile-repo-"));
  cpSync(from, root, { recursive: true, verbatimSymlinks: true });
  return repoAt(root, r.keys.map((k) => ({ file: join(root, relative(from, k.file)), recipient: k.recipient })));
}

function repoAt(root: string, keys: Array<{ file: string; recipient: string }>): TestRepo {
  const dir = join(root, "repo");
  const home = join(root, "home");
  const git = gitRunner(dir, home);
  return {
    dir,
    home,
    keys,
    env: (k = 0, extra = {}) => baseEnv(home, { SOPS_AGE_KEY_FILE: keys[k]!.file, ...extra }),
    write(rel, text) {
      const p = join(dir, rel);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, text);
      return p;
    },
    read: (rel) => readFileSync(join(dir, rel), "utf8"),
    git,
    commit(message = "commit") {
      git("add", "-A");
      git("commit", "-q", "-m", message);
    },
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** A `.sops.yaml` with one rule for `regex` naming `recipients`. */
export function sopsConfig(regex: string, recipients: string[], extra = ""): string {
  return `creation_rules:\n  - path_regex: ${JSON.stringify(regex)}\n    age: ${JSON.stringify(recipients.join(","))}\n${extra}`;
}

/** Waits until the wall clock is past the second of `lastmodified` in `text`, so a rewrite must change it. */
export async function pastLastModified(text: string): Promise<void> {
  const m = /lastmodified"?:\s*"?([0-9T:-]+Z)/.exec(text);
  if (!m) throw new Error("no lastmodified in the file");
  const until = Date.parse(m[1]!) + 1000;
  while (Date.now() < until) await new Promise((r) => setTimeout(r, Math.max(10, until - Date.now())));
}

/** Lines changed in `git diff` of the work tree: [removed, added]. */
export function diffLines(repo: TestRepo, rel: string): { removed: string[]; added: string[] } {
  const out = repo.git("diff", "--no-color", "-U0", "--", rel).split("\n");
  return {
    removed: out.filter((l) => l.startsWith("-") && !l.startsWith("---")),
    added: out.filter((l) => l.startsWith("+") && !l.startsWith("+++")),
  };
}
