import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SealError } from "../../src/errors.js";
import { BinaryStore } from "../../src/formats/binary.js";
import type { Tree } from "../../src/tree/index.js";

const fixture = (p: string): string =>
  readFileSync(fileURLToPath(new URL(`../fixtures/sops/${p}`, import.meta.url)), "utf8");
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);
const store = new BinaryStore();

describe("BinaryStore", () => {
  it("holds valid UTF-8 as a str value under `data`", () => {
    expect(store.parsePlain(enc("héllo\nno newline added"))).toEqual({
      branches: [{ kind: "map", items: [{ kind: "entry", key: "data", value: { kind: "str", value: "héllo\nno newline added" } }] }],
    });
  });

  it("holds other bytes as a bytes value and gives them back exactly", () => {
    const raw = Uint8Array.from([0xff, 0x00, 0xc3, 0x28, 0x0a]);
    const tree = store.parsePlain(raw);
    expect(tree.branches[0]!.items[0]).toMatchObject({ key: "data", value: { kind: "bytes" } });
    expect(store.emitPlain(tree)).toEqual(raw);
  });

  it("gives back any file byte for byte, BOM and empty file included", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (raw) => {
        expect(store.emitPlain(store.parsePlain(raw))).toEqual(raw);
      }),
    );
    const bom = Uint8Array.from([0xef, 0xbb, 0xbf, 0x61]);
    expect(store.emitPlain(store.parsePlain(bom))).toEqual(bom);
    expect(store.emitPlain(store.parsePlain(new Uint8Array()))).toEqual(new Uint8Array());
  });

  it("reads the sops JSON envelope and writes it back (3.7.1 had no trailing newline)", () => {
    const text = fixture("age-examples/example.txt");
    const tree = store.parseEncrypted(enc(text));
    expect(tree.branches[0]!.items.map((it) => (it.kind === "entry" ? it.key : ""))).toEqual(["data", "sops"]);
    expect(dec(store.emitEncrypted(tree))).toBe(text + "\n");
    expect(dec(new BinaryStore({ indent: 2 }).emitEncrypted(tree))).toMatch(/^\{\n {2}"data": "ENC\[/);
  });

  it("refuses a tree without a `data` string", () => {
    const cases: Tree[] = [
      { branches: [] },
      { branches: [{ kind: "map", items: [{ kind: "entry", key: "other", value: { kind: "str", value: "x" } }] }] },
      { branches: [{ kind: "map", items: [{ kind: "entry", key: "data", value: { kind: "map", items: [] } }] }] },
    ];
    for (const t of cases) {
      expect(() => store.emitPlain(t)).toThrow(SealError);
    }
    expect(() => store.emitValue({ kind: "str", value: "x" })).toThrow(/not structured/);
  });
});

