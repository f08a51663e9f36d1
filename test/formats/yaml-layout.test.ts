// The YAML store keeps a file as written through encrypt → decrypt (src/formats/_yaml-layout.ts and
// _yaml-splice.ts), in process and without crypto: values are swapped for envelope-shaped strings the way the
// engine does it, then swapped back. Also: styles are presentation only — a style list that does not fit the
// values (edited by hand, stale) never changes a value; files without a style list stay canonical.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { YamlStore } from "../../src/formats/yaml.js";
import { STYLES_KEY } from "../../src/formats/_yaml-layout.js";
import { blockText } from "../../src/formats/_yaml-splice.js";
import { mapLeaves, str } from "../../src/tree/index.js";
import type { Comment, MapEntry, Scalar, Tree, TreeMap } from "../../src/tree/index.js";

const enc = new TextEncoder();
const dec = new TextDecoder();
const store = new YamlStore();
const CORPUS = fileURLToPath(new URL("../fixtures/yaml/", import.meta.url));

const envelope = (i: number, type = "str"): string => `ENC[AES256_GCM,data:${Buffer.from(String(i)).toString("base64")},iv:aXY=,tag:dGFn,type:${type}]`;

interface Sealed {
  text: string;
  values: Scalar[];
  comments: string[];
}

/** Like the engine: every non-null value and every comment replaced by an envelope, a sops block added. */
function fakeEncrypt(src: string): Sealed {
  const tree = store.parsePlain(enc.encode(src));
  const values: Scalar[] = [];
  const comments: string[] = [];
  mapLeaves(
    tree,
    (s) => {
      if (s.kind === "null" || (s.kind === "str" && s.value === "")) return s;
      values.push(s);
      return str(envelope(values.length));
    },
    (c) => {
      comments.push(c.text);
      return { ...c, text: envelope(comments.length, "comment") };
    },
  );
  for (const b of tree.branches) b.items.push(sopsEntry());
  return { text: dec.decode(store.emitEncrypted(tree)), values, comments };
}

function sopsEntry(): MapEntry {
  const e = (key: string, value: string): MapEntry => ({ kind: "entry", key, value: str(value) });
  return { kind: "entry", key: "sops", value: { kind: "map", items: [e("lastmodified", "2026-01-01T00:00:00Z"), e("mac", envelope(0)), e("version", "3.13.2")] } };
}

/** Like decrypt: parse, take the sops block out, put the values back (optionally changed), emit. */
function fakeDecrypt(text: string, change?: (s: Scalar, i: number) => Scalar): { out: string; tree: Tree } {
  const tree = store.parseEncrypted(enc.encode(text));
  for (const b of tree.branches) b.items = b.items.filter((i) => !(i.kind === "entry" && i.key === "sops"));
  const values: Scalar[] = [];
  const comments: string[] = [];
  mapLeaves(
    tree,
    (s) => {
      const m = s.kind === "str" ? /data:([^,]*)/.exec(s.value) : null;
      if (!m) return s;
      const i = Number(Buffer.from(m[1]!, "base64").toString());
      values.push(s);
      return change ? change(sealedValues[i - 1]!, i - 1) : sealedValues[i - 1]!;
    },
    (c) => {
      const m = /data:([^,]*)/.exec(c.text);
      if (!m) return c;
      return { ...c, text: sealedComments[Number(Buffer.from(m[1]!, "base64").toString()) - 1]! };
    },
  );
  void values;
  void comments;
  return { out: dec.decode(store.emitPlain(tree)), tree };
}

let sealedValues: Scalar[] = [];
let sealedComments: string[] = [];
function roundTrip(src: string, change?: (s: Scalar, i: number) => Scalar): { enc: string; out: string } {
  const s = fakeEncrypt(src);
  sealedValues = s.values;
  sealedComments = s.comments;
  return { enc: s.text, out: fakeDecrypt(s.text, change).out };
}

const plainTree = (text: string): Tree => store.parsePlain(enc.encode(text));

