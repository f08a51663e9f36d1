import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isSealError } from "../../src/errors.js";
import { parseFast } from "../../src/formats/_yaml-fast-parse.js";
import { parseWithLibrary } from "../../src/formats/_yaml-parse.js";
import { parseTimestamp, resolvePlain } from "../../src/formats/_yaml-scalar.js";
import { YamlStore } from "../../src/formats/yaml.js";
import { bool, comment, entry, float, int, list, map, nul, str } from "../../src/tree/index.js";
import type { Node, Scalar, Tree, TreeMap } from "../../src/tree/index.js";

const enc = new TextEncoder();
const dec = new TextDecoder();
const store = new YamlStore();
const parse = (s: string): Tree => store.parsePlain(enc.encode(s));
const emit = (t: Tree, s = store): string => dec.decode(s.emitPlain(t));
const fixture = (p: string): string =>
  readFileSync(fileURLToPath(new URL(`../fixtures/sops/${p}`, import.meta.url)), "utf8");

/** Both readers must agree wherever the fast one answers. */
function expectReadersAgree(src: string): void {
  const fast = parseFast(src);
  if (fast !== undefined) expect(fast).toEqual(parseWithLibrary(src));
}

function syntaxErrorOf(src: string): { code: string; message: string; hint?: string | undefined } {
  try {
    parse(src);
  } catch (e) {
    if (isSealError(e)) return { code: e.code, message: e.message, hint: e.hint };
    throw e;
  }
  throw new Error("expected a SealError");
}

describe("round trip of canonical files (byte for byte)", () => {
  const cases: Record<string, string> = {
    "head, inline and trailing comments": `# file header
# second header line
a: 1 # inline a
# before b
b:
    # first in b
    c: x
    d: why # inline d
    # trailing in b
# before e
e: true
# trailing doc
`,
    "comments in lists": `items:
    # before first
    - one # inline one
    # before second
    - two
    # trailing list
after: 1
`,
    "nested lists of maps": `servers:
    - name: web
      ports:
        - 80
        - 443
      tls:
        enabled: true
    - name: db
      ports: []
      opts: {}
    - - nested
      - list
empty: {}
`,
    "multi-line strings": `clip: |
    line one
    line two
strip: |-
    no newline
    at the end
keep: |+
    kept

list:
    - |
      in a list
    - x
`,
    "unicode, empty strings, nulls, quoting": `ключ: значение
emoji: 🎉 party
empty: ""
nothing: null
"true": "false"
"123": "0x1F"
date: "2024-01-01"
quoted: 'a: b'
hash: '#not a comment'
colon: http://example.com/a?b=c
yes_word: "yes"
tabbed: "a\\tb"
`,
    "numbers": `big: 123456789012345678901234567890
neg: -42
zero: 0
f1: 0.1
f2: 1e+21
f3: 25.0
f4: -1.5
inf: .inf
ninf: -.inf
nan: .nan
`,
    "timestamps": `d: 2024-01-01T00:00:00Z
t: 2001-12-15T02:59:43.1Z
z: 2006-01-02T15:04:05+07:00
`,
    "multi-document stream": `# doc one
a: 1
---
b: 2
# end of two
---
{}
`,
    "encrypted comment and age enc block": `#ENC[AES256_GCM,data:abc=,iv:def=,tag:ghi=,type:comment]
k: ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]
sops:
    age:
        - recipient: age1abc
          enc: |
            -----BEGIN AGE ENCRYPTED FILE-----
            YWdl
            -----END AGE ENCRYPTED FILE-----
    lastmodified: "2026-05-22T20:16:23Z"
    version: 3.13.1
`,
  };
  for (const [name, src] of Object.entries(cases)) {
    it(name, () => {
      expect(emit(parse(src))).toBe(src);
      expectReadersAgree(src);
      expect(emit(parseWithLibrary(src))).toBe(src);
    });
  }

  it("indent 2 follows go-yaml's layout", () => {
    const src = `a:\n  b:\n    - x\n    - k: v\n      m: |\n        text\n`;
    const two = new YamlStore({ indent: 2 });
    expect(emit(parse(src), two)).toBe(src);
  });
});