describe("issue 14 item 1: the large-file reader (locateData) gives the reference reader's tree", () => {
  /** The located tree with `data` set to the located text: what parseEncrypted must give. */
  function completed(src: Uint8Array, located: NonNullable<ReturnType<BinaryStore["locateData"]>>): Tree {
    const text = Buffer.from(src.subarray(located.start, located.end)).toString("latin1");
    const tree = structuredClone(located.tree);
    for (const it of tree.branches[0]!.items) if (it.kind === "entry" && it.key === "data") it.value = { kind: "str", value: text };
    return tree;
  }

  const ws = fc.constantFrom("", " ", "\n", "\t", "\r\n", "\n\t\t");
  const dataText = fc.oneof(
    fc.stringMatching(/^ENC\[AES256_GCM,data:[A-Za-z0-9+/]{0,12}={0,2},iv:[A-Za-z0-9+/]{4,8}=?,tag:[A-Za-z0-9+/]{4}==,type:str\]$/),
    fc.constantFrom("", "x", "a\\\"b", "\\u0041", "é", "a\\nb", "\\\\", "{\\\"data\\\": \\\"x\\\"}", "\t", "~\u007f"),
  );
  const otherValue = fc.constantFrom('"x"', '"}"', '"\\"data\\": \\"y\\""', "1", "-2.5e3", "true", "null", "[]", '["{", "]"]', '{"data": "inner"}', '{"a": {"b": ["c", {"d": "}"}]}}', "{", '"open');
  const key = fc.constantFrom('"data"', '"sops"', '"d\\u0061ta"', '"x"', '"Data"', '"data "', "data");
  const member = fc.tuple(key, ws, ws, fc.oneof(dataText.map((t) => `"${t}"`), otherValue)).map(([k, a, b, v]) => `${k}${a}:${b}${v}`);
  const dataMember = fc.tuple(ws, dataText).map(([w, t]) => `"data":${w}"${t}"`);
  const end = fc.oneof({ arbitrary: fc.constantFrom("}", "}\n"), weight: 4 }, { arbitrary: fc.constantFrom("", "}x", ",}"), weight: 1 });
  const doc = fc.tuple(ws, fc.array(fc.tuple(member, ws), { maxLength: 3 }), fc.nat(3), dataMember, ws, end).map(([lead, members, at, data, mid, close]) => {
    const all = members.map(([m, w]) => `${w}${m}`);
    all.splice(at % (all.length + 1), 0, data);
    return `${lead}{${all.join(",")}${mid}${close}`;
  });
  // Byte-level damage on top: any single byte changed, added or removed.
  const damaged = fc.tuple(doc, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom("set", "insert", "delete", "none", "none", "none")).map(([text, at, byte, how]) => {
    const b = Buffer.from(text, "utf8");
    const i = b.length === 0 ? 0 : at % b.length;
    if (how === "set" && b.length > 0) b[i] = byte;
    if (how === "insert") return Buffer.concat([b.subarray(0, i), Buffer.from([byte]), b.subarray(i)]);
    if (how === "delete") return Buffer.concat([b.subarray(0, i), b.subarray(i + 1)]);
    return b;
  });

  it("returns a result only where parseEncrypted succeeds, and then the same tree", () => {
    let located = 0;
    fc.assert(
      fc.property(damaged, (src) => {
        const got = store.locateData(src);
        if (got === undefined) return;
        located++;
        expect(completed(src, got)).toEqual(store.parseEncrypted(src));
      }),
      { numRuns: 2000 },
    );
    expect(located).toBeGreaterThan(200); // the generator reaches the fast path often, not only the fallback
  });

  it("finds the data of an envelope sops wrote, and of one sealfile writes", () => {
    const text = enc(fixture("age-examples/example.txt"));
    const got = store.locateData(text);
    expect(got).toBeDefined();
    expect(completed(text, got!)).toEqual(store.parseEncrypted(text));
    const written = store.emitEncrypted(store.parseEncrypted(text));
    expect(store.locateData(written)).toBeDefined();
  });

  it("declines what it cannot read exactly: escapes, duplicate data keys, non-ASCII, damage", () => {
    for (const s of ['{"data": "a\\u0041"}', '{"data": "a", "data": "b"}', '{"data": "é"}', '{"data": "a"', '{"data": "a"} x', '["data"]', '{"data": 1}']) {
      expect(store.locateData(enc(s)), s).toBeUndefined();
    }
  });
});

describe("issue 14 item 1: emitEncryptedAround leaves room for data in the envelope emitEncrypted writes", () => {
  it("gives emitEncrypted's bytes once the room holds the value", () => {
    const tree = store.parseEncrypted(enc(fixture("age-examples/example.txt")));
    const items = tree.branches[0]!.items;
    const data = items[0]!;
    if (data.kind !== "entry" || data.value.kind !== "str") throw new Error("fixture shape");
    const value = Buffer.from(data.value.value, "latin1");
    for (const s of [store, new BinaryStore({ indent: 2 })]) {
      const { out, at } = s.emitEncryptedAround(tree, value.length);
      out.set(value, at);
      expect(Buffer.from(out).equals(Buffer.from(s.emitEncrypted(tree)))).toBe(true);
    }
  });
});