describe("kept as written (in process)", () => {
  it("every corpus file but the listed exceptions comes back byte for byte", () => {
    const files = readdirSync(CORPUS).filter((f) => f.endsWith(".yaml"));
    const differ = files.filter((f) => {
      const src = readFileSync(CORPUS + f, "utf8");
      const { out } = roundTrip(src);
      expect(plainTree(out).branches, f).toEqual(plainTree(src).branches);
      return out !== src;
    });
    expect(differ.every((f) => f.startsWith("x-")), differ.join(", ")).toBe(true);
  });

  it("the encrypted text keeps the layout, records styles, and holds no plaintext", () => {
    const src = "# head\n\nkey: 'quoted'   # note\nblock: |-\n  l1\n  l2\nflow: [a, {b: c}]\n";
    const { enc: text } = roundTrip(src);
    const lines = text.split("\n");
    expect(lines[1]).toBe("");
    expect(lines[2]).toMatch(/^key: ENC\[AES256_GCM,[^\]]*\]   #ENC\[/);
    expect(lines[3]).toMatch(/^block: ENC\[/);
    expect(lines[4]).toMatch(/^flow: \["ENC\[[^"]*\]", \{b: "ENC\[[^"]*\]"\}\]$/);
    expect(text).toContain(`${STYLES_KEY}: '{"v":1`);
    for (const secret of ["quoted", "note", "l1", "head"]) expect(text).not.toContain(secret);
  });

  it("aliases are spelled out in the encrypted file (each value at its own path) and come back as aliases", () => {
    const src = "base: &b\n  user: u\n  pass: p\nprod:\n  <<: *b\n  extra: *b\nname: &n x\nalso: *n\n";
    const { enc: text, out } = roundTrip(src);
    expect(text).not.toMatch(/\*[bn]\b/);
    expect(text).toMatch(/<<: \{user: "ENC\[/);
    expect(out).toBe(src);
    // The encrypted tree has a separate value at every alias path, so sops's path AAD holds.
    const t = store.parseEncrypted(enc.encode(text));
    const prod = t.branches[0]!.items.find((i) => i.kind === "entry" && i.key === "prod") as MapEntry;
    expect((prod.value as TreeMap).items.map((i) => (i as MapEntry).key)).toEqual(["<<", "extra"]);
  });

  it("an alias whose value no longer matches its anchor is written out, not silently re-linked", () => {
    const src = "a: &x one\nb: *x\n";
    const { out } = roundTrip(src, (s, i) => (i === 1 ? str("two") : s));
    expect(plainTree(out).branches).toEqual(plainTree("a: one\nb: two\n").branches);
  });
});

describe("keys that read as other types", () => {
  it("are quoted in the encrypted file (sops reads only string keys) and plain again after decrypting", () => {
    const src = "paths:\n  /x:\n    200:\n      description: ok # c\n    404: {description: nf}\non: push\ntrue: 1\n1.5: x\n'123': y\n<<: {m: 1}\nplain: z\n";
    const { enc: sealed, out } = roundTrip(src);
    for (const k of ['"200":', '"404":', '"on":', '"true":', '"1.5":', "'123':", "<<:", "plain:"]) expect(sealed).toContain(k);
    expect(sealed).toContain('"k":[2,4,6,7,8]');
    expect(out).toBe(src);
  });

  it("a key record that does not fit the file is ignored: canonical output, same values", () => {
    const src = "a:\n  200: x\nb: 1\n";
    const { enc: sealed } = roundTrip(src);
    const broken = sealed.replace('"k":[1]', '"k":[0]');
    expect(broken).not.toBe(sealed);
    const { out } = fakeDecrypt(broken);
    expect(out).toBe('a:\n    "200": x\nb: 1\n');
  });
});

describe("!!binary", () => {
  it("comes back as the base64 it was written in, one line, quoted or as a block", () => {
    const long = Buffer.from(new Uint8Array(100).map((_, i) => (i * 53 + 7) % 256)).toString("base64");
    const wrapped = long.match(/.{1,76}/g)!.map((l) => `  ${l}`).join("\n");
    for (const src of [
      "a: !!binary aGVsbG8=\n",
      "a: !!binary /w==\n",
      'a: !!binary "/w=="\n',
      "a: !!binary '/w=='\n",
      `x: 1\na: !!binary |\n${wrapped}\nb: 2\n`,
      `x: 1\na: !!binary |-\n${wrapped}\n`,
    ]) {
      const { enc: sealed, out } = roundTrip(src);
      expect(sealed).not.toContain("aGVsbG8=");
      expect(sealed).not.toContain(long.slice(0, 20));
      expect(out).toBe(src);
    }
  });
});

describe("styles are presentation only", () => {
  it("a changed value keeps its style where the style can hold it, else takes one that can", () => {
    const src = "q: 'a'\nd: \"b\"\nblk: |\n  x\nstrip: |-\n  y\np: plain\n";
    const { out } = roundTrip(src, (s, i) => [str("it's"), str("c\td"), str("one\ntwo\n"), str("ends\n\n"), str("yes: no")][i] ?? s);
    expect(out).toBe("q: 'it''s'\nd: \"c\\td\"\nblk: |\n  one\n  two\nstrip: \"ends\\n\\n\"\np: \"yes: no\"\n");
  });

  it("property: any changed string value reads back exactly, whatever style was recorded", () => {
    const src = "a: plain\nb: 'single'\nc: \"double\"\nd: |\n  lit\ne: >-\n  fold\nf: [x, y]\ng: !!str tagged\n";
    fc.assert(
      fc.property(fc.array(fc.string({ unit: "grapheme", maxLength: 12 }), { minLength: 8, maxLength: 8 }), (vals) => {
        const { out } = roundTrip(src, (s, i) => str(vals[i]!));
        const leaves: string[] = [];
        mapLeaves(plainTree(out), (s) => (leaves.push(s.kind === "str" ? s.value : `<${s.kind}>`), s));
        expect(leaves).toEqual(vals);
      }),
      { numRuns: 200 },
    );
  });

  it("a style list that does not fit the file (edited by hand) is ignored: values come back, canonical", () => {
    const src = "a: 'x'\nb: z\n";
    const s = fakeEncrypt(src);
    sealedValues = s.values;
    sealedComments = s.comments;
    const tampered = s.text.replace(/"c":2/, '"c":3');
    expect(tampered).not.toBe(s.text);
    expect(fakeDecrypt(tampered).out).toBe("a: x\nb: z\n");
    // A recorded block style or tag that cannot hold the value never changes it.
    const wrong = s.text.replace(`[[0,"''"]]`, `[[0,"|-@2","!!int "]]`); // '' : inside a single-quoted YAML string
    expect(wrong).not.toBe(s.text);
    expect(plainTree(fakeDecrypt(wrong).out).branches).toEqual(plainTree(src).branches);
  });

  it("a sops file (no style list) decrypts to the canonical layout", () => {
    const sopsFile = "a:   x\n\n\nb:\n  - 'y'\nsops:\n  mac: m\n  version: 3.13.2\n";
    const t = store.parseEncrypted(enc.encode(sopsFile));
    t.branches[0]!.items.pop();
    expect(dec.decode(store.emitPlain(t))).toBe("a: x\nb:\n    - \"y\"\n");
  });

  it("a changed structure (a key added) falls back to the canonical layout with the right values", () => {
    const src = "a:  1\n\nb: 2\n";
    const s = fakeEncrypt(src);
    sealedValues = s.values;
    sealedComments = s.comments;
    const t = store.parseEncrypted(enc.encode(s.text));
    t.branches[0]!.items = t.branches[0]!.items.filter((i) => !(i.kind === "entry" && i.key === "sops"));
    t.branches[0]!.items.push({ kind: "entry", key: "c", value: str("new") } as MapEntry | Comment as MapEntry);
    mapLeaves(t, (x) => (x.kind === "str" && x.value.startsWith("ENC[") ? sealedValues[Number(Buffer.from(/data:([^,]*)/.exec(x.value)![1]!, "base64").toString()) - 1]! : x));
    expect(dec.decode(store.emitPlain(t))).toBe("a: 1\nb: 2\nc: new\n");
  });
});

describe("block scalars", () => {
  it("writes every header only where it holds the value exactly", () => {
    expect(blockText("a\nb\n", "|@2", "\n")).toEqual({ head: "|", body: "  a\n  b\n" });
    expect(blockText("a\nb", "|-@2", "\n")).toEqual({ head: "|-", body: "  a\n  b\n" });
    expect(blockText("a\n\n\n", "|+@2", "\r\n")).toEqual({ head: "|+", body: "  a\r\n\r\n\r\n" });
    expect(blockText("  lead\n", "|2@2", "\n")).toEqual({ head: "|2", body: "    lead\n" });
    expect(blockText("p1\np2\n", ">@2", "\n")).toEqual({ head: ">", body: "  p1\n\n  p2\n" });
    expect(blockText("a", "|@2", "\n")).toBeUndefined(); // clip needs one final newline
    expect(blockText("a\n\n", "|@2", "\n")).toBeUndefined();
    expect(blockText("a\n", "|-@2", "\n")).toBeUndefined();
    expect(blockText("  lead\n", "|@2", "\n")).toBeUndefined(); // needs an indentation indicator
    expect(blockText("a\tb\r\n", "|@2", "\n")).toBeUndefined();
  });
});