describe("tree shape", () => {
  it("places comments as items: head before, inline after, trailing last", () => {
    const t = parse(`# top\na: 1 # ia\nb:\n    # head c\n    c: 2\n    # tail b\nl:\n    - x # ix\n    # tail l\n# tail doc\n`);
    expect(t.branches).toEqual([
      map([
        comment(" top"),
        entry("a", int(1)),
        comment(" ia", true),
        entry("b", map([comment(" head c"), entry("c", int(2)), comment(" tail b")])),
        entry("l", list([str("x"), comment(" ix", true), comment(" tail l")])),
        comment(" tail doc"),
      ]),
    ]);
  });

  it("keeps an inline comment on a key whose value is a block", () => {
    const src = `k: # about k\n    q: 1\n`;
    const t = parse(src);
    expect(t.branches[0]!.items).toEqual([entry("k", map([entry("q", int(1))])), comment(" about k", true)]);
    expect(emit(t)).toBe(src);
  });

  it("one branch per document; empty input has none; a comment-only file keeps its comments", () => {
    expect(parse("a: 1\n---\nb: 2\n").branches).toHaveLength(2);
    expect(parse("").branches).toEqual([]);
    expect(parse("# only\n").branches).toEqual([map([comment(" only")])]);
    expect(emit(parse("# only\n"))).toBe("# only\n");
    expect(parse("---\n").branches).toEqual([map()]);
    expect(parse("~\n").branches).toEqual([map()]);
  });

  it("types scalars like go-yaml v3", () => {
    const t = parse(
      [
        "a: true", "b: False", "c: yes", "d: ~", "e:", "f: 0x1F", "g: 0o17", "h: 1e3", "i: .inf", "j: -.inf",
        "k: 2024-01-01", "l: 2001-12-14t21:59:43.10-05:00", "m: 2001-12-14 21:59:43.10", "n: '123'", "o: 1_000",
        "p: 017", "q: +12", "r: 08", "s: !!str 12", "t: !!int \"7\"", "u: !custom 5", "v: !!float 3", "w: 12:30",
      ].join("\n"),
    );
    const got = Object.fromEntries(t.branches[0]!.items.map((i) => (i.kind === "entry" ? [i.key, i.value] : ["", i])));
    expect(got).toEqual({
      a: bool(true), b: bool(false), c: str("yes"), d: nul(), e: nul(), f: int(31), g: int(15), h: float(1000),
      i: float(Infinity), j: float(-Infinity), k: { kind: "time", value: "2024-01-01T00:00:00Z" },
      l: { kind: "time", value: "2001-12-14T21:59:43.1-05:00" },
      m: { kind: "time", value: "2001-12-14T21:59:43.1Z" }, n: str("123"), o: int(1000), p: int(15), q: int(12),
      r: float(8), s: str("12"), t: int(7), u: str("5"), v: float(3), w: str("12:30"),
    });
    expect(parse("x: .nan\n").branches[0]!.items[0]).toMatchObject({ value: { kind: "float" } });
    expect(Number.isNaN((parse("x: .nan\n").branches[0]!.items[0] as { value: { value: number } }).value.value)).toBe(true);
  });

  it("keeps non-string keys as their source text", () => {
    const t = parse("responses:\n    200:\n        description: ok\n    true: 1\n    null: 2\n");
    const r = t.branches[0]!.items[0]!;
    expect(r.kind === "entry" && r.value.kind === "map" && r.value.items.map((i) => (i.kind === "entry" ? i.key : ""))).toEqual(["200", "true", "null"]);
  });

  it("expands aliases into independent copies", () => {
    const t = parse("a: &x\n    - foo\nb: *x\nc: &y\n    k: v\nd: *y\ne: &s hello\nf: *s\n");
    const [a, b, c, d, , f] = t.branches[0]!.items as Array<{ value: Node }>;
    expect(b!.value).toEqual(a!.value);
    expect(d!.value).toEqual(c!.value);
    expect(b!.value).not.toBe(a!.value);
    expect(f!.value).toEqual(str("hello"));
  });

  it("reads flow collections and their values", () => {
    expect(parse("a: {x: 1, y: [true, 'q']}\n").branches[0]).toEqual(
      map([entry("a", map([entry("x", int(1)), entry("y", list([bool(true), str("q")]))]))]),
    );
  });

  it("resolves timestamps to Go's MarshalText form", () => {
    expect(parseTimestamp("2024-1-2")).toBe("2024-01-02T00:00:00Z");
    expect(parseTimestamp("2006-01-02T15:04:05+00:00")).toBe("2006-01-02T15:04:05Z");
    expect(parseTimestamp("2006-01-02T15:04:05.123456789123Z")).toBe("2006-01-02T15:04:05.123456789Z");
    expect(parseTimestamp("2023-02-29")).toBeUndefined();
    expect(parseTimestamp("2006-01-02T15:04:05")).toBeUndefined();
    expect(resolvePlain("2006-01-02T15:04:05")).toEqual(str("2006-01-02T15:04:05"));
  });
});

