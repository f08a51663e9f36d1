import { describe, expect, it } from "vitest";
import { scan } from "../../src/guard/scan.js";
import { buildCorpus } from "../fixtures/guard-scale/corpus.js";
import { LAYOUT_NAMES } from "../fixtures/guard-scale/layouts.js";
import { testPolicy } from "./_policy.js";

const { positives, negatives } = buildCorpus();

describe("issue 16 item 1: the guard on an independent corpus of provider formats and realistic negatives", () => {
  it("is big and varied: ≥ 1,000 positives over ≥ 120 providers in 15 layouts, ≥ 400 negatives", () => {
    expect(positives.length).toBeGreaterThanOrEqual(1000);
    expect(new Set(positives.map((p) => p.provider)).size).toBeGreaterThanOrEqual(120);
    expect(new Set(positives.map((p) => p.layout))).toEqual(new Set(LAYOUT_NAMES));
    expect(LAYOUT_NAMES.length).toBe(15);
    expect(negatives.length).toBeGreaterThanOrEqual(400);
  });

  it("scores recall ≥ 0.97 and a false-alarm rate ≤ 0.02", () => {
    const missed: string[] = [];
    for (const p of positives) {
      const findings = scan(p.path, Buffer.from(p.text), testPolicy);
      // the finding must be on the secret's own line(s), not somewhere else in the file
      if (!findings.some((f) => f.line !== undefined && f.line >= p.firstLine && f.line <= p.lastLine)) {
        missed.push(`${p.provider} [${p.layout}] ${p.path}: ${JSON.stringify(p.text.split("\n")[p.firstLine - 1]?.slice(0, 90))}`);
      }
    }
    const alarms: string[] = [];
    for (const n of negatives) {
      const findings = scan(n.path, Buffer.from(n.text), testPolicy);
      if (findings.length > 0) alarms.push(`${n.path}: ${findings.map((f) => `${f.rule}@${f.line ?? "-"}`).join(",")} ${JSON.stringify(n.text.split("\n")[(findings[0]?.line ?? 1) - 1]?.slice(0, 90))}`);
    }
    const recall = 1 - missed.length / positives.length;
    const falseAlarmRate = alarms.length / negatives.length;
    const providers = new Set(positives.map((p) => p.provider)).size;
    console.log(
      `guard scale corpus: recall ${recall.toFixed(3)} (${positives.length - missed.length}/${positives.length}, ${providers} providers), ` +
        `false-alarm rate ${falseAlarmRate.toFixed(3)} (${alarms.length}/${negatives.length} negatives)`,
    );
    if (process.env.GUARD_CORPUS_DETAIL) {
      console.log(`missed:\n  ${missed.join("\n  ")}`);
      console.log(`false alarms:\n  ${alarms.join("\n  ")}`);
    }
    expect(recall).toBeGreaterThanOrEqual(0.97);
    expect(falseAlarmRate).toBeLessThanOrEqual(0.02);
  });
});
