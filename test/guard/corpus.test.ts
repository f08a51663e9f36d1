import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { scan } from "../../src/guard/scan.js";
import { DETECTORS } from "../../src/guard/patterns.js";
import { RULE_CATALOG } from "../../src/guard/rule-catalog.js";
import type { Finding } from "../../src/guard/types.js";
import { testPolicy } from "./_policy.js";

interface Label {
  file: string;
  scanAs: string;
  expect: string[];
  secrets?: string[];
}
const dir = join(import.meta.dirname, "..", "fixtures", "guard");
const labels = (JSON.parse(readFileSync(join(dir, "labels.json"), "utf8")) as { files: Label[] }).files;
const results = labels.map((l) => ({ label: l, findings: scan(l.scanAs, readFileSync(join(dir, l.file)), testPolicy) }));

describe("the labelled corpus", () => {
  it("has at least 60 positives and 60 negatives", () => {
    expect(labels.filter((l) => l.expect.length > 0).length).toBeGreaterThanOrEqual(60);
    expect(labels.filter((l) => l.expect.length === 0).length).toBeGreaterThanOrEqual(60);
  });

  it("is scored: recall and precision of at least 0.95", () => {
    let tp = 0;
    let fp = 0;
    const missed: string[] = [];
    const falseAlarms: string[] = [];
    for (const { label, findings } of results) {
      if (label.expect.length > 0) {
        if (findings.some((f) => label.expect.includes(f.rule))) tp++;
        else missed.push(`${label.file} (got ${findings.map((f) => f.rule).join(",") || "nothing"})`);
      } else if (findings.length > 0) {
        fp++;
        falseAlarms.push(`${label.file}: ${findings.map((f) => `${f.rule}@${f.line ?? "-"}`).join(",")}`);
      }
    }
    const positives = labels.filter((l) => l.expect.length > 0).length;
    const recall = tp / positives;
    const precision = tp / (tp + fp);
    console.log(`guard corpus: recall ${recall.toFixed(3)} (${tp}/${positives}), precision ${precision.toFixed(3)} (${fp} false alarms in ${labels.length - positives} negatives)`);
    if (missed.length) console.log(`missed:\n  ${missed.join("\n  ")}`);
    if (falseAlarms.length) console.log(`false alarms:\n  ${falseAlarms.join("\n  ")}`);
    expect(recall).toBeGreaterThanOrEqual(0.95);
    expect(precision).toBeGreaterThanOrEqual(0.95);
  });

  it("covers every rule id the guard has", () => {
    const covered = new Set(labels.flatMap((l) => l.expect));
    const fileRules = ["unsealed-file", "clear-value", "secret-file", "key-file", "generic-secret"];
    // token rules of the catalog are covered by their examples and the scale corpus (scale-corpus.test.ts)
    const catalogTokens = new Set(RULE_CATALOG.filter((r) => r.pattern !== undefined).map((r) => r.id));
    for (const rule of new Set([...fileRules, ...DETECTORS.map((d) => d.rule).filter((r) => !catalogTokens.has(r))])) {
      expect(covered, rule).toContain(rule);
    }
  });

  it("never reveals a secret value: only masked excerpts and hashes", () => {
    const secrets = labels.flatMap((l) => l.secrets ?? []);
    expect(secrets.length).toBeGreaterThan(60);
    const all: Finding[] = results.flatMap((r) => r.findings);
    const printed = JSON.stringify(all) + all.map((f) => `${f.path}:${f.line ?? ""}:${f.column ?? ""} ${f.rule} ${f.excerpt} ${f.message}`).join("\n");
    for (const s of secrets) {
      expect(printed.includes(s), `a corpus secret starting ${s.slice(0, 4)} appears in guard output`).toBe(false);
      // nor any 8-character piece of it beyond the shown prefix
      for (let i = 4; i + 8 <= s.length; i += 4) expect(printed.includes(s.slice(i, i + 8))).toBe(false);
    }
    for (const f of all) expect(f.excerpt.length).toBeLessThanOrEqual(5);
  });
});
