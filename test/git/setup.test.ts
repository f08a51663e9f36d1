// `secrets git setup`: the .gitattributes plan, the driver command choice, and setup in a real repository.
import { afterAll, describe, expect, it } from "vitest";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { planGitattributes, patternsForRules, setupGit, driverConfig } from "../../src/git/setup.js";
import { chooseDriverCommand, shellQuote } from "../../src/git/driver-command.js";
import { parseConfig } from "../../src/config.js";
import { makeRepo } from "./_repo.js";
import { BIN, baseEnv, runSecrets, tempHome } from "../helpers/cli.js";

const scratch = mkdtempSync(join(tmpdir(), "sealfile-setup-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("planGitattributes", () => {
  it("keeps existing lines, adds a header once, and is idempotent", () => {
    const existing = "*.png binary\n*.enc.json diff=sealfile merge=sealfile\n";
    const first = planGitattributes(existing, ["*.enc.yaml", "*.enc.json"]);
    expect(first.added).toEqual(["*.enc.yaml"]);
    expect(first.text.startsWith(existing)).toBe(true);
    expect(first.text).toMatch(/\n# sealfile: .*\n\*\.enc\.yaml diff=sealfile merge=sealfile\n$/);
    expect(planGitattributes(first.text, ["*.enc.yaml", "*.enc.json"])).toEqual({ text: first.text, added: [] });
    const more = planGitattributes(first.text, ["*.enc.yml"]);
    expect(more.text.match(/# sealfile:/g)).toHaveLength(1);
    expect(more.text.endsWith("*.enc.yml diff=sealfile merge=sealfile\n")).toBe(true);
  });

  it("adds our attributes even when the pattern already has other attributes", () => {
    const r = planGitattributes("*.enc.yaml text eol=lf", ["*.enc.yaml"]);
    expect(r.added).toEqual(["*.enc.yaml"]);
    expect(r.text.split("\n")[0]).toBe("*.enc.yaml text eol=lf");
  });
});

describe("patternsForRules", () => {
  it("translates each rule and lists those it cannot", () => {
    const config = parseConfig(
      "creation_rules:\n  - path_regex: \\.enc\\.yaml$\n    age: age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p\n  - path_regex: \\d+\\.env$\n    age: age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p\n  - age: age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p\n",
      "/x/.sops.yaml",
    );
    expect(patternsForRules(config)).toEqual({ patterns: ["*.enc.yaml"], untranslated: [{ index: 1, regex: "\\d+\\.env$" }, { index: 2, regex: undefined }] });
  });
});

describe("chooseDriverCommand", () => {
  const root = join(scratch, "repo");
  const binDir = join(scratch, "bin");
  const cli = join(root, "node_modules/sealfile/bin/secrets.js");
  mkdirSync(join(root, "node_modules/.bin"), { recursive: true });
  mkdirSync(join(root, "node_modules/sealfile/bin"), { recursive: true });
  mkdirSync(binDir, { recursive: true });
  writeFileSync(cli, "#!/usr/bin/env node\n");
  chmodSync(cli, 0o755);
  symlinkSync(cli, join(root, "node_modules/.bin/secrets"));

  it("uses an explicit command as given", () => {
    expect(chooseDriverCommand({ explicit: "npx --no-install secrets", cliPath: cli, pathEnv: "", repoRoot: root })).toEqual({ command: "npx --no-install secrets" });
  });

  it("uses the repository-relative path for a project dependency, even with node_modules/.bin on PATH", () => {
    expect(chooseDriverCommand({ cliPath: cli, pathEnv: join(root, "node_modules/.bin"), repoRoot: root })).toEqual({ command: "node node_modules/sealfile/bin/secrets.js" });
  });

  it("uses plain `secrets` when that name on PATH is this CLI (a global install)", () => {
    const global = join(scratch, "global.js");
    writeFileSync(global, "");
    chmodSync(global, 0o755);
    symlinkSync(global, join(binDir, "secrets"));
    expect(chooseDriverCommand({ cliPath: global, pathEnv: `/nonexistent:${binDir}`, repoRoot: root })).toEqual({ command: "secrets" });
    // Another program called `secrets` on PATH is not used.
    const elsewhere = join(scratch, "other place", "secrets.js");
    mkdirSync(join(scratch, "other place"));
    writeFileSync(elsewhere, "");
    const r = chooseDriverCommand({ cliPath: elsewhere, pathEnv: binDir, repoRoot: root });
    expect(r.command).toBe(`node ${shellQuote(elsewhere)}`);
    expect(r.command).toContain("'");
    expect(r.note).toContain("is another program or installation");
  });
});

describe("setupGit", () => {
  it("writes .gitattributes next to a .sops.yaml in a subfolder, and the local config", async () => {
    const repo = makeRepo("sealfile-setup-repo-");
    try {
      repo.write("infra/.sops.yaml", "creation_rules:\n  - path_regex: ^secrets/.*\\.yaml$\n    age: age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p\n");
      const config = parseConfig(readFileSync(join(repo.dir, "infra/.sops.yaml"), "utf8"), join(repo.dir, "infra/.sops.yaml"));
      const r = await setupGit({ cwd: join(repo.dir, "infra"), config, command: "secrets" });
      expect(r.attributesPath).toBe(join(repo.dir, "infra/.gitattributes"));
      expect(r.added).toEqual(["secrets/**/*.yaml"]);
      expect(repo.git("check-attr", "merge", "--", "infra/secrets/a/b.yaml", "secrets/a.yaml")).toBe("infra/secrets/a/b.yaml: merge: sealfile\nsecrets/a.yaml: merge: unspecified\n");
      for (const [k, v] of driverConfig("secrets")) expect(repo.git("config", "--local", "--get", k).trim()).toBe(v);
    } finally {
      repo.cleanup();
    }
  });

  it("through the CLI: warns about a rule it cannot translate and suggests a manual line", () => {
    const repo = makeRepo("sealfile-setup-cli-");
    const home = tempHome();
    try {
      repo.write(".sops.yaml", "creation_rules:\n  - path_regex: \\.enc\\.json$\n    age: age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p\n  - path_regex: '[a-z]+\\.env$'\n    age: age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p\n");
      const r = runSecrets(["git", "setup", "--command", `node ${BIN}`, "--pattern", "*.sealed"], { env: baseEnv(home.dir, { GIT_CONFIG_GLOBAL: "/dev/null" }), cwd: repo.dir });
      expect(r.code).toBe(0);
      expect(r.stderr).toContain("creation_rules[1] path_regex \"[a-z]+\\\\.env$\" cannot be written as a git pattern");
      expect(r.stderr).toContain("diff=sealfile merge=sealfile");
      expect(readFileSync(join(repo.dir, ".gitattributes"), "utf8")).toContain("*.enc.json diff=sealfile merge=sealfile\n*.sealed diff=sealfile merge=sealfile\n");
      const outside = runSecrets(["git", "setup"], { env: baseEnv(home.dir), cwd: home.dir });
      expect(outside.code).not.toBe(0);
    } finally {
      repo.cleanup();
      home.cleanup();
    }
  });
});
