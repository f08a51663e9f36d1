import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { hasInlineAllow } from "../../src/guard/allow.js";
import { freshRunKey, freshScryptParams, makeFingerprinter, parseBaseline, writeBaseline } from "../../src/guard/baseline.js";
import { runFingerprint, scryptFingerprint } from "../../src/guard/fingerprint.js";
import { SealError } from "../../src/errors.js";

const dir = mkdtempSync(join(tmpdir(), "sealfile-allow-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const fp = (c: string) => c.repeat(64);

function parseError(text: string): SealError {
  try {
    parseBaseline(text, "b.json");
  } catch (e) {
    return e as SealError;
  }
  throw new Error("parsed");
}

describe("allowances", () => {
  it("recognises the inline marker", () => {
    expect(hasInlineAllow('key = "x" // secrets:allow')).toBe(true);
    expect(hasInlineAllow('key = "x" // secrets: allow')).toBe(false);
  });

  it("writes a sorted, de-duplicated version-2 baseline with its salt and reads it back", () => {
    const path = join(dir, "b.json");
    const params = freshScryptParams();
    expect(writeBaseline(path, params, [fp("b"), fp("a"), fp("b")]).count).toBe(2);
    const doc = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
    expect(doc).toEqual({ version: 2, scrypt: { N: 16384, r: 8, p: 1, salt: params.salt.toString("base64") }, fingerprints: [fp("a"), fp("b")] });
    const state = parseBaseline(readFileSync(path, "utf8"), "b.json");
    expect(state.kind).toBe("scrypt");
    if (state.kind !== "scrypt") return;
    expect([...state.fingerprints]).toEqual([fp("a"), fp("b")]);
    expect(state.params.salt.equals(params.salt)).toBe(true);
    expect(freshScryptParams().salt.equals(params.salt)).toBe(false);
  });

  it("matches findings by scrypt under the baseline's salt, and old SHA-256 baselines by their hash", () => {
    const params = freshScryptParams();
    const known = scryptFingerprint(params, "github-token", "a.js", "s3cret-value");
    const state = parseBaseline(JSON.stringify({ version: 2, scrypt: { N: 16384, r: 8, p: 1, salt: params.salt.toString("base64") }, fingerprints: [known] }), "b.json");
    const f = makeFingerprinter(state, null);
    expect(f.mark("github-token", "a.js", "s3cret-value")).toEqual({ fingerprint: known, accepted: true });
    expect(f.mark("github-token", "b.js", "s3cret-value").accepted).toBe(false);

    const sha = createHash("sha256").update("github-token\0a.js\0s3cret-value").digest("hex");
    const legacy = parseBaseline(JSON.stringify({ version: 1, fingerprints: [sha] }), "b.json");
    expect(legacy.kind).toBe("legacy");
    const out = freshScryptParams();
    const g = makeFingerprinter(legacy, out);
    expect(g.mark("github-token", "a.js", "s3cret-value")).toEqual({ fingerprint: scryptFingerprint(out, "github-token", "a.js", "s3cret-value"), accepted: true });
    // no baseline, nothing asked for: nothing is hashed
    expect(makeFingerprinter({ kind: "none" }, null).mark("r", "p", "s")).toEqual({ fingerprint: "", accepted: false });
  });

  it("a report without a salted baseline fingerprints under a run key: same finding, same fingerprint; another run, another", () => {
    const run = freshRunKey();
    const f = makeFingerprinter({ kind: "none" }, run);
    const a = f.mark("github-token", "a.js", "s3cret-value").fingerprint;
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(a).toBe(runFingerprint(run.runKey, "github-token", "a.js", "s3cret-value"));
    expect(f.mark("github-token", "a.js", "s3cret-value").fingerprint).toBe(a);
    expect(f.mark("github-token", "b.js", "s3cret-value").fingerprint).not.toBe(a);
    expect(makeFingerprinter({ kind: "none" }, freshRunKey()).mark("github-token", "a.js", "s3cret-value").fingerprint).not.toBe(a);
    // an old baseline is still matched by its hash
    const sha = createHash("sha256").update("github-token\0a.js\0s3cret-value").digest("hex");
    expect(makeFingerprinter(parseBaseline(JSON.stringify({ version: 1, fingerprints: [sha] }), "b.json"), run).mark("github-token", "a.js", "s3cret-value").accepted).toBe(true);
  });

  it("rejects a malformed baseline, or one asking for absurd scrypt costs, with exit status 2", () => {
    const salt = Buffer.alloc(16, 1).toString("base64");
    for (const bad of [
      "not json",
      '{"version":3,"fingerprints":[]}',
      '{"version":1,"fingerprints":["secret!"]}',
      '{"version":2,"fingerprints":[]}',
      `{"version":2,"scrypt":{"N":1073741824,"r":8,"p":1,"salt":"${salt}"},"fingerprints":[]}`,
      `{"version":2,"scrypt":{"N":16384,"r":8,"p":1,"salt":"c2FsdA=="},"fingerprints":[]}`,
    ]) {
      const err = parseError(bad);
      expect(err).toBeInstanceOf(SealError);
      expect(err.exitCode).toBe(2);
      expect(err.message).not.toContain("secret!");
      expect(err.hint).toMatch(/--baseline-update/);
    }
    expect(parseBaseline(null, "b.json")).toEqual({ kind: "none" });
  });
});
