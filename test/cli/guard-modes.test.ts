/** Issue 16: `secrets guard` modes and errors — stdin, --list-rules, --history, a missing path, no repository. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { baseEnv, tempHome } from "../helpers/cli.js";
import { runInProcess } from "../helpers/in-process.js";
import { makeRepo } from "../git/_repo.js";
import { RULE_CATALOG } from "../../src/guard/rule-catalog.js";

// Assembled at run time so this file holds no token-shaped literal.
const TOKEN = ["gh", "p_", "R8xK2mQ9vT4wL7nB3cY6", "hJ1fD5sA0gZ8eU2iO4pW"].join("");
const OTHER = ["gl", "pat-", "Zq7Lm2Xv9Kp4Rt8Wn3Yb"].join("");

const home = tempHome();
const env = baseEnv(home.dir, { GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" });
const outside = mkdtempSync(join(tmpdir(), "sealfile-norepo-"));
afterAll(() => {
  home.cleanup();
  rmSync(outside, { recursive: true, force: true });
});

describe("issue 16: guard's small fixes", () => {
  it("a path that does not exist fails (exit 2) instead of reporting 0 files checked", async () => {
    const r = await runInProcess(["guard", "no-such-file"], { env, cwd: outside });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error[FILE_NOT_FOUND]: no-such-file");
    expect(r.stderr).not.toContain("0 files checked");
  });

  it("outside a repository with no path: a clear error naming the ways out, no raw git text", async () => {
    const r = await runInProcess(["guard"], { env, cwd: outside });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("not inside a git repository");
    expect(r.stderr).toContain("secrets guard -");
    expect(r.stderr).not.toMatch(/rev-parse|fatal:/);
  });

  it("reads standard input with `-` and with --stdin", async () => {
    for (const args of [["guard", "-"], ["guard", "--stdin"]]) {
      const found = await runInProcess(args, { env, cwd: outside, input: `deploy:\n  token: ${TOKEN}\n` });
      expect(found.code, args.join(" ")).toBe(1);
      expect(found.stderr).toContain("<stdin>:2:10  github-token");
      expect(found.stderr).not.toContain(TOKEN);
      const clean = await runInProcess(args, { env, cwd: outside, input: "token: ${GITHUB_TOKEN}\n" });
      expect(clean.code, clean.stderr).toBe(0);
    }
  });

  it("--list-rules prints every rule with its provider, documented format and example; --help points at it", async () => {
    const r = await runInProcess(["guard", "--list-rules"], { env, cwd: outside });
    expect(r.code).toBe(0);
    for (const rule of RULE_CATALOG) {
      expect(r.stdout).toContain(`${rule.id.padEnd(26)} ${rule.provider}\n    format:  ${rule.docs}\n`);
    }
    const json = JSON.parse((await runInProcess(["guard", "--list-rules", "--json"], { env, cwd: outside })).stdout) as unknown[];
    expect(json.length).toBe(RULE_CATALOG.length);
    const help = await runInProcess(["guard", "--help"], { env, cwd: outside });
    expect(help.stdout + help.stderr).toContain("--list-rules");
  });
});

describe("issue 16 item 2: guard --history", () => {
  it("finds a secret committed and later removed, once per file version, with commit, path and line", async () => {
    const repo = makeRepo("sealfile-history-");
    try {
      repo.write("app/config.yaml", `name: app\ntoken: ${TOKEN}\n`);
      repo.write("copy/config.yaml", `name: app\ntoken: ${TOKEN}\n`); // the same blob under another path
      repo.git("add", ".");
      repo.git("commit", "-qm", "leak", "--no-verify");
      const leak = repo.git("rev-parse", "HEAD").trim();
      repo.write("app/config.yaml", "name: app\ntoken: ${GITHUB_TOKEN}\n");
      repo.git("rm", "-q", "copy/config.yaml");
      repo.git("add", ".");
      repo.git("commit", "-qm", "fix", "--no-verify");
      repo.write("later.env.example", `OTHER=${OTHER}\n`);
      repo.git("add", ".");
      repo.git("commit", "-qm", "second leak", "--no-verify");
      const second = repo.git("rev-parse", "HEAD").trim();

      // the working tree and index are clean now: only history holds the first token
      expect((await runInProcess(["guard", "--all"], { env, cwd: repo.dir })).stderr).not.toContain("github-token");
      const r = await runInProcess(["guard", "--history", "--json"], { env, cwd: repo.dir });
      expect(r.code, r.stderr).toBe(1);
      const doc = JSON.parse(r.stdout) as { mode: string; findings: Array<{ commit: string; path: string; line: number; rule: string }> };
      expect(doc.mode).toBe("history");
      expect(doc.findings.map((f) => [f.commit, f.path, f.line, f.rule])).toEqual([
        [leak, "app/config.yaml", 2, "github-token"],
        [second, "later.env.example", 1, "gitlab-token"],
      ]);
      const human = await runInProcess(["guard", "--history"], { env, cwd: repo.dir });
      expect(human.stderr).toContain(`${leak.slice(0, 12)}:app/config.yaml:2:8  github-token`);
      expect(human.stderr).not.toContain(TOKEN);

      // a range: only what the last commit introduced
      const ranged = await runInProcess(["guard", "--history", `${leak}..HEAD`, "--json"], { env, cwd: repo.dir });
      const rangedFindings = (JSON.parse(ranged.stdout) as typeof doc).findings;
      expect(rangedFindings.map((f) => f.path)).toEqual(["later.env.example"]);
      const bad = await runInProcess(["guard", "--history", "no-such-ref..HEAD"], { env, cwd: repo.dir });
      expect(bad.code).toBe(2);
    } finally {
      repo.cleanup();
    }
  });
});
