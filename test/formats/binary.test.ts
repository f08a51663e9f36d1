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
