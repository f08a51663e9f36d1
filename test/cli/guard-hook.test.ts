/**
 * Acceptance 1 of the guard: real temporary repositories, the hook installed by `secrets hook install`, and
 * `git commit` blocked by each check until the file is encrypted, allowed or baselined.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { makeRepo, type TempRepo } from "../git/_repo.js";
import { BIN, ROOT, baseEnv, runSecrets, tempHome } from "../helpers/cli.js";
import { gitRunner } from "../helpers/git-repo.js";

// Assembled at run time so this file holds no token-shaped literal.
const GH_TOKEN = ["gh", "p_", "R8xK2mQ9vT4wL7nB3cY6", "hJ1fD5sA0gZ8eU2iO4pW"].join("");
const AWS_ID = ["AK", "IA", "Q3ZJ7XH2MNB5WRT4"].join("");
const DB_PASSWORD = ["Vq8!", "zR2#mL5xP9"].join("");

let repo: TempRepo;
let home: { dir: string; cleanup: () => void };
let env: Record<string, string>;
let recipient: string;

function setup(husky: boolean): void {
  repo = makeRepo("sealfile-hook-");
  home = tempHome();
  env = baseEnv(home.dir, { GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1", SOPS_AGE_KEY_FILE: join(home.dir, "age.txt") });
  // `npx --no-install secrets` (the hook's command) resolves our CLI the way it would after `npm install sealfile`.
  mkdirSync(join(repo.dir, "node_modules", ".bin"), { recursive: true });
  symlinkSync(BIN, join(repo.dir, "node_modules", ".bin", "secrets"));
  repo.write(".gitignore", "node_modules/\n");
  recipient = secrets(["keygen", "-o", join(home.dir, "age.txt")]).stdout.trim();
  repo.write(".sops.yaml", `creation_rules:\n  - path_regex: ^secrets/.*\\.yaml$\n    age: ${recipient}\n`);
  if (husky) {
    repo.write("package.json", JSON.stringify({ name: "app", private: true, devDependencies: { husky: "9.1.7" } }));
    mkdirSync(join(repo.dir, ".husky"));
    repo.git("config", "core.hooksPath", ".husky");
  }
  repo.git("add", ".");
  repo.git("commit", "-qm", "start", "--no-verify");
}

interface Template {
  repo: string;
  home: string;
  recipient: string;
}

/** Keeps what setup() (and `extra`) built as a template; the module's repo and home are then free again. */
function keepAsTemplate(): Template {
  const kept = { repo: repo.dir, home: home.dir, recipient };
  repo = undefined as unknown as TempRepo;
  home = undefined as unknown as typeof home;
  return kept;
}

/**
 * A private copy of the template for one test: the repository (its .git, hook and all; nothing in them
 * names the folder) and the HOME with the age key, so tests share one setup and cannot disturb each other.
 */
