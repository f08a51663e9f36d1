import { describe, expect, it } from "vitest";
import { RE2JS } from "re2js";
import { RULE_CATALOG } from "../../src/guard/rule-catalog.js";
import { DETECTORS } from "../../src/guard/patterns.js";
import { GENERIC_ASSIGNMENT } from "../../src/guard/generic-assignment.js";
import { scan } from "../../src/guard/scan.js";
import { testPolicy } from "./_policy.js";

describe("issue 16 item 1: the rule catalog is one data file", () => {
  it("names every rule the guard reports, each with a provider, a documentation link and an example", () => {
    const ids = new Set(RULE_CATALOG.map((r) => r.id));
    for (const d of [...DETECTORS, GENERIC_ASSIGNMENT]) expect(ids, d.rule).toContain(d.rule);
    for (const r of RULE_CATALOG) {
      expect(r.provider.length, r.id).toBeGreaterThan(0);
      expect(r.docs, r.id).toMatch(/^https:\/\/\S+$/);
      expect(r.example.length, r.id).toBeGreaterThan(0);
      expect(r.code === true || (r.pattern !== undefined && (r.triggers?.length ?? 0) > 0), r.id).toBe(true);
    }
    expect(RULE_CATALOG.filter((r) => r.pattern !== undefined).length).toBeGreaterThanOrEqual(100);
  });

  it("has token patterns the RE2 engine compiles (no look-around, no back-references)", () => {
    for (const r of RULE_CATALOG) if (r.pattern !== undefined) expect(() => RE2JS.compile(r.pattern as string), r.id).not.toThrow();
  });

  it("detects each token rule's own example with that rule, under a name that says nothing", () => {
    const failed: string[] = [];
    for (const r of RULE_CATALOG) {
      if (r.pattern === undefined) continue;
      const findings = scan("deploy/values.yaml", Buffer.from(`item:\n  value: "${r.example}"\n`), testPolicy);
      if (!findings.some((f) => f.rule === r.id)) failed.push(`${r.id} (${r.provider}): got ${findings.map((f) => f.rule).join(",") || "nothing"}`);
    }
    expect(failed).toEqual([]);
  });

  it("rejects a token rule's example with its random part replaced by a placeholder", () => {
    // the acceptance test is real: the same shape filled with x's is documentation, not a secret
    const ghp = RULE_CATALOG.find((r) => r.id === "github-token");
    expect(ghp).toBeDefined();
    const fake = `ghp_${"x".repeat(36)}`;
    expect(scan("a.yaml", Buffer.from(`item: ${fake}\n`), testPolicy)).toEqual([]);
  });
});