describe("errors", () => {
  it("reports syntax errors by line and column without quoting the source", () => {
    const secret = "hunter2-canary";
    for (const src of [`a: "${secret}\n`, `a: [${secret}\n`, `a:\n  b: ${secret}\n c: 1\n`, `a: b: ${secret}\n`]) {
      const e = syntaxErrorOf(src);
      expect(e.code).toBe("BAD_SYNTAX");
      expect(e.message).toMatch(/^YAML syntax error at line \d+, column \d+: /);
      expect(e.message).not.toContain(secret);
    }
  });

  it("rejects documents that are not mappings", () => {
    // issue 15: the refusal says why (sops cannot store one either) and what to do instead.
    const seq = syntaxErrorOf("- a\n- b\n");
    expect(seq.message).toMatch(/line 1 is a top-level sequence: sops encrypts only documents that are mappings/);
    expect(seq.hint).toMatch(/under a key.*--input-type binary/);
    expect(syntaxErrorOf("just text\n").message).toMatch(/top-level scalar: sops encrypts only documents that are mappings/);
    expect(syntaxErrorOf("a: 1\n---\n- x\n").code).toBe("BAD_SYNTAX");
  });

  it("rejects duplicate keys with their line, in both readers", () => {
    expect(syntaxErrorOf("hello: 1\nhello: 2\n").message).toBe('duplicate key "hello" at line 2');
    expect(syntaxErrorOf("root:\n    k: 1\n    k: 2\n").message).toBe('duplicate key "k" at line 3');
    expect(syntaxErrorOf("root: {k: 1, k: 2}\n").message).toMatch(/duplicate key "k" at line 1/);
    expect(syntaxErrorOf("x: &a 1\n? !t y\n: 1\ny: 2\n").message).toMatch(/duplicate key "y"/);
  });

  it("refuses an unknown alias and value/tag mismatches", () => {
    expect(syntaxErrorOf("a: *nope\n").code).toBe("BAD_SYNTAX");
    expect(syntaxErrorOf("a: !!int abc\n").code).toBe("BAD_SYNTAX");
  });

  it("reads !!binary from its source text, strictly, as Go's base64 decoder does", () => {
    // The yaml package decodes !!binary itself and leniently; a mistyped value must not become other bytes.
    for (const bad of ["CANARY89c00e6cb9b9!!", "aGVsbG8", "aGVs bG8=!", "a$==", "aGVsbG8=x"]) {
      const e = syntaxErrorOf(`secret: !!binary ${bad}\n`);
      expect(e.message).toMatch(/not valid base64 for !!binary/);
      expect(e.message).not.toContain(bad);
    }
    const read = (src: string): Node => (parse(src).branches[0]!.items[0] as { value: Node }).value;
    expect(read("a: !!binary aGVsbG8=\n")).toEqual(str("hello"));
    expect(read("a: !!binary |\n  aGVs\n  bG8=\n")).toEqual(str("hello"));
    expect(read('a: !!binary "aGVsbG8="\n')).toEqual(str("hello"));
    expect(read("a: !!binary /w==\n")).toEqual({ kind: "bytes", value: new Uint8Array([255]) });
    expect(read("a: !!timestamp 2001-12-14\n")).toEqual({ kind: "time", value: "2001-12-14T00:00:00Z" });
  });

  it("stops alias bombs", () => {
    let src = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
    for (let i = 1; i < 9; i++) src += `a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(", ")}]\n`;
    expect(syntaxErrorOf(src).message).toMatch(/too many alias expansions|excessive aliasing/);
  });
});

