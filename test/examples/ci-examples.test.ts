// The CI examples (issue 3) are documented, not run: this checks that they parse, that their .sops.yaml rules name
// the cloud recipients they describe, and that every `secrets …` command they run exists.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { matchRule, parseConfig } from "../../src/config.js";
import { COMMANDS } from "../../src/cli/commands/index.js";
import { ROOT } from "../helpers/cli.js";

const EX = join(ROOT, "examples");

/** Every shell line of a GitHub workflow or a GitLab job. */
function shellLines(doc: unknown): string[] {
  const lines: string[] = [];
  const visit = (v: unknown, key?: string): void => {
    if (typeof v === "string" && (key === "run" || key === "script")) lines.push(...v.split("\n"));
    else if (Array.isArray(v)) v.forEach((x) => visit(x, key));
    else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) visit(x, k);
  };
  visit(doc);
  return lines.map((l) => l.trim()).filter(Boolean);
}

const cases = [
  { dir: "github-actions", ci: "deploy.yml", kind: "kms", uses: "aws-actions/configure-aws-credentials" },
  { dir: "gitlab-ci", ci: ".gitlab-ci.yml", kind: undefined, uses: undefined },
  { dir: "gcp-workload-identity", ci: "decrypt.yml", kind: "gcp_kms", uses: "google-github-actions/auth" },
] as const;

describe("CI examples", () => {
  for (const c of cases) {
    it(`${c.dir}: parses, has a README, and runs only existing secrets commands`, () => {
      const text = readFileSync(join(EX, c.dir, c.ci), "utf8");
      const doc = parseYaml(text) as unknown;
      expect(readFileSync(join(EX, c.dir, "README.md"), "utf8")).toMatch(/^# /);
      if (c.uses) expect(text).toContain(`uses: ${c.uses}@`);
      const calls = shellLines(doc).filter((l) => /\bsecrets\s/.test(l));
      expect(calls.length).toBeGreaterThan(0);
      for (const call of calls) {
        const name = /\bsecrets\s+([a-z]+)/.exec(call)?.[1];
        expect(COMMANDS.map((k) => k.name), call).toContain(name);
        expect(call).toMatch(/secrets (exec|decrypt) /);
      }
    });
  }

  for (const c of cases.filter((x) => x.kind !== undefined)) {
    it(`${c.dir}/.sops.yaml: the rule for secrets/prod.enc.yaml names an age and a ${c.kind} recipient`, () => {
      const path = join(EX, c.dir, ".sops.yaml");
      const config = parseConfig(readFileSync(path, "utf8"), path);
      const rule = matchRule(config, join(EX, c.dir, "secrets/prod.enc.yaml"), ROOT);
      expect(rule?.keyGroups.flat().map((k) => k.kind).sort()).toEqual(["age", c.kind].sort());
    });
  }
});
