// path_regex → gitattributes patterns: a table, and a check against git itself (`git check-attr`) that
// the patterns select exactly the paths the regex matches.
import { afterAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { regexToGitPatterns } from "../../src/git/attr-patterns.js";
import { makeRepo } from "./_repo.js";

const TABLE: Array<[string, string[] | undefined]> = [
  ["\\.enc\\.yaml$", ["*.enc.yaml"]],
  [".*\\.enc\\.ya?ml$", ["*.enc.yaml", "*.enc.yml"]],
  ["\\.enc\\.(yaml|json)$", ["*.enc.yaml", "*.enc.json"]],
  ["(?:dev|prod)/[^/]*\\.env$", ["**/*dev/*.env", "**/*prod/*.env"]],
  ["^secrets/", ["secrets/**"]],
  ["secrets/.*\\.yaml$", ["**/*secrets/**/*.yaml"]],
  ["^config\\.yaml$", ["/config.yaml"]],
  ["^prod/secrets\\.yaml$", ["prod/secrets.yaml"]],
  ["\\.sops\\.", ["*.sops.*", "**/*.sops.*/**"]],
  ["^sec.*/x$", ["sec*/**/x"]],
  // Refused: match-everything, classes, a lone dot, repetition counts, lookarounds.
  [".*", undefined],
  ["", undefined],
  ["\\d+\\.yaml$", undefined],
  ["a.b", undefined],
  ["x{2}", undefined],
  ["(?!x)y", undefined],
  ["a|b", undefined],
];

const PATHS = [
  "secrets.enc.yaml", "a/secrets.enc.yaml", "a/b/c.enc.yml", "x.enc.json", "enc.yaml", "x.enc.yaml.bak",
  "secrets/x.yaml", "secrets/a/b.yaml", "mysecrets/x.yaml", "a/secrets/x.yaml", "secrets.yaml", "secrets/x.json",
  "config.yaml", "a/config.yaml", "dev/x.env", "prod/y.env", "prod/sub/y.env", "a/prod/x.env", "x.env", "devx/y.env",
  "README.md", "sec/x", "second/deep/x", "sec/y", "x.sops.json", "d.sops.x/y", "prod/secrets.yaml", "prod/secrets.yaml.bak",
  "q/prod/secrets.yaml",
];

const repo = makeRepo("sealfile-attr-");
afterAll(() => repo.cleanup());

/** The paths git gives `diff=sealfile` to under these patterns. */
function gitSelects(patterns: readonly string[]): string[] {
  writeFileSync(join(repo.dir, ".gitattributes"), patterns.map((p) => `${p} diff=sealfile\n`).join(""));
  const out = execFileSync("git", ["check-attr", "--stdin", "diff"], { cwd: repo.dir, input: PATHS.join("\n") + "\n", encoding: "utf8" });
  return out.split("\n").filter((l) => l.endsWith(": diff: sealfile")).map((l) => l.slice(0, -": diff: sealfile".length));
}

describe("regexToGitPatterns", () => {
  it.each(TABLE)("%s", (regex, want) => {
    expect(regexToGitPatterns(regex)).toEqual(want);
  });

  it("selects, according to git, exactly the paths the regex matches", () => {
    for (const [regex, patterns] of TABLE) {
      if (!patterns) continue;
      const re = new RegExp(regex);
      expect({ regex, paths: gitSelects(patterns) }).toEqual({ regex, paths: PATHS.filter((p) => re.test(p)) });
    }
  });
});
