import { afterAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
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
    const got = await filesMatchingRules(dir, { cwd: dir, env: {} });
    expect(got.map((f) => f.display)).toEqual(["secrets/a.yaml", "sub/d.env"]);
    expect(got[1]!.config.path).toBe(join(dir, "sub/.sops.yaml"));
  });

  it("inside git: lists tracked and untracked files but not ignored ones", async () => {
    const dir = join(root, "repo");
    tree(dir, { ...FILES, ".gitignore": "secrets/ignored.yaml\n", "secrets/ignored.yaml": "i: 1\n", "secrets/node_modules/x.yaml": "x: 1\n" });
    execFileSync("git", ["init", "-q"], { cwd: dir });
    execFileSync("git", ["add", "secrets/a.yaml"], { cwd: dir });
    const got = await filesMatchingRules(dir, { cwd: dir, env: {} });
    // git does not skip node_modules on its own; only ignore rules do.
    expect(got.map((f) => f.display)).toEqual(["secrets/a.yaml", "secrets/node_modules/x.yaml", "sub/d.env"]);
  });
});
