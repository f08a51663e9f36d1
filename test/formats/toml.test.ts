import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SealError } from "../../src/errors.js";
import { sealedFormatOf, storeFor } from "../../src/formats/index.js";
import { TomlStore } from "../../src/formats/toml.js";
import type { TreeMap } from "../../src/tree/index.js";

const DIR = join(import.meta.dirname, "../fixtures/toml");
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);
const store = new TomlStore();
const parse = (s: string): TreeMap => store.parsePlain(enc(s)).branches[0]!;

describe("TomlStore", () => {
  it("maps TOML types to sops types", () => {
    const m = parse('s = "x"\ni = 9223372036854775807\nf = 2.0\nb = true\nt = 1979-05-27T07:32:00-08:00\nd = 1979-05-27\nl = [1, "a"]\n');
    expect(m.items).toEqual([
      { kind: "entry", key: "s", value: { kind: "str", value: "x" } },
      { kind: "entry", key: "i", value: { kind: "int", value: 9223372036854775807n } },
      { kind: "entry", key: "f", value: { kind: "float", value: 2 } },
      { kind: "entry", key: "b", value: { kind: "bool", value: true } },
      { kind: "entry", key: "t", value: { kind: "time", value: "1979-05-27T07:32:00.000-08:00" } },
      // A local date has no sops type: documented as kept as a string.
      { kind: "entry", key: "d", value: { kind: "str", value: "1979-05-27" } },
      { kind: "entry", key: "l", value: { kind: "list", items: [{ kind: "int", value: 1n }, { kind: "str", value: "a" }] } },
    ]);
    expect(dec(store.emitPlain({ branches: [m] }))).toContain("f = 2.0\n");
  });

  it("orders plain keys before tables, as it writes them, so the MAC order survives a round trip", () => {
    const m = parse('[t]\na = 1\n[[arr]]\nx = 1\n\n[z]\nq = 1\n');
    const again = parse('top = 1\n[t]\na = 1\n');
    expect(m.items.map((i) => i.kind === "entry" && i.key)).toEqual(["t", "arr", "z"]);
    expect(again.items.map((i) => i.kind === "entry" && i.key)).toEqual(["top", "t"]);
    const mixed = parse('[t]\na = 1\n');
    mixed.items.unshift({ kind: "entry", key: "late", value: { kind: "str", value: "v" } });
    expect(parse(dec(store.emitPlain({ branches: [mixed] })))).toEqual(mixed);
  });

  for (const file of readdirSync(DIR).filter((f) => f.endsWith(".toml"))) {
    it(`${file}: emit → parse gives the same tree`, () => {
      const tree = store.parsePlain(readFileSync(join(DIR, file)));
      expect(store.parsePlain(store.emitPlain(tree))).toEqual(tree);
    });
  }

  it("reports syntax errors by line and column, never with the text", () => {
    try {
      parse('a = 1\nb = "hunter2\nc = 2\n');
      expect.unreachable();
    } catch (e) {
      expect((e as SealError).code).toBe("BAD_SYNTAX");
      expect((e as SealError).message).toBe("TOML syntax error at line 2, column 13");
      expect((e as SealError).message).not.toContain("hunter2");
    }
  });

  it("refuses null, which TOML cannot hold", () => {
    expect(() => store.emitPlain({ branches: [{ kind: "map", items: [{ kind: "entry", key: "n", value: { kind: "null" } }] }] })).toThrow(SealError);
  });

  it("is chosen for .toml, and a sops binary envelope in a .toml file is detected", () => {
    expect(storeFor("toml").name).toBe("toml");
    expect(sealedFormatOf("toml", enc('{\n\t"data": "ENC[…]",\n\t"sops": {}\n}\n'))).toBe("binary");
    expect(sealedFormatOf("toml", enc('data = "x"\n'))).toBe("toml");
    expect(sealedFormatOf("json", enc("{}"))).toBe("json");
  });
});
