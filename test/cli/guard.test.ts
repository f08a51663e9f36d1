/** `secrets guard` as a real process: exit codes, human and JSON output, and no secret value in either. */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baseEnv, runSecrets, tempHome, type RunResult } from "../helpers/cli.js";
import { makeRepo } from "../git/_repo.js";

interface Label {
  file: string;
  scanAs: string;
  expect: string[];
  secrets?: string[];
}
interface JsonFinding {
  path: string;
  line?: number;
  column?: number;
  rule: string;
  excerpt: string;
  message: string;
  fingerprint: string;
}

const CORPUS = join(import.meta.dirname, "..", "fixtures", "guard");
const labels = (JSON.parse(readFileSync(join(CORPUS, "labels.json"), "utf8")) as { files: Label[] }).files;
const RECIPIENT = "age1xq3ypj0ful9m3usyjkm9vswddrljwdz8xzpvx225dhersl5wpfhszyky9l";
const TOKEN = ["gh", "p_", "R8xK2mQ9vT4wL7nB3cY6", "hJ1fD5sA0gZ8eU2iO4pW"].join("");

const home = tempHome();
const env = baseEnv(home.dir, { GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" });
afterAll(() => home.cleanup());

describe("secrets guard over the labelled corpus (outside a repository)", () => {
  let dir: string;
  let human: RunResult;
  let json: RunResult;
  const caseDir = (i: number) => `cases/${String(i).padStart(3, "0")}`;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "sealfile-guard-corpus-"));
    // the corpus's creation rule: YAML files under a `secrets/` folder must be sealed
    writeFileSync(join(dir, ".sops.yaml"), `creation_rules:\n  - path_regex: (^|/)secrets/.*\\.ya?ml$\n    age: ${RECIPIENT}\n`);
    labels.forEach((l, i) => {
      const to = join(dir, caseDir(i), l.scanAs);
      mkdirSync(dirname(to), { recursive: true });
      copyFileSync(join(CORPUS, l.file), to);
    });
    human = runSecrets(["guard", "cases"], { env, cwd: dir });
    json = runSecrets(["guard", "--json", "cases"], { env, cwd: dir });
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("exits 1 and reports each positive with an expected rule, and (almost) no negative", () => {
    expect(human.code).toBe(1);
    expect(json.code).toBe(1);
    const findings = (JSON.parse(json.stdout) as { findings: JsonFinding[] }).findings;
    let missed = 0;
    let falseAlarms = 0;
    labels.forEach((l, i) => {
      const path = `${caseDir(i)}/${l.scanAs}`;
      const mine = findings.filter((f) => f.path === path);
      if (l.expect.length > 0 && !mine.some((f) => l.expect.includes(f.rule))) missed++;
      if (l.expect.length === 0 && mine.length > 0) falseAlarms++;
    });
    const positives = labels.filter((l) => l.expect.length > 0).length;
    console.log(`guard CLI on the corpus: ${positives - missed}/${positives} positives found, ${falseAlarms} false alarms`);
    expect(missed).toBe(0);
    expect(falseAlarms / (labels.length - positives)).toBeLessThanOrEqual(0.05);
  });

  it("prints file:line, the rule id and a masked excerpt", () => {
    const first = (JSON.parse(json.stdout) as { findings: JsonFinding[] }).findings.find((f) => f.rule === "github-token");
    expect(first).toBeDefined();
    const f = first as JsonFinding;
    expect(human.stderr).toContain(`${f.path}:${f.line}:${f.column}  github-token  ${f.excerpt}`);
    expect(f.excerpt).toMatch(/^gh.{2}…$/);
    expect(human.stderr).toContain("secrets:allow");
    expect(human.stderr).toMatch(/error\[GUARD_FINDINGS\]: \d+ findings in \d+ files/);
    expect(human.stdout).toBe("");
  });

  it("never prints a full secret value, human or JSON", () => {
    const printed = `${human.stdout}${human.stderr}${json.stdout}${json.stderr}`;
    const secrets = labels.flatMap((l) => l.secrets ?? []);
    expect(secrets.length).toBeGreaterThan(60);
    for (const s of secrets) {
      expect(printed.includes(s), `a corpus secret starting ${s.slice(0, 4)} was printed`).toBe(false);
      for (let i = 4; i + 8 <= s.length; i += 4) expect(printed.includes(s.slice(i, i + 8)), `a piece of a secret starting ${s.slice(0, 4)}`).toBe(false);
    }
  });
});