describe("emit", () => {
  it("quotes strings that would re-read as other types and writes typed scalars plainly", () => {
    const t: Tree = {
      branches: [
        map([
          entry("s", str("true")), entry("n", str("")), entry("i", int(5n)), entry("f", float(25)), entry("g", float(1e21)),
          entry("b", bool(false)), entry("z", nul()), entry("t", { kind: "time", value: "2024-01-01T00:00:00Z" }),
          entry("bytes", { kind: "bytes", value: new Uint8Array([0x61, 0xff]) }), entry("lead", str(" x")),
          entry("ml", str(" indented\nsecond\n")), entry("ctl", str("a\u0001b")),
        ]),
      ],
    };
    const out = emit(t);
    expect(out).toBe(
      's: "true"\n"n": ""\ni: 5\nf: 25.0\ng: 1e+21\nb: false\nz: null\nt: 2024-01-01T00:00:00Z\nbytes: !!binary Yf8=\nlead: \' x\'\nml: |4\n     indented\n    second\nctl: "a\\x01b"\n',
    );
    const back = parse(out).branches[0]!;
    expect(back.items.find((i) => i.kind === "entry" && i.key === "ml")).toEqual(entry("ml", str(" indented\nsecond\n")));
  });

  it("writes bytes that are not UTF-8 as go-yaml does (!!binary, a literal block past 70 columns), and reads them back", () => {
    const long = new Uint8Array(80).map((_, i) => (i * 37 + 200) % 256);
    const t: Tree = { branches: [map([entry("short", { kind: "bytes", value: new Uint8Array([0xff]) }), entry("long", { kind: "bytes", value: long }), entry("l", list([{ kind: "bytes", value: long }]))])] };
    const out = emit(t);
    const b64 = Buffer.from(long).toString("base64");
    expect(out).toBe(`short: !!binary /w==\nlong: !!binary |\n    ${b64.slice(0, 70)}\n    ${b64.slice(70)}\nl:\n    - !!binary |\n      ${b64.slice(0, 70)}\n      ${b64.slice(70)}\n`);
    expect(parse(out)).toEqual(t);
    // Bytes that are valid UTF-8 (type:bytes from Python sops) are written as text.
    expect(emit({ branches: [map([entry("b", { kind: "bytes", value: enc.encode("héllo") })])] })).toBe("b: héllo\n");
  });

  it("emitValue writes maps and lists as documents and scalars as text", () => {
    expect(dec.decode(store.emitValue(map([entry("a", int(1))])))).toBe("a: 1\n");
    expect(dec.decode(store.emitValue(list([str("x"), map([entry("k", str("v"))])])))).toBe("- x\n- k: v\n");
    expect(dec.decode(store.emitValue(str("true")))).toBe('"true"\n');
    expect(dec.decode(store.emitValue(int(7)))).toBe("7\n");
  });

  it("rejects an indent outside 1-9", () => {
    expect(() => new YamlStore({ indent: 0 })).toThrow(/indent/);
  });
});

describe("sops fixtures", () => {
  it("age-examples/example.yaml: order, #ENC comments, exact re-emit", () => {
    const src = fixture("age-examples/example.yaml");
    const t = parse(src);
    const top = t.branches[0]!.items.map((i) => (i.kind === "entry" ? i.key : "#"));
    expect(top).toEqual(["myapp1", "app2", "number", "an_array", "somebooleans", "this", "somelist_unencrypted", "nested_unencrypted", "sops"]);
    const db = ((t.branches[0]!.items[1] as { value: TreeMap }).value.items[0] as { value: TreeMap }).value;
    expect(db.items.map((i) => i.kind)).toEqual(["entry", "entry", "comment"]);
    expect((db.items[2] as { text: string }).text).toMatch(/^ENC\[AES256_GCM,.*type:comment\]$/);
    expect(emit(t)).toBe(src);
    expectReadersAgree(src);
  });

  it("modern/format.enc.yaml re-emits exactly", () => {
    const src = fixture("modern/format.enc.yaml");
    expect(emit(parse(src))).toBe(src);
    expectReadersAgree(src);
  });

  it("modern/comments.enc.yaml (sops 3.6.1, yaml.v2 layout): comments kept, data section identical", () => {
    const src = fixture("modern/comments.enc.yaml");
    const t = parse(src);
    const kinds = t.branches[0]!.items.map((i) => (i.kind === "entry" ? i.key : "#"));
    expect(kinds).toEqual(["#", "lorem", "#", "dolor", "sops"]);
    const out = emit(t);
    const dataPart = (s: string): string => s.slice(0, s.indexOf("sops:"));
    expect(dataPart(out)).toBe(dataPart(src));
    // Only yaml.v2 styling differs: single-quoted timestamps and `-   ` list items.
    expect(out).toContain('lastmodified: "2020-10-07T15:49:13Z"');
    expect(parse(out)).toEqual(t);
  });
});

// ---- property: emit → parse gives the same tree --------------------------------------------------------------

const keyArb = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom("true", "null", "200", "- x", "#k", "a: b", "yes"));
const strArb = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: "grapheme", maxLength: 10 }),
  fc.constantFrom("", "true", "~", "1.5", "0x10", "2024-01-01", " lead", "trail ", "a\nb", "a\nb\n", "x\n\n", "\n", " \nq", "a #b", "'q'", "\"dq\"", "-", "---", "key: v", "\t", "line\r\n"),
);
const scalarArb: fc.Arbitrary<Scalar> = fc.oneof(
  strArb.map(str),
  fc.bigInt({ min: -(2n ** 100n), max: 2n ** 100n }).map((v) => int(v)),
  fc.double().map(float),
  fc.boolean().map(bool),
  fc.constant(nul()),
  fc.date({ min: new Date("1970-01-01"), max: new Date("2999-12-31"), noInvalidDate: true }).map((d): Scalar => ({
    kind: "time",
    value: d.toISOString().replace(".000Z", "Z").replace(/(\.\d*?)0+Z$/, "$1Z"),
  })),
);
const commentArb = fc.tuple(fc.string({ maxLength: 10 }).filter((s) => !s.includes("\n") && !s.includes("\r")), fc.boolean());

