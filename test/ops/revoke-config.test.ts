// Removing a key from .sops.yaml text: only the lines (or list entries) naming it change.
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config.js";
import { revokeInConfigText } from "../../src/ops/revoke-config.js";

const A = "age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq";
const B = "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj";
const C = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";

/** Lines of `before` missing from `after`, and lines of `after` that are new (by position-free multiset). */
function lineDiff(before: string, after: string): { removed: string[]; added: string[] } {
  const a = before.split("\n");
  const b = after.split("\n");
  // after must be before with some lines taken out, in order
  const removed: string[] = [];
  let j = 0;
  for (const line of a) {
    if (j < b.length && b[j] === line) j++;
    else removed.push(line);
  }
  return { removed, added: b.slice(j) };
}

const anchored = `# team keys
recipients:
  alice: &alice ${A} # Alice's laptop
  bob: &bob ${B}
  ci: ${C}

creation_rules:
  # production
  - path_regex: prod/.*
    age:
      - *alice   # alice
      - *bob
      - ci
  - path_regex: dev/.*
    age:
      - *bob
      - ${C}
  - path_regex: shared/.*
    key_groups:
      - age:
          - *alice
          - *bob
      - age:
          - ${C}
`;

describe("revokeInConfigText", () => {
  it("removes a name's aliases and its recipients entry, and nothing else", () => {
    const out = revokeInConfigText(anchored, ".sops.yaml", "bob");
    const d = lineDiff(anchored, out.text);
    expect(d.added).toEqual([]);
    expect(d.removed).toEqual([`  bob: &bob ${B}`, "      - *bob", "      - *bob", "          - *bob"]);
    for (const r of out.config.rules) for (const g of r.keyGroups) for (const s of g) expect(s.kind === "age" && s.recipient).not.toBe(B);
    expect(out.config.recipients).toEqual({ alice: A, ci: C });
    expect(out.removed.map((r) => r.where)).toContain("recipients.bob");
  });

  it("accepts the raw key of a named recipient", () => {
    const out = revokeInConfigText(anchored, ".sops.yaml", B);
    expect(lineDiff(anchored, out.text).removed).toHaveLength(4);
  });

  it("removes a plain name used in a rule", () => {
    expect(() => revokeInConfigText(anchored, ".sops.yaml", "ci")).toThrow(/key_groups\[1\] empty/);
    const text = anchored.slice(0, anchored.indexOf("  - path_regex: shared"));
    const out = revokeInConfigText(text, ".sops.yaml", "ci");
    const d = lineDiff(text, out.text);
    expect(d.added).toEqual([]);
    expect(d.removed).toEqual([`  ci: ${C}`, "      - ci", `      - ${C}`]);
  });

  it("refuses to leave a key group empty", () => {
    const cfg = anchored.replace(`      - age:\n          - ${C}\n`, `      - age:\n          - *alice\n`);
    expect(() => revokeInConfigText(cfg, ".sops.yaml", "alice")).toThrow(/key_groups\[1\] empty/);
  });

  it("edits comma lists and flow lists in place", () => {
    const text = `creation_rules:\n  - path_regex: a\n    age: "${A}, ${B},${C}"\n  - path_regex: b\n    age: [${B}, ${A}]\n  - age: ${B}\n    kms: arn:aws:kms:eu-west-1:1:key/x\n`;
    const out = revokeInConfigText(text, ".sops.yaml", B);
    expect(out.text).toBe(`creation_rules:\n  - path_regex: a\n    age: "${A},${C}"\n  - path_regex: b\n    age: [${A}]\n  - kms: arn:aws:kms:eu-west-1:1:key/x\n`);
    expect(parseConfig(out.text, "x").rules).toHaveLength(3);
  });

  it("removes KMS keys from key groups", () => {
    const text = `creation_rules:\n  - key_groups:\n      - kms:\n          - arn: arn:aws:kms:eu-west-1:1:key/x\n            role: arn:aws:iam::1:role/r\n          - arn: arn:aws:kms:eu-west-1:1:key/y\n        age:\n          - ${A}\n`;
    const out = revokeInConfigText(text, ".sops.yaml", "arn:aws:kms:eu-west-1:1:key/x");
    expect(lineDiff(text, out.text)).toEqual({ removed: ["          - arn: arn:aws:kms:eu-west-1:1:key/x", "            role: arn:aws:iam::1:role/r"], added: [] });
  });

  it("refuses a key that is named nowhere, and a rule left without recipients", () => {
    expect(() => revokeInConfigText(anchored, ".sops.yaml", "age1nobody")).toThrow(/not named/);
    const text = `creation_rules:\n  - path_regex: a\n    age: ${A}\n`;
    expect(() => revokeInConfigText(text, ".sops.yaml", A)).toThrow(/without recipients/);
  });
});