describe("secrets guard exit codes and JSON", () => {
  it("0 when clean, 1 with findings; --json carries the findings for CI", () => {
    const repo = makeRepo();
    try {
      repo.write("src/a.js", "export const x = process.env.TOKEN;\n");
      repo.git("add", ".");
      const clean = runSecrets(["guard"], { env, cwd: repo.dir });
      expect(clean.code, clean.stderr).toBe(0);
      expect(clean.stderr).toMatch(/1 staged file checked, no secrets found/);

      repo.write("src/b.js", `const t = "${TOKEN}";\n`);
      repo.git("add", ".");
      const res = runSecrets(["guard", "--staged", "--json"], { env, cwd: repo.dir });
      expect(res.code).toBe(1);
      const doc = JSON.parse(res.stdout) as { version: number; mode: string; checkedFiles: number; findings: JsonFinding[] };
      expect(doc).toMatchObject({ version: 1, mode: "staged", checkedFiles: 2 });
      expect(doc.findings).toEqual([
        { path: "src/b.js", line: 1, column: 12, rule: "github-token", excerpt: "ghp_…", message: expect.any(String), fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/) },
      ]);
      expect(res.stdout + res.stderr).not.toContain(TOKEN);
      // paths and --all look at the working tree
      expect(runSecrets(["guard", "src/a.js"], { env, cwd: repo.dir }).code).toBe(0);
      expect(runSecrets(["guard", "src"], { env, cwd: repo.dir }).code).toBe(1);
      expect(runSecrets(["guard", "--all"], { env, cwd: repo.dir }).code).toBe(1);
      // --baseline FILE: accepted there, and only there
      const upd = runSecrets(["guard", "--baseline", "ci/accepted.json", "--baseline-update"], { env, cwd: repo.dir });
      expect(upd.code, upd.stderr).toBe(0);
      expect(upd.stderr).toMatch(/1 finding accepted, ci\/accepted\.json now holds 1 fingerprint; `git add ci\/accepted\.json` to use it/);
      expect(readFileSync(join(repo.dir, "ci/accepted.json"), "utf8")).not.toContain(TOKEN);
      const unstaged = runSecrets(["guard", "--baseline", "ci/accepted.json"], { env, cwd: repo.dir });
      expect(unstaged.code).toBe(1);
      expect(unstaged.stderr).toMatch(/warning: ci\/accepted\.json is not committed or staged, so it is not used/);
      repo.git("add", "ci/accepted.json");
      expect(runSecrets(["guard", "--baseline", "ci/accepted.json"], { env, cwd: repo.dir }).code).toBe(0);
      expect(runSecrets(["guard"], { env, cwd: repo.dir }).code).toBe(1);
    } finally {
      repo.cleanup();
    }
  });

  it("2 for usage errors, git errors, a broken .sops.yaml, and a foreign hook without --force", () => {
    const repo = makeRepo();
    const outside = mkdtempSync(join(tmpdir(), "sealfile-nogit-"));
    try {
      const both = runSecrets(["guard", "--staged", "--all"], { env, cwd: repo.dir });
      expect(both.code).toBe(2);
      expect(both.stderr).toContain("error[USAGE]");
      expect(runSecrets(["guard", "--all", "src"], { env, cwd: repo.dir }).code).toBe(2);
      expect(runSecrets(["guard", "--bogus"], { env, cwd: repo.dir }).code).toBe(2);
      const noRepo = runSecrets(["guard", "--staged"], { env, cwd: outside });
      expect(noRepo.code).toBe(2);
      expect(noRepo.stderr).toContain("not inside a git repository");
      repo.write(".git/hooks/pre-commit", "#!/bin/sh\nmake lint\n");
      const foreign = runSecrets(["hook", "install"], { env, cwd: repo.dir });
      expect(foreign.code).toBe(2);
      expect(foreign.stderr).toMatch(/--force/);
      expect(runSecrets(["hook", "install", "--force"], { env, cwd: repo.dir }).code).toBe(0);
      // issue 16: --force keeps the foreign hook and chains it before the guard
      expect(readFileSync(join(repo.dir, ".git/hooks/pre-commit.sealfile-chained"), "utf8")).toContain("make lint");
      expect(runSecrets(["hook", "install"], { env, cwd: outside }).code).toBe(2);
      repo.write(".sops.yaml", "creation_rules:\n  - path_regex: '('\n");
      const bad = runSecrets(["guard"], { env, cwd: repo.dir });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain("error[BAD_CONFIG]");
      repo.write(".secrets-baseline.json", "{}");
      repo.git("add", ".secrets-baseline.json");
      repo.write(".sops.yaml", "creation_rules: []\n");
      expect(runSecrets(["guard"], { env, cwd: repo.dir }).code).toBe(2);
    } finally {
      repo.cleanup();
      rmSync(outside, { recursive: true, force: true });
    }
  });
});

describe("issue 14 item 8: a staged sealfile temp file", () => {
  it("is reported as sealfile-temp, whatever its content, even when .secretsignore or the baseline would silence it", () => {
    const repo = makeRepo();
    try {
      // What a `decrypt -i` killed mid-write leaves: plaintext with no secret a detector would know.
      repo.write("config/.app.yaml.sealfile-4242-0123456789ab.tmp", "db_host: internal.example\nport: 5432\n");
      repo.write("config/.old.yaml.a1b2c3d4e5f6.tmp", "name: value\n");
      repo.git("add", ".");
      const res = runSecrets(["guard", "--json"], { env, cwd: repo.dir });
      expect(res.code).toBe(1);
      const rules = (JSON.parse(res.stdout) as { findings: JsonFinding[] }).findings.map((f) => `${f.rule} ${f.path}`);
      expect(rules).toEqual(["sealfile-temp config/.app.yaml.sealfile-4242-0123456789ab.tmp", "sealfile-temp config/.old.yaml.a1b2c3d4e5f6.tmp"]);
      expect(runSecrets(["guard", "--baseline-update"], { env, cwd: repo.dir }).code).toBe(0);
      repo.write(".secretsignore", "config/\n");
      repo.git("add", ".");
      const again = runSecrets(["guard"], { env, cwd: repo.dir });
      expect(again.code).toBe(1);
      expect(again.stdout + again.stderr).toContain("sealfile-temp");
      expect(again.stdout + again.stderr).not.toContain("5432");
    } finally {
      repo.cleanup();
    }
  });
});