const { node: nodeArb } = fc.letrec<{ node: Node; map: TreeMap }>((tie) => ({
  node: fc.oneof({ depthSize: "small", withCrossShrink: true }, scalarArb, tie("map"), fc.array(fc.oneof(tie("node"), commentArb.map(([t]) => comment(t))), { maxLength: 4 }).map((items) => list(items))),
  map: fc
    .uniqueArray(fc.tuple(keyArb, tie("node"), fc.option(commentArb, { nil: undefined })), { selector: (x) => x[0], maxLength: 4 })
    .map((es) => map(es.flatMap(([k, v, c]) => (c === undefined ? [entry(k, v)] : c[1] ? [entry(k, v), comment(c[0], true)] : [comment(c[0]), entry(k, v)])))),
}));

/** Floats compare by value (NaN equals NaN); everything else structurally. */
function normalize(n: unknown): unknown {
  if (typeof n === "bigint") return `${n}n`;
  if (typeof n === "number") return Number.isNaN(n) ? "NaN" : Object.is(n, -0) ? "-0" : n;
  if (Array.isArray(n)) return n.map(normalize);
  if (n instanceof Uint8Array) return Array.from(n);
  if (n && typeof n === "object") return Object.fromEntries(Object.entries(n).map(([k, v]) => [k, normalize(v)]));
  return n;
}

describe("property", () => {
  it("emit → parse deep-equals the tree, and both readers agree", () => {
    fc.assert(
      fc.property(fc.array(nodeArb.filter((n) => n.kind === "map") as fc.Arbitrary<TreeMap>, { minLength: 1, maxLength: 2 }), (branches) => {
        for (const b of branches) prepare(b);
        const text = emit({ branches });
        const back = parse(text);
        expect(normalize(back)).toEqual(normalize({ branches }));
        expect(normalize(parseWithLibrary(text))).toEqual(normalize(back));
        expect(emit(back)).toBe(text);
      }),
      { numRuns: 300 },
    );
  });
});

/**
 * Brings a random tree to what the emitter can express: comments inside empty collections or before the first
 * entry of a list item's map have no place of their own, an inline comment needs a scalar/entry line before it,
 * and only one inline comment fits on a line.
 */
function prepare(n: Node, isListItem = false): void {
  if (n.kind !== "map" && n.kind !== "list") return;
  const hasContent = n.items.some((i) => i.kind !== "comment");
  const out: typeof n.items = [];
  let state: "start" | "item" | "collection" | "inline" | "comment" = "start";
  for (const it of n.items) {
    if (it.kind === "comment") {
      if (!hasContent || (isListItem && state === "start")) continue;
      if (it.inline && state === "inline") continue;
      if (it.inline && state === "item") state = "inline";
      else {
        delete it.inline;
        state = "comment";
      }
      (out as unknown[]).push(it);
      continue;
    }
    const v = it.kind === "entry" ? it.value : it;
    prepare(v, n.kind === "list");
    const nonEmpty = (v.kind === "map" || v.kind === "list") && v.items.some((i) => i.kind !== "comment");
    state = n.kind === "list" && nonEmpty ? "collection" : "item";
    (out as unknown[]).push(it);
  }
  n.items = out as typeof n.items;
}

describe("performance", () => {
  it("parses and emits 100,000 keys byte for byte", () => {
    let src = "";
    for (let i = 0; i < 100_000; i++) {
      src += `${i % 10 === 0 ? `# note ${i}\n` : ""}key_${i}: ENC[AES256_GCM,data:${i.toString(36)},iv:aXY=,tag:dGFn,type:str]\n`;
    }
    const bytes = enc.encode(src);
    const t0 = performance.now();
    const tree = store.parsePlain(bytes);
    const out = store.emitPlain(tree);
    const ms = performance.now() - t0;
    expect(dec.decode(out)).toBe(src);
    console.log(`yaml 100k keys parse+emit: ${ms.toFixed(0)} ms (speed is checked by \`npm run bench\`, not here)`);
  });
});
