// Checking .sops.yaml for doctor: every problem with its line and column, never the source text itself.
import { describe, expect, it } from "vitest";
import { checkConfigText } from "../../src/ops/config-check.js";

/** A real age recipient (public; its identity was thrown away). */
const R = "age1w79ltnw65tf8yev39wmdapwy62swlwhm2a4fqyd3tgtvl5vpcsvsg6ezaa";

describe("checkConfigText", () => {
  it("accepts a valid config (anchors included) and returns it", () => {
    const r = checkConfigText(`recipients:\n  a: &a ${R}\ncreation_rules:\n  - age: *a\n`, "c.yaml", "cwd");
    expect(r.problems).toEqual([]);
    expect(r.config?.rules[0]?.keyGroups[0]).toEqual([{ kind: "age", recipient: R }]);
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
    const r = checkConfigText(`creation_rules:\n  - age: ${R}\n  - path_regex: "("\n    age: ${R}\n`, "c.yaml", "cwd");
    expect(r.problems).toEqual([{ at: "creation_rules[1].path_regex", message: "is not a valid regular expression (RE2 syntax, as sops reads it): missing closing ): `(`", line: 3, column: 17 }]);
  });

  it("issue 18 item 7: a private key or a broken recipient is a problem at its place, never quoted; a valid one is not", () => {
    const secret = ["AGE-SECRET-KEY-1", "QYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGP"].join(""); // joined, so the source holds no whole key
    const text = `recipients:\n  ok: ${R}\n  oops: ${secret}\ncreation_rules:\n  - age: ok, ${R.slice(0, -2)}\n`;
    const r = checkConfigText(text, "c.yaml", "cwd");
    expect(r.problems.map((p) => `${p.at}@${p.line}:${p.column} ${p.message}`)).toEqual([
      "recipients.oops@3:9 is a private key, not a recipient (give its public age1… recipient)",
      "creation_rules[0].age@5:10 is not a valid age recipient (its bech32 encoding or checksum is wrong)",
    ]);
    expect(JSON.stringify(r)).not.toContain(secret.slice(20));
  });

  it("a valid config has no warnings", () => {
    const r = checkConfigText(`recipients:\n  a: ${R}\nstores:\n  yaml:\n    indent: 4\ncreation_rules:\n  - path_regex: x\n    age: ${R}\n    key_groups:\n      - age: [a]\n        merge:\n          - kms:\n              - arn: a\n                role: r\n`, "c.yaml", "cwd");
    expect(r.problems).toEqual([]);
    expect(r.warnings).toEqual([]);
  });

  it("unknown keys (issue 13 item 5): a warning at the key's line and column with a did-you-mean; the config still loads", () => {
    const text = `creation_rule:\n  - age: age1x\ncreation_rules:\n  - path_regex: x\n    agee: age1x\n    key_groups:\n      - merge:\n          - kms:\n              - arn: a\n                rolee: r\nexec:\n  filez: []\nrecipients:\n  anything_goes: ${R}\n`;
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
