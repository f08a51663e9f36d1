/**
 * Issue 16 item 3: the installed hook calls sealfile by path (no npx), so it works for a clone run by path in a
 * repository without package.json, for a global install on PATH, and chains a foreign hook with --force.
 * The hook itself is the subject, so these run real `git commit`s.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { makeRepo, type TempRepo } from "../git/_repo.js";
import { BIN, baseEnv, runSecrets } from "../helpers/cli.js";
import { runInProcess } from "../helpers/in-process.js";

// Assembled at run time so this file holds no token-shaped literal.
const GH_TOKEN = ["gh", "p_", "R8xK2mQ9vT4wL7nB3cY6", "hJ1fD5sA0gZ8eU2iO4pW"].join("");

let repo: TempRepo;
let home: string;
afterEach(() => {
  repo.cleanup();
  rmSync(home, { recursive: true, force: true });
});

/** A PATH with git and node but no `secrets` and no npx-reachable sealfile. */
function bareEnv(extraPath?: string): Record<string, string> {
  home = mkdtempSync(join(tmpdir(), "sealfile-hook-home-"));
  const path = [extraPath, dirname(process.execPath), "/usr/bin", "/bin"].filter(Boolean).join(":");
  return baseEnv(home, { PATH: path, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" });
}

function commit(env: Record<string, string>): { ok: boolean; output: string } {
  const r = spawnSync("git", ["commit", "-qm", "change"], { cwd: repo.dir, env, encoding: "utf8" });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}

function newRepo(): void {
  repo = makeRepo("sealfile-hookinst-");
  repo.write("README.md", "hello\n");
  repo.git("add", ".");
  repo.git("commit", "-qm", "start", "--no-verify");
}

function hookPath(): string {
  return join(repo.dir, ".git", "hooks", "pre-commit");
}

describe("issue 16 item 3: the hook works wherever sealfile is installed", () => {
  it("a clone run by path, in a repository without package.json: the hook calls it by absolute path and blocks", () => {
    newRepo();
    const env = bareEnv();
    const res = runSecrets(["hook", "install"], { env, cwd: repo.dir });
    expect(res.code, res.stderr).toBe(0);
    const script = readFileSync(hookPath(), "utf8");
    expect(script).not.toContain("npx");
    expect(script).toContain(`node ${BIN} guard --staged`);
    repo.write("config.yaml", `token: ${GH_TOKEN}\n`);
    repo.git("add", "config.yaml");
    const blocked = commit(env);
    expect(blocked.ok, blocked.output).toBe(false);
    expect(blocked.output).toContain("github-token");
    repo.write("config.yaml", "token: ${GITHUB_TOKEN}\n");
    repo.git("add", "config.yaml");
    const passed = commit(env);
    expect(passed.ok, passed.output).toBe(true);
  });

  it("a global install on PATH: the hook calls `secrets` by name", () => {
    newRepo();
    const binDir = mkdtempSync(join(tmpdir(), "sealfile-global-bin-"));
    try {
      symlinkSync(BIN, join(binDir, "secrets"));
      const env = bareEnv(binDir);
      const res = spawnSync(join(binDir, "secrets"), ["hook", "install"], { env, cwd: repo.dir, encoding: "utf8" });
      expect(res.status, res.stderr).toBe(0);
      expect(readFileSync(hookPath(), "utf8")).toMatch(/^secrets guard --staged$/m);
      repo.write("config.yaml", `token: ${GH_TOKEN}\n`);
      repo.git("add", "config.yaml");
      const blocked = commit(env);
      expect(blocked.ok, blocked.output).toBe(false);
      expect(blocked.output).toContain("github-token");
    } finally {
      rmSync(binDir, { recursive: true, force: true });
    }
  });

  it("--force chains a foreign hook (it still runs, first), and uninstall puts it back", async () => {
    newRepo();
    const env = bareEnv();
    mkdirSync(dirname(hookPath()), { recursive: true });
    const foreign = '#!/bin/sh\necho "lint ran" >> "$(git rev-parse --show-toplevel)/.git/lint.log"\n';
    writeFileSync(hookPath(), foreign);
    chmodSync(hookPath(), 0o755);
    const refused = await runInProcess(["hook", "install"], { env, cwd: repo.dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("--force");
    const res = runSecrets(["hook", "install", "--force"], { env, cwd: repo.dir });
    expect(res.code, res.stderr).toBe(0);
    repo.write("config.yaml", `token: ${GH_TOKEN}\n`);
    repo.git("add", "config.yaml");
    const blocked = commit(env);
    expect(blocked.ok, blocked.output).toBe(false);
    expect(readFileSync(join(repo.dir, ".git", "lint.log"), "utf8")).toBe("lint ran\n");
    const un = await runInProcess(["hook", "uninstall"], { env, cwd: repo.dir });
    expect(un.code, un.stderr).toBe(0);
    expect(readFileSync(hookPath(), "utf8")).toBe(foreign);
    expect(existsSync(`${hookPath()}.sealfile-chained`)).toBe(false);
  });

  it("uninstall removes a hook of ours, and then says there is none", async () => {
    newRepo();
    const env = bareEnv();
    expect((await runInProcess(["hook", "install"], { env, cwd: repo.dir })).code).toBe(0);
    const un = await runInProcess(["hook", "uninstall"], { env, cwd: repo.dir });
    expect(un.code, un.stderr).toBe(0);
    expect(existsSync(hookPath())).toBe(false);
    const again = await runInProcess(["hook", "uninstall"], { env, cwd: repo.dir });
    expect(again.stderr).toContain("not in");
  });
});
