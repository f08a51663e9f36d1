import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SealError } from "../../src/errors.js";
import { floatToString, formatFloatG, valueToString } from "../../src/formats/_value-to-string.js";
import { DotenvStore } from "../../src/formats/dotenv.js";
import type { Node, Scalar, TreeMap } from "../../src/tree/index.js";

const fixture = (p: string): string =>
  readFileSync(fileURLToPath(new URL(`../fixtures/sops/${p}`, import.meta.url)), "utf8");
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);
// These cases pin sops's grammar (`--dotenv-grammar sops`, and every encrypted file); the dotenv
// package's grammar is tested in _dotenv-grammar.test.ts.
const store = new DotenvStore({ dotenvGrammar: "sops" });
const parse = (s: string): TreeMap => store.parsePlain(enc(s)).branches[0]!;
const emit = (m: TreeMap): string => dec(store.emitPlain({ branches: [m] }));
const entry = (key: string, value: Node) => ({ kind: "entry" as const, key, value });
const str = (value: string): Scalar => ({ kind: "str", value });

describe("DotenvStore parse", () => {
  it("splits at the first '=' without trimming, like sops (fixture key 'foo ', value ' bar')", () => {
    const m = parse("foo = bar\nA==b=c\nB=\n C =x \n");
    expect(m.items).toEqual([entry("foo ", str(" bar")), entry("A", str("=b=c")), entry("B", str("")), entry(" C ", str("x "))]);
  });

  it("keeps comments and blank lines, turns the two characters \\n into a newline, keeps CR and quotes", () => {
    const m = parse('# top\n\n#\nK=a\\nb\\\\n\nQ="quoted"\r\nexport E=1\nU=ünï😀\n');
    expect(m.items).toEqual([
      { kind: "comment", text: " top" },
      { kind: "comment", text: "", inline: true },
      { kind: "comment", text: "" },
      entry("K", str("a\nb\\\n")),
      entry("Q", str('"quoted"\r')),
      entry("export E", str("1")),
      entry("U", str("ünï😀")),
    ]);
  });

  it("reads the sops-written fixture and writes it back byte for byte", () => {
    const text = fixture("modern/format.enc.env");
    const m = store.parseEncrypted(enc(text)).branches[0]!;
    const first = m.items[0]!;
    expect(first).toMatchObject({ kind: "entry", key: "foo " });
    const age = m.items.find((it) => it.kind === "entry" && it.key === "sops_age__list_0__map_enc");
    expect(age?.kind === "entry" && age.value.kind === "str" && age.value.value).toMatch(
      /^-----BEGIN AGE ENCRYPTED FILE-----\n[^\n]+\n/,
    );
    expect(dec(store.emitEncrypted({ branches: [m] }))).toBe(text);
  });

  it("reports a line without '=' by number, never by content", () => {
    try {
      parse("A=1\n\n# c\nhunter2\n");
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SealError);
      expect((e as SealError).code).toBe("BAD_SYNTAX");
      expect((e as SealError).message).toBe("dotenv syntax error at line 4: expected KEY=VALUE");
      expect((e as SealError).message).not.toContain("hunter2");
    }
  });

  it("plaintext: invalid UTF-8 is refused with its line and column (both grammars), not read as U+FFFD", () => {
    const bytes = Uint8Array.from([...enc("A=1\nB=hunter2 é"), 0xe2, 0x82, ...enc("\n")]);
    for (const s of [store, new DotenvStore()]) {
      expect(() => s.parsePlain(bytes)).toThrow("dotenv input is not valid UTF-8 at line 2, column 12");
    }
    // An encrypted file is read as sops reads it.
    expect(store.parseEncrypted(bytes).branches[0]!.items[1]).toEqual(entry("B", str("hunter2 é\ufffd")));
  });
});

