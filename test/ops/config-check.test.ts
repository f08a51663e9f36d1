// Checking .sops.yaml for doctor: every problem with its line and column, never the source text itself.
import { describe, expect, it } from "vitest";
import { checkConfigText } from "../../src/ops/config-check.js";

describe("checkConfigText", () => {
  it("accepts a valid config (anchors included) and returns it", () => {
    const r = checkConfigText("recipients:\n  a: &a age1x\ncreation_rules:\n  - age: *a\n", "c.yaml", "cwd");
    expect(r.problems).toEqual([]);
    expect(r.config?.rules[0]?.keyGroups[0]).toEqual([{ kind: "age", recipient: "age1x" }]);
  });

  it("reports YAML syntax errors by position only", () => {
    const r = checkConfigText("creation_rules:\n  - age: [secret-looking-text\n", "c.yaml", "cwd");
    expect(r.config).toBeUndefined();
    expect(r.problems[0]!.line).toBeGreaterThan(0);
    expect(JSON.stringify(r.problems)).not.toContain("secret-looking-text");
  });

  it("lists every schema problem with its position", () => {
    const r = checkConfigText("creation_rules:\n  - path_regex: 5\n  - age: x\n    shamir_threshold: -1\nrecipients:\n  bob: [1]\n", "c.yaml", "cwd");
    const at = r.problems.map((p) => `${p.at}@${p.line}:${p.column}`);
    expect(at).toContain("creation_rules[0].path_regex@2:17");
    expect(at).toContain("recipients.bob@6:8");
    expect(r.problems.length).toBeGreaterThanOrEqual(3);
  });

  it("positions semantic problems (an invalid path_regex) on their rule", () => {
    const r = checkConfigText("creation_rules:\n  - age: age1x\n  - path_regex: \"(\"\n    age: age1x\n", "c.yaml", "cwd");
    expect(r.problems).toEqual([{ at: "creation_rules[1].path_regex", message: 'creation_rules[1].path_regex: invalid regular expression "(": missing closing ): `(`', line: 3, column: 17 }]);
  });
});
