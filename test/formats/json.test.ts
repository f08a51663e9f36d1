import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SealError } from "../../src/errors.js";
import { JsonStore } from "../../src/formats/json.js";
import type { Node, Tree, TreeMap } from "../../src/tree/index.js";

const fixture = (p: string): Uint8Array =>
  readFileSync(fileURLToPath(new URL(`../fixtures/sops/${p}`, import.meta.url)));
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);
const store = new JsonStore();
const parse = (s: string): TreeMap => store.parsePlain(enc(s)).branches[0]!;
/** As sops reads an existing file (the lenient reading; plaintext refuses what it would change). */
const parseSops = (s: string): TreeMap => store.parseEncrypted(enc(s)).branches[0]!;
const emit = (m: TreeMap, s = store): string => dec(s.emitPlain({ branches: [m] }));
const one = (items: TreeMap["items"]): TreeMap => ({ kind: "map", items });

function syntaxError(text: string): SealError {
  try {
    parse(text);
  } catch (e) {
    expect(e).toBeInstanceOf(SealError);
    return e as SealError;
  }
  throw new Error("expected a syntax error");
}

/** A tree as plain JS data (ints as numbers), to compare against JSON.parse. */
function plain(n: Node): unknown {
  switch (n.kind) {
    case "map":
      return Object.fromEntries(n.items.flatMap((it) => (it.kind === "entry" ? [[it.key, plain(it.value)]] : [])));
    case "list":
      return n.items.flatMap((it) => (it.kind === "comment" ? [] : [plain(it)]));
    case "int":
      return Number(n.value);
    case "null":
      return null;
    case "bytes":
      return dec(n.value);
    default:
      return n.value;
  }
}