describe("DotenvStore emit", () => {
  it("round-trips canonical text exactly", () => {
    const text = "#comment\nA=1\nB=multi\\nline\nC=\nD= spaced \nE=ünï\n";
    expect(emit(parse(text))).toBe(text);
  });

  it("round-trips arbitrary string values whose keys hold no '=' or newline", () => {
    const key = fc.string({ minLength: 1 }).filter((k) => !/[=\n]/.test(k) && k[0] !== "#");
    const value = fc.string().filter((v) => !v.includes("\\n"));
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(key, value), { selector: (t) => t[0] }), (pairs) => {
        const m: TreeMap = { kind: "map", items: pairs.map(([k, v]) => entry(k, str(v))) };
        expect(parse(emit(m))).toEqual(m);
      }),
    );
  });

  it("writes non-string scalars with ValToString", () => {
    const m: TreeMap = {
      kind: "map",
      items: [
        entry("I", { kind: "int", value: -42n }),
        entry("F", { kind: "float", value: 5 }),
        entry("G", { kind: "float", value: 1234567 }),
        entry("B", { kind: "bool", value: true }),
        entry("N", { kind: "null" }),
        entry("T", { kind: "time", value: "2024-01-01T10:00:00.123456789+02:00" }),
      ],
    };
    expect(emit(m)).toBe("I=-42\nF=5.0\nG=1.234567E+06\nB=true\nN=<nil>\nT=2024-01-01T10:00:00+02:00\n");
  });

  it("refuses maps and lists, naming the key", () => {
    for (const v of [{ kind: "map", items: [] }, { kind: "list", items: [] }] as Node[]) {
      try {
        emit({ kind: "map", items: [entry("db", v)] });
        expect.unreachable();
      } catch (e) {
        expect((e as SealError).code).toBe("CANNOT_EMIT");
        expect((e as SealError).message).toBe("cannot use complex value in dotenv file; offending key db");
      }
    }
  });

  it("refuses keys that would read back as another key", () => {
    for (const k of ["a=b", "a\nb", "#c"]) {
      expect(() => emit({ kind: "map", items: [entry(k, str("v"))] })).toThrow(SealError);
    }
  });

  it("keeps a byte-order mark in the first key, as sops does", () => {
    const m = parse("\ufeffA=1\n");
    expect(m.items[0]).toEqual(entry("\ufeffA", str("1")));
    expect(store.emitPlain({ branches: [m] })).toEqual(enc("\ufeffA=1\n"));
  });

  it("emits single values raw and maps as lines", () => {
    expect(dec(store.emitValue(str("a\nb")))).toBe("a\nb");
    expect(dec(store.emitValue({ kind: "float", value: 0.00001 }))).toBe("1E-05");
    expect(dec(store.emitValue({ kind: "map", items: [entry("A", str("x\ny"))] }))).toBe("A=x\\ny\n");
    expect(() => store.emitValue({ kind: "list", items: [] })).toThrow(SealError);
  });
});

describe("valueToString (Go ValToString)", () => {
  it("matches the sops-format.md §8 examples", () => {
    expect(floatToString(5)).toBe("5.0");
    expect(floatToString(123456.7)).toBe("123456.7");
    expect(floatToString(1234567)).toBe("1.234567E+06");
    expect(floatToString(1e21)).toBe("1E+21");
    expect(floatToString(0.00001)).toBe("1E-05");
  });

  it("follows Go's 'G' thresholds and forms", () => {
    const cases: Array<[number, string]> = [
      [0, "0.0"],
      [-0, "-0.0"],
      [0.0001, "0.0001"],
      [0.00012345, "0.00012345"],
      [100000, "100000.0"],
      [999999, "999999.0"],
      [1e6, "1E+06"],
      [-1.5, "-1.5"],
      [1.5e-10, "1.5E-10"],
      [123456789.125, "1.23456789125E+08"],
      [1e100, "1E+100"],
      [5e-324, "5E-324"],
      [1.7976931348623157e308, "1.7976931348623157E+308"],
      [0.1 + 0.2, "0.30000000000000004"],
      [NaN, "NaN"],
      [Infinity, "+Inf"],
      [-Infinity, "-Inf"],
    ];
    for (const [v, s] of cases) expect(floatToString(v)).toBe(s);
    expect(formatFloatG(100000)).toBe("100000");
  });

  it("renders every scalar kind", () => {
    expect(valueToString(str("x"))).toBe("x");
    expect(valueToString({ kind: "int", value: 12345678901234567890n })).toBe("12345678901234567890");
    expect(valueToString({ kind: "bool", value: false })).toBe("false");
    expect(valueToString({ kind: "null" })).toBe("<nil>");
    expect(valueToString({ kind: "time", value: "2024-01-01T00:00:00Z" })).toBe("2024-01-01T00:00:00Z");
    expect(valueToString({ kind: "bytes", value: enc("é") })).toBe("é");
  });

  it("always reads back to the same float", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (v) => {
        const s = floatToString(v);
        expect(Object.is(Number(s), v) || (v === 0 && Number(s) === 0)).toBe(true);
        expect(s).toMatch(/^-?(\d+\.\d+|\d(\.\d+)?E[+-]\d{2,3})$/);
      }),
    );
  });
});