function fromTemplate(t: Template): void {
  const root = mkdtempSync(join(tmpdir(), "sealfile-hook-"));
  const dir = join(root, "repo");
  cpSync(t.repo, dir, { recursive: true, verbatimSymlinks: true });
  const homeDir = join(root, "home");
  cpSync(t.home, homeDir, { recursive: true });
  repo = {
    dir,
    git: gitRunner(dir),
    write(path, content) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    },
    cleanup() {
      rmSync(root, { recursive: true, force: true });
    },
  };
  home = { dir: homeDir, cleanup: () => undefined };
  env = baseEnv(homeDir, { GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1", SOPS_AGE_KEY_FILE: join(homeDir, "age.txt") });
  recipient = t.recipient;
}

function dropTemplate(t: Template | undefined): void {
  if (t === undefined) return;
  rmSync(t.repo, { recursive: true, force: true });
  rmSync(t.home, { recursive: true, force: true });
}

function secrets(args: string[]) {
  return runSecrets(args, { env, cwd: repo.dir });
}

/** `git commit` of what is staged, through the installed hook. */
function commit(msg = "change"): { ok: boolean; output: string } {
  const r = spawnSync("git", ["commit", "-qm", msg], { cwd: repo.dir, env, encoding: "utf8" });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}

function expectBlocked(rule: string, path: string): string {
  const res = commit();
  expect(res.ok, res.output).toBe(false);
  expect(res.output).toContain(rule);
  expect(res.output).toContain(path);
  expect(res.output).toContain("GUARD_FINDINGS");
  return res.output;
}

function expectCommitted(): void {
  const res = commit();
  expect(res.ok, res.output).toBe(true);
  expect(repo.git("status", "--porcelain", "--untracked-files=no")).toBe("");
}

afterEach(() => {
  // (the last describe block builds its own clone and home)
  repo?.cleanup();
  home?.cleanup();
});

describe("through the git hook (no husky)", () => {
  let template: Template | undefined;
  // One repository with the hook installed, copied for each test.
  beforeAll(() => {
    setup(false);
    const res = secrets(["hook", "install"]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/created .*pre-commit \(git hook\)/);
    template = keepAsTemplate();
  });
  afterAll(() => dropTemplate(template));
  beforeEach(() => fromTemplate(template!));

  it("check 1: an unsealed file under a creation rule; the index counts, not the working tree", () => {
    repo.write("secrets/db.yaml", `db:\n  user: app\n  password: "${DB_PASSWORD}"\n`);
    repo.git("add", "secrets/db.yaml");
    expectBlocked("unsealed-file", "secrets/db.yaml");
    expect(secrets(["encrypt", "-i", "secrets/db.yaml"]).code).toBe(0);
    // encrypted in the working tree but not re-staged: still blocked
    expectBlocked("unsealed-file", "secrets/db.yaml");
    repo.git("add", "secrets/db.yaml");
    expectCommitted();
  });

  it("check 2: a value pasted in clear into a sealed file, then baselined", () => {
    repo.write("secrets/api.yaml", "token: abc\n");
    expect(secrets(["encrypt", "-i", "secrets/api.yaml"]).code).toBe(0);
    const sealed = readFileSync(join(repo.dir, "secrets/api.yaml"), "utf8");
    repo.write("secrets/api.yaml", sealed.replace(/^sops:/m, "pasted: by-hand\nsops:"));
    repo.git("add", ".");
    expect(expectBlocked("clear-value", "secrets/api.yaml")).toContain('"pasted"');
    const upd = secrets(["guard", "--baseline-update"]);
    expect(upd.code, upd.stderr).toBe(0);
    repo.git("add", ".secrets-baseline.json");
    expectCommitted();
  });

  it("check 3: a secret-looking file name (.env) goes through once encrypted", () => {
    repo.write(".env", `DATABASE_PASSWORD=${DB_PASSWORD}\nPORT=8080\n`);
    repo.git("add", ".env");
    expectBlocked("secret-file", ".env");
    expect(secrets(["encrypt", "--age", recipient, "-i", ".env"]).code).toBe(0);
    repo.git("add", ".env");
    expectCommitted();
  });

  it("check 4: known secret formats, allowed inline or by .secretsignore; output is masked", () => {
    repo.write("src/client.js", `const token = "${GH_TOKEN}";\n`);
    repo.write("deploy/aws.txt", `aws_access_key_id = ${AWS_ID}\n`);
    repo.git("add", ".");
    const out = expectBlocked("github-token", "src/client.js:1:");
    expect(out).toContain("aws-access-key");
    expect(out).toContain("ghp_…");
    expect(out).not.toContain(GH_TOKEN);
    expect(out).not.toContain(AWS_ID);
    repo.write("src/client.js", `const token = "${GH_TOKEN}"; // secrets:allow (revoked, kept for the docs)\n`);
    repo.write(".secretsignore", "deploy/**\n");
    // fixed in the working tree only: still blocked
    expectBlocked("github-token", "src/client.js");
    repo.git("add", ".");
    expectCommitted();
  });

  it("check 5: age identity files are blocked even with secrets:allow; encrypted they pass", () => {
    expect(secrets(["keygen", "-o", join(repo.dir, "keys.txt")]).code).toBe(0);
    repo.git("add", "keys.txt");
    expect(expectBlocked("key-file", "keys.txt")).not.toMatch(/AGE-SECRET-KEY-1[0-9A-Z]{8}/);
    repo.write("keys.txt", `# secrets:allow\n${readFileSync(join(repo.dir, "keys.txt"), "utf8").replace(/\n(AGE)/, " # secrets:allow\n$1")}`);
    repo.git("add", "keys.txt");
    expectBlocked("key-file", "keys.txt");
    expect(secrets(["encrypt", "--age", recipient, "-i", "keys.txt"]).code).toBe(0);
    repo.git("add", "keys.txt");
    expectCommitted();
  });

  it("check 5: a dotenvx .env.keys file is always blocked", () => {
    repo.write(".env.keys", `DOTENV_PRIVATE_KEY=${"9f3c".repeat(16)}\n`);
    repo.git("add", ".env.keys");
    expectBlocked("key-file", ".env.keys");
    repo.write("README.md", "keys stay out of git\n");
    repo.git("add", "README.md");
    expectBlocked("key-file", ".env.keys");
    repo.git("rm", "-q", "--cached", ".env.keys");
    expectCommitted();
  });
});

describe("through husky", () => {
  let template: Template | undefined;
  beforeAll(() => {
    setup(true);
    template = keepAsTemplate();
  });
  afterAll(() => dropTemplate(template));
  beforeEach(() => fromTemplate(template!));

  it("adds the guard to .husky/pre-commit and blocks until the fix is staged", () => {
    repo.write(".husky/pre-commit", "echo lint-ok\n");
    const res = secrets(["hook", "install"]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/added the guard to .*\.husky\/pre-commit \(husky\)/);
    expect(readFileSync(join(repo.dir, ".husky/pre-commit"), "utf8")).toBe(`echo lint-ok\nnode ${BIN} guard --staged\n`);
    expect(existsSync(join(repo.dir, ".git/hooks/pre-commit"))).toBe(false);
    expect(secrets(["hook", "install"]).stderr).toMatch(/already in/);

    repo.write("config/app.yaml", `github_token: ${GH_TOKEN}\n`);
    repo.git("add", ".");
    const out = expectBlocked("github-token", "config/app.yaml:1:");
    expect(out).toContain("lint-ok"); // the existing line still runs
    repo.write("config/app.yaml", "github_token: ${GITHUB_TOKEN}\n");
    repo.git("add", ".");
    expectCommitted();
  });

  it("a repository with history adopts the hook with a baseline", () => {
    repo.write("legacy/settings.py", `API_TOKEN = "${GH_TOKEN}"\n`);
    repo.git("add", ".");
    repo.git("commit", "-qm", "old", "--no-verify");
    expect(secrets(["hook", "install"]).code).toBe(0);
    expect(secrets(["guard", "--all"]).code).toBe(1);
    expect(secrets(["guard", "--all", "--baseline-update"]).code).toBe(0);
    // the guard reads the baseline from the index: it counts once staged
    expect(secrets(["guard", "--all"]).code).toBe(1);
    repo.git("add", ".");
    expect(secrets(["guard", "--all"]).code).toBe(0);
    expectCommitted();
    // a new secret is still blocked
    repo.write("legacy/more.py", `OTHER = "${GH_TOKEN.slice(0, -4)}Zq9X"\n`);
    repo.git("add", ".");
    expectBlocked("github-token", "legacy/more.py");
  });
});

describe("sealfile's own repository", () => {
  it("runs the guard from .husky/pre-commit through husky, and `guard --all` reports only the fixtures' key files", () => {
    const home = tempHome();
    const clone = mkdtempSync(join(tmpdir(), "sealfile-self-"));
    const env = baseEnv(home.dir, { GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1", GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.invalid", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.invalid" });
    const run = (cmd: string, args: string[]) => spawnSync(cmd, args, { cwd: clone, env, encoding: "utf8" });
    try {
      expect(run("git", ["clone", "-q", ROOT, "."]).status).toBe(0);
      // the working tree's hook and ignore file (they may not be committed yet), and the built CLI
      mkdirSync(join(clone, ".husky"), { recursive: true });
      copyFileSync(join(ROOT, ".husky/pre-commit"), join(clone, ".husky/pre-commit"));
      copyFileSync(join(ROOT, ".secretsignore"), join(clone, ".secretsignore"));
      symlinkSync(join(ROOT, "node_modules"), join(clone, "node_modules"));
      symlinkSync(join(ROOT, "dist"), join(clone, "dist"));
      expect(run(process.execPath, ["node_modules/husky/bin.js"]).status).toBe(0); // what `"prepare": "husky"` runs
      expect(run("git", ["config", "core.hooksPath"]).stdout.trim()).toBe(".husky/_");

      // Key files are blocked even under .secretsignore: the test keys kept as fixtures are the only findings.
      const all = run(process.execPath, ["bin/secrets.js", "guard", "--all", "--json"]);
      const found = (JSON.parse(all.stdout) as { findings: Array<{ path: string; rule: string }> }).findings;
      expect(found.length, all.stderr).toBeGreaterThan(0);
      expect(found.filter((f) => f.rule !== "key-file" || !f.path.startsWith("test/fixtures/")), all.stderr).toEqual([]);
      writeFileSync(join(clone, "NOTES.md"), "a harmless change to commit\n");
      expect(run("git", ["add", ".husky/pre-commit", ".secretsignore", "NOTES.md"]).status).toBe(0);
      const ok = run("git", ["commit", "-qm", "guard"]);
      expect(ok.status, ok.stderr).toBe(0);
      expect(ok.stderr).toMatch(/no secrets found/);

      mkdirSync(join(clone, "test/fixtures/new"), { recursive: true });
      copyFileSync(join(ROOT, "test/fixtures/guard/positives/07-github-token-ghp.yaml"), join(clone, "test/fixtures/new/token.yaml"));
      copyFileSync(join(ROOT, "test/fixtures/guard/positives/07-github-token-ghp.yaml"), join(clone, "src/leak.yaml"));
      run("git", ["add", "."]);
      const blocked = run("git", ["commit", "-qm", "leak"]);
      expect(blocked.status).not.toBe(0);
      expect(blocked.stderr).toContain("src/leak.yaml:");
      expect(blocked.stderr).not.toContain("test/fixtures/new");
      run("git", ["rm", "-q", "--cached", "src/leak.yaml"]);
      const fixtureOnly = run("git", ["commit", "-qm", "fixture"]);
      expect(fixtureOnly.status, fixtureOnly.stderr).toBe(0);
    } finally {
      rmSync(clone, { recursive: true, force: true });
      home.cleanup();
    }
  });
});
