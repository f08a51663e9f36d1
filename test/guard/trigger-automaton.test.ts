import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { buildAutomaton, eachOccurrence } from "../../src/guard/trigger-automaton.js";

/** Every (start, literal) pair by brute force, ASCII case folded. */
function naive(literals: readonly string[], text: string): string[] {
  const lower = text.replace(/[A-Z]/g, (c) => c.toLowerCase());
  const out: string[] = [];
  literals.forEach((lit, k) => {
    for (let i = lower.indexOf(lit); i >= 0; i = lower.indexOf(lit, i + 1)) out.push(`${i}:${k}`);
  });
  return out.sort();
}

function found(literals: readonly string[], text: string): string[] {
  const out: string[] = [];
  eachOccurrence(buildAutomaton(literals), text, (start, k) => out.push(`${start}:${k}`));
  return out.sort();
}

describe("trigger automaton", () => {
  it("finds overlapping and nested literals case-insensitively", () => {
    const lits = ["pass", "password", "secret", "secret_access_key", "access_key", "sk-ant-", "://"];
    const text = "DB_PASSWORD=1 Secret_Access_Key x SK-ANT-y https://h é pass";
    expect(found(lits, text)).toEqual(naive(lits, text));
    expect(found(lits, text)).toContain(`${text.indexOf("PASSWORD")}:0`);
  });

  it("agrees with a brute-force search on random text", () => {
    const alphabet = fc.constantFrom(..."abpsk-_:/.AB ~é\n".split(""));
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ unit: fc.constantFrom(..."abpsk-_:/.~".split("")), minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 12 }),
        fc.string({ unit: alphabet, maxLength: 300 }),
        (lits, text) => {
          expect(found(lits, text)).toEqual(naive(lits, text));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("rejects literals it would never match", () => {
    expect(() => buildAutomaton(["Upper"])).toThrow(/lower-case ASCII/);
    expect(() => buildAutomaton([""])).toThrow(/lower-case ASCII/);
  });
});
