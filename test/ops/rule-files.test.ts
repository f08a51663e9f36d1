import { afterAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { filesMatchingRules } from "../../src/ops/rule-files.js";

const root = mkdtempSync(join(tmpdir(), "sealfile-rulefiles-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function tree(dir: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
}

const FILES = {
  ".sops.yaml": 'creation_rules:\n  - path_regex: "secrets/"\n    age: age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq\n',
  "secrets/a.yaml": "a: 1\n",
  "secrets/.a.yaml.0123456789ab.tmp": "left by a kill -9\n",
  "secrets/node_modules/x.yaml": "x: 1\n",
  "other/b.yaml": "b: 1\n",
  "sub/.sops.yaml": 'creation_rules:\n  - path_regex: "\\\\.env$"\n    age: age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq\n',
  "sub/secrets/c.yaml": "c: 1\n",
  "sub/d.env": "D=1\n",
};

describe("filesMatchingRules", () => {
  it("outside git: walks the folder, uses the nearest .sops.yaml per file, skips configs, temp files and node_modules", async () => {
    const dir = join(root, "plain");
    tree(dir, FILES);
    const { files: got, links } = await filesMatchingRules(dir, { cwd: dir, env: {} });
    expect(got.map((f) => f.display)).toEqual(["secrets/a.yaml", "sub/d.env"]);
    expect(got[1]!.config.path).toBe(join(dir, "sub/.sops.yaml"));
    expect(links).toEqual([]);
  });

  it("inside git: lists tracked and untracked files but not ignored ones", async () => {
    const dir = join(root, "repo");
    tree(dir, { ...FILES, ".gitignore": "secrets/ignored.yaml\n", "secrets/ignored.yaml": "i: 1\n", "secrets/node_modules/x.yaml": "x: 1\n" });
    execFileSync("git", ["init", "-q"], { cwd: dir });
    execFileSync("git", ["add", "secrets/a.yaml"], { cwd: dir });
    const { files: got } = await filesMatchingRules(dir, { cwd: dir, env: {} });
    // git does not skip node_modules on its own; only ignore rules do.
    expect(got.map((f) => f.display)).toEqual(["secrets/a.yaml", "secrets/node_modules/x.yaml", "sub/d.env"]);
  });

  it("symbolic links in a folder, in git or not, are listed apart; one named on its own is a file", async () => {
    for (const inGit of [false, true]) {
      const dir = join(root, inGit ? "links-repo" : "links-plain");
      tree(dir, FILES);
      tree(root, { "elsewhere.yaml": "e: 1\n" });
      symlinkSync(join(root, "elsewhere.yaml"), join(dir, "secrets/out.yaml"));
      symlinkSync("a.yaml", join(dir, "secrets/same.yaml"));
      if (inGit) execFileSync("git", ["init", "-q"], { cwd: dir });
      const { files, links } = await filesMatchingRules(dir, { cwd: dir, env: {} });
      expect(files.map((f) => f.display)).toEqual(["secrets/a.yaml", ...(inGit ? ["secrets/node_modules/x.yaml"] : []), "sub/d.env"]);
      expect(links.map((f) => f.display)).toEqual(["secrets/out.yaml", "secrets/same.yaml"]);
      const one = await filesMatchingRules(join(dir, "secrets/out.yaml"), { cwd: dir, env: {} });
      expect(one.files.map((f) => f.display)).toEqual(["secrets/out.yaml"]);
    }
  });
});
