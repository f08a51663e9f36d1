// Issue 17: plain user patterns run as native RegExps (src/user-regex-native.ts) instead of loading RE2.
// They must mean exactly what RE2 (sops's Go regexp) means: checked here against re2js on generated patterns
// and texts, with every pattern the translator accepts also valid RE2.
import { describe, expect, it } from "vitest";
import { RE2JS } from "re2js";
import { NATIVE_TEXT_LIMITS, nativeEquivalent } from "../../src/user-regex-native.js";
import { compileUserRegex } from "../../src/user-regex.js";
import { mulberry32 as rng } from "../helpers/seeded.js";


// Pieces inside the subset, next to pieces just outside it (which must be left to RE2).
const PIECES = [
  "a", "b", "c", "x", "A", "0", "9", "/", "-", "_", ".", ".", "\\.", "\\/", "\\-", "\\_", "\\d", "\\w", "^", "$",
  "*", "+", "?", "|", "(", ")", "(a|b)", "(yaml|yml|json)", "[a-z]", "[^/]", "[ab-]", "[-a]", "[A-Z0-9_]", "[.]",
  "é", "\\s", "\\b", "\\n", "{2}", "}", "]", "[", "(?i)", "(?:", "*?", "\\Q", "[[:alpha:]]", "[^\\n]", "\\x41", "\\z",
];
const TEXT_CHARS = ["a", "b", "c", "x", "A", "0", "9", "/", "-", "_", ".", "y", "m", "l", "\n", "\r", "é", "😀", " ", "\u2028"];

function pattern(next: () => number): string {
  const n = 1 + Math.floor(next() * 7);
  let p = "";
  for (let i = 0; i < n; i++) p += PIECES[Math.floor(next() * PIECES.length)]!;
  return p;
}

function text(next: () => number): string {
  const n = Math.floor(next() * 14);
  let t = "";
  for (let i = 0; i < n; i++) t += TEXT_CHARS[Math.floor(next() * TEXT_CHARS.length)]!;
  return t;
}

/** RE2's answer, or undefined when RE2 refuses the pattern. */
function re2(p: string): RE2JS | undefined {
  try {
    return RE2JS.compile(p);
  } catch {
    return undefined;
  }
}

describe("native patterns mean what RE2 means", () => {
  it("generated patterns: each one translated is valid RE2 and matches the same texts (20,000 patterns)", () => {
    const next = rng(0x5ea1f11e);
    let translated = 0;
    for (let i = 0; i < 20_000; i++) {
      const p = pattern(next);
      const native = nativeEquivalent(p)?.regex;
      if (!native) continue;
      translated++;
      const engine = re2(p);
      expect(engine, `RE2 refuses ${JSON.stringify(p)}, which was translated`).toBeDefined();
      for (let j = 0; j < 12; j++) {
        const t = text(next);
        expect(native.test(t), `${JSON.stringify(p)} on ${JSON.stringify(t)}`).toBe(engine!.test(t));
      }
    }
    // The generator must reach the subset often, or this test checks little.
    expect(translated).toBeGreaterThan(3_000);
  });

  it("the patterns people write in .sops.yaml are translated", () => {
    const common = [
      "\\.enc\\.yaml$", ".*\\.yaml$", "^secrets/.*", "secrets/.*\\.ya?ml$", "(dev|prod)/[^/]+\\.json$", "\\.env$",
      "^config/(staging|production)\\.enc\\.json$", "", ".*", "k8s/.*/secret[^/]*\\.yaml", "\\.(yaml|yml|json|env|ini)$",
    ];
    for (const p of common) expect(nativeEquivalent(p)?.regex, p).toBeInstanceOf(RegExp);
  });

  it("what is outside the subset is left to RE2: flags, classes with escapes, counted and nested repetition, non-ASCII", () => {
    for (const p of ["(?i)^pass", "[^\\n]", "a{2}", "(a+)+", "(ab)*", "a*b*c*", "a??", "a?b?", "\\s", "é", "a]", "[[:alpha:]]", "x*?"]) {
      expect(nativeEquivalent(p), p).toBeUndefined();
    }
  });

  it("a native pattern's text limit shrinks with its unbounded repetitions", () => {
    expect(nativeEquivalent("\\.enc\\.yaml$")?.textLimit).toBe(NATIVE_TEXT_LIMITS[0]);
    expect(nativeEquivalent(".*\\.yaml$")?.textLimit).toBe(NATIVE_TEXT_LIMITS[1]);
    expect(nativeEquivalent("a/.*/b[^/]*c")?.textLimit).toBe(NATIVE_TEXT_LIMITS[2]);
  });

  it("a text longer than the native limit is matched by RE2, with the same answer", () => {
    const pattern = "k8s/.*/secret[^/]*\\.yaml";
    const re = compileUserRegex(pattern, { code: "BAD_CONFIG", at: "test", hint: "" });
    const long = `k8s/${"a/".repeat(NATIVE_TEXT_LIMITS[1])}secret-x.yaml`;
    for (const t of [long, `${long}.bak`.replace(".yaml", ""), `k8s/${"a".repeat(NATIVE_TEXT_LIMITS[1])}\n/secret.yaml`]) {
      expect(re.test(t), t.slice(-20)).toBe(RE2JS.compile(pattern).test(t));
    }
    expect(re.test(long)).toBe(true);
  });
});
