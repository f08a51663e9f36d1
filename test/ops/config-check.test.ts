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

  it("a valid config has no warnings", () => {
    const r = checkConfigText("recipients:\n  a: age1x\nstores:\n  yaml:\n    indent: 4\ncreation_rules:\n  - path_regex: x\n    age: age1x\n    key_groups:\n      - age: [age1x]\n        merge:\n          - kms:\n              - arn: a\n                role: r\n", "c.yaml", "cwd");
    expect(r.problems).toEqual([]);
    expect(r.warnings).toEqual([]);
  });

  it("unknown keys (issue 13 item 5): a warning at the key's line and column with a did-you-mean; the config still loads", () => {
    const text = "creation_rule:\n  - age: age1x\ncreation_rules:\n  - path_regex: x\n    agee: age1x\n    key_groups:\n      - merge:\n          - kms:\n              - arn: a\n                rolee: r\nexec:\n  filez: []\nrecipients:\n  anything_goes: age1x\n";
    const r = checkConfigText(text, "c.yaml", "cwd");
    expect(r.problems).toEqual([]);
    expect(r.config?.rules).toHaveLength(1);
    expect(r.warnings.map((w) => `${w.line}:${w.column} ${w.at} ${w.message}`)).toEqual([
      "1:1 creation_rule is not a key sealfile or sops reads (ignored); did you mean creation_rules?",
      "5:5 creation_rules[0].agee is not a key sealfile or sops reads (ignored); did you mean age?",
      "10:17 creation_rules[0].key_groups[0].merge[0].kms[0].rolee is not a key sealfile or sops reads (ignored); did you mean role?",
      "12:3 exec.filez is not a key sealfile or sops reads (ignored); did you mean files?",
    ]);
  });

  it("an unknown key is reported next to schema problems, and one with control characters is not echoed", () => {
    const r = checkConfigText('creation_rules:\n  - path_regex: 5\n    "\\e[31mred": 1\n    encrypted_regexx: x\n', "c.yaml", "cwd");
    expect(r.problems.map((p) => p.at)).toEqual(["creation_rules[0].path_regex"]);
    expect(r.warnings.map((w) => w.at)).toEqual(["creation_rules[0].(a key with unusual characters)", "creation_rules[0].encrypted_regexx"]);
    expect(r.warnings[1]!.message).toContain("did you mean encrypted_regex?");
    expect(JSON.stringify(r.warnings)).not.toContain("\u001b");
  });
});