describe("JsonStore parse", () => {
  it("keeps key order, also for integer-like keys, and duplicate keys", () => {
    const m = parse('{"b": 1, "2": 2, "a": 3, "1": 4, "b": 5}');
    expect(m.items.map((it) => (it.kind === "entry" ? it.key : "#"))).toEqual(["b", "2", "a", "1", "b"]);
  });

  it("types numbers as sops 3.13.2: int64 integer literals are int, the rest float", () => {
    const m = parseSops(
      '{"a": 1, "b": 1.0, "c": 1e2, "d": -0, "e": 9223372036854775807, "f": 9223372036854775808,' +
        ' "g": -9223372036854775808, "h": -9223372036854775809, "i": 25.4, "j": -12}',
    );
    const v = Object.fromEntries(m.items.map((it) => (it.kind === "entry" ? [it.key, it.value] : [])));
    expect(v.a).toEqual({ kind: "int", value: 1n });
    expect(v.b).toEqual({ kind: "float", value: 1 });
    expect(v.c).toEqual({ kind: "float", value: 100 });
    expect(v.d).toEqual({ kind: "int", value: 0n });
    expect(v.e).toEqual({ kind: "int", value: 9223372036854775807n });
    expect(v.f).toEqual({ kind: "float", value: 9223372036854775808 });
    expect(v.g).toEqual({ kind: "int", value: -9223372036854775808n });
    expect(v.h).toEqual({ kind: "float", value: -9223372036854775809 });
    expect(v.i).toEqual({ kind: "float", value: 25.4 });
    expect(v.j).toEqual({ kind: "int", value: -12n });
  });

  it("plaintext: an integer beyond int64 is kept only when its float64 writes back digit for digit", () => {
    expect(parse('{"a": 100000000000000000000}').items).toEqual([{ kind: "entry", key: "a", value: { kind: "float", value: 1e20 } }]);
    for (const [text, column] of [['{"f": 9223372036854775808}', 7], ['{\n "h": -9223372036854775809}', 7], ['{"a": 123456789012345678901234567890}', 7]] as const) {
      const e = syntaxError(text);
      expect(e.code).toBe("BAD_SYNTAX");
      expect(e.message).toMatch(new RegExp(`line \\d+, column ${column}: integer beyond the 64-bit range`));
      expect(e.message).not.toMatch(/9223372036854775|12345678901/);
      expect(e.hint).toMatch(/quote it/);
    }
  });

  it("plaintext: a lone surrogate escape is refused with its line and column, not read as U+FFFD", () => {
    const e = syntaxError('{"ok": "\\ud83d\\ude00",\n"lone": "x\\ud800y"}');
    expect(e.message).toMatch(/line 2, column 11: a \\u escape of a lone surrogate/);
    expect(e.details).toEqual({ line: 2, column: 11 });
  });

  it("plaintext: invalid UTF-8 is refused with its line and column, not read as U+FFFD", () => {
    let err: unknown;
    try {
      store.parsePlain(Uint8Array.from([...enc('{\n "é": "ab'), 0xff, ...enc('"}')]));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SealError);
    expect((err as SealError).message).toBe("JSON input is not valid UTF-8 at line 2, column 10");
  });

  it("reads nested values, literals and escapes", () => {
    const m = parseSops(
      '{"s": "a\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00", "lone": "\\ud800x", "t": true, "f": false,' +
        ' "n": null, "l": [1, [], {}, {"x": "y"}], "o": {"p": {"q": []}}, "u": "ünï €"}',
    );
    expect(plain(m)).toEqual({
      s: 'a"b\\c/d\b\f\n\r\té😀',
      lone: "\ufffdx",
      t: true,
      f: false,
      n: null,
      l: [1, [], {}, { x: "y" }],
      o: { p: { q: [] } },
      u: "ünï €",
    });
  });

  it("agrees with JSON.parse on arbitrary objects", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        const text = JSON.stringify(obj);
        expect(plain(parse(text))).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it("refuses a top-level array or scalar with a hint to wrap it", () => {
    for (const text of ["[1, 2]", '"x"', "42", "null"]) {
      const e = syntaxError(text);
      expect(e.code).toBe("BAD_SYNTAX");
      expect(e.message).toMatch(/top-level object/);
      expect(e.hint).toContain('{"data": [...]}');
    }
  });

  it("reports syntax errors by line and column without quoting the text", () => {
    const cases: Array<[string, number, number]> = [
      ['{\n  "a": 1,\n  "password" "hunter2"\n}', 3, 14],
      ['{"a": "hunter2" x}', 1, 17],
      ['{"a": "hunter2', 1, 7],
      ['{"a": "hun\nter2"}', 1, 11],
      ['{"a": "x\\qhunter2"}', 1, 9],
      ['{"a": tru}', 1, 7],
      ['{"a": 01}', 1, 8],
      ['{"a": 1.}', 1, 7],
      ['{"a": -}', 1, 7],
      ['{"a": 1e400}', 1, 7],
      ['{"a": 1,}', 1, 9],
      ["{'a': 1}", 1, 2],
      ['{"a": 1} {"hunter2": 2}', 1, 10],
      ["", 1, 1],
      ["\n\n  {", 3, 4],
    ];
    for (const [text, line, column] of cases) {
      const e = syntaxError(text);
      expect(e.code).toBe("BAD_SYNTAX");
      expect(e.message).toMatch(new RegExp(`^JSON syntax error at line ${line}, column ${column}: `));
      expect(e.message).not.toContain("hunter2");
      expect(e.details).toEqual({ line, column });
    }
  });

  it("refuses absurdly deep nesting with a SealError", () => {
    const e = syntaxError('{"a":' + "[".repeat(5000) + "]".repeat(5000) + "}");
    expect(e.code).toBe("BAD_SYNTAX");
  });
});

describe("JsonStore emit", () => {
  it("reproduces sops-written files byte for byte", () => {
    const modern = dec(fixture("modern/format.enc.json"));
    expect(dec(store.emitEncrypted(store.parseEncrypted(enc(modern))))).toBe(modern);
    // sops 3.7.1 wrote no trailing newline; 3.10+ (and we) do.
    const old = dec(fixture("age-examples/example.json"));
    expect(dec(store.emitEncrypted(store.parseEncrypted(enc(old))))).toBe(old + "\n");
  });

  it("lays out like Go json.Indent for each indent setting", () => {
    const m = parse('{"a": {"b": [1, {}, []], "c": {}}, "d": []}');
    expect(emit(m)).toBe('{\n\t"a": {\n\t\t"b": [\n\t\t\t1,\n\t\t\t{},\n\t\t\t[]\n\t\t],\n\t\t"c": {}\n\t},\n\t"d": []\n}\n');
    expect(emit(m, new JsonStore({ indent: 2 }))).toBe(
      '{\n  "a": {\n    "b": [\n      1,\n      {},\n      []\n    ],\n    "c": {}\n  },\n  "d": []\n}\n',
    );
    expect(emit(m, new JsonStore({ indent: 0 }))).toBe('{\n"a": {\n"b": [\n1,\n{},\n[]\n],\n"c": {}\n},\n"d": []\n}\n');
    expect(emit(one([]))).toBe("{}\n");
    expect(() => new JsonStore({ indent: -2 })).toThrow(SealError);
  });

  it("escapes strings as Go json.Marshal (HTML-safe, U+2028/9, short control escapes)", () => {
    const s = 'a<b>&c\u2028\u2029"\\\n\r\t\b\f\u0000\u001f\u007f é😀\ud800';
    const out = emit(one([{ kind: "entry", key: "k<", value: { kind: "str", value: s } }]));
    expect(out).toBe(
      '{\n\t"k\\u003c": "a\\u003cb\\u003e\\u0026c\\u2028\\u2029\\"\\\\\\n\\r\\t\\b\\f\\u0000\\u001f\u007f é😀\\ufffd"\n}\n',
    );
  });

  it("writes scalars as Go does", () => {
    const vals: Array<[Node, string]> = [
      [{ kind: "int", value: -9223372036854775808n }, "-9223372036854775808"],
      [{ kind: "float", value: 1.5 }, "1.5"],
      [{ kind: "float", value: 2 }, "2"],
      [{ kind: "float", value: 1e21 }, "1e+21"],
      [{ kind: "float", value: 1e20 }, "100000000000000000000"],
      [{ kind: "float", value: 1e-7 }, "1e-7"],
      [{ kind: "float", value: 0.000001 }, "0.000001"],
      [{ kind: "float", value: -0 }, "-0"],
      [{ kind: "bool", value: false }, "false"],
      [{ kind: "null" }, "null"],
      [{ kind: "time", value: "2024-01-01T00:00:00Z" }, '"2024-01-01T00:00:00Z"'],
      [{ kind: "bytes", value: Uint8Array.from([0x68, 0xff, 0xc3, 0xa9, 0xe2, 0x82]) }, '"h\\ufffdé\\ufffd\\ufffd"'],
    ];
    for (const [v, text] of vals) {
      expect(emit(one([{ kind: "entry", key: "v", value: v }]))).toBe(`{\n\t"v": ${text}\n}\n`);
    }
  });

  it("reads an integral float back as an int (as sops 3.13.2)", () => {
    const text = emit(one([{ kind: "entry", key: "v", value: { kind: "float", value: 2 } }]));
    expect(parse(text).items[0]).toEqual({ kind: "entry", key: "v", value: { kind: "int", value: 2n } });
  });

  it("refuses NaN and Infinity, naming the key path", () => {
    for (const x of [NaN, Infinity, -Infinity]) {
      const m = one([{ kind: "entry", key: "a", value: one([{ kind: "entry", key: "b", value: { kind: "float", value: x } }]) }]);
      try {
        emit(m);
        expect.unreachable();
      } catch (e) {
        expect((e as SealError).code).toBe("CANNOT_EMIT");
        expect((e as SealError).message).toContain("a.b");
      }
    }
  });

  it("skips comments", () => {
    const m = one([
      { kind: "comment", text: " top" },
      { kind: "entry", key: "a", value: { kind: "list", items: [{ kind: "comment", text: "x" }, { kind: "int", value: 1n }] } },
      { kind: "entry", key: "b", value: one([{ kind: "comment", text: "only" }]) },
    ]);
    expect(emit(m)).toBe('{\n\t"a": [\n\t\t1\n\t],\n\t"b": {}\n}\n');
  });

  it("emits one value without a trailing newline, as sops EmitValue", () => {
    expect(dec(store.emitValue({ kind: "str", value: "x<" }))).toBe('"x\\u003c"');
    expect(dec(store.emitValue({ kind: "int", value: 3n }))).toBe("3");
    expect(dec(store.emitValue(parse('{"a": [1]}')))).toBe('{\n\t"a": [\n\t\t1\n\t]\n}');
  });

  it("round-trips arbitrary documents through emit and parse", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.integer({ min: -1, max: 4 }), (obj, indent) => {
        const s = new JsonStore({ indent });
        const t1: Tree = s.parsePlain(enc(JSON.stringify(obj)));
        const t2 = s.parsePlain(s.emitPlain(t1));
        expect(t2).toEqual(t1);
      }),
      { numRuns: 300 },
    );
  });

  it("parses and emits 100,000 keys well under a second, near native JSON speed", () => {
    const parts: string[] = [];
    for (let i = 0; i < 100_000; i++) parts.push(`"key_${i}": ${i % 3 === 0 ? `"value ${i} é"` : i % 3 === 1 ? i : i + 0.5}`);
    const text = enc("{" + parts.join(", ") + "}");
    const ours = (): number => {
      const t0 = performance.now();
      const tree = store.parsePlain(text);
      store.emitPlain(tree);
      expect(tree.branches[0]!.items).toHaveLength(100_000);
      return performance.now() - t0;
    };
    const native = (): number => {
      const t0 = performance.now();
      new TextEncoder().encode(JSON.stringify(JSON.parse(dec(text)), null, "\t"));
      return performance.now() - t0;
    };
    // One cold run each (the suite's time counts): the printed figure is informational and never asserted, as a
    // busy CI machine would fail a correct build.
    const [ms, floor] = [ours(), native()];
    console.log(`json 100k keys parse+emit: ${ms.toFixed(0)} ms cold (JSON.parse+stringify: ${floor.toFixed(0)} ms, ratio ${(ms / floor).toFixed(2)})`);
  });
});
