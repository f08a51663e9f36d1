import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SealError } from "../../src/errors.js";
import { DotenvStore } from "../../src/formats/dotenv.js";
import { flattenMap, unflattenPairs } from "../../src/formats/flatten.js";
import { IniStore } from "../../src/formats/ini.js";
import type { MapEntry, Node, TreeMap } from "../../src/tree/index.js";

const fixture = (p: string): Uint8Array =>
  readFileSync(fileURLToPath(new URL(`../fixtures/sops/${p}`, import.meta.url)));
const str = (value: string): Node => ({ kind: "str", value });
const entry = (key: string, value: Node): MapEntry => ({ kind: "entry", key, value });
const map = (...items: MapEntry[]): TreeMap => ({ kind: "map", items });
const list = (...items: Node[]): Node => ({ kind: "list", items });

function pairsOf(m: TreeMap): Array<[string, string]> {
  return m.items.flatMap((it) => (it.kind === "entry" && it.value.kind === "str" ? [[it.key, it.value.value] as [string, string]] : []));
}

describe("flattenMap / unflattenPairs on real sops metadata", () => {
  it("rebuilds the dotenv fixture's metadata and flattens it back in the file's (3.13) order", () => {
    const tree = new DotenvStore().parseEncrypted(fixture("modern/format.enc.env")).branches[0]!;
    const pairs = pairsOf(tree)
      .filter(([k]) => k.startsWith("sops_"))
      .map(([k, v]) => [k.slice("sops_".length), v] as [string, string]);
    const meta = unflattenPairs(pairs);
    expect(meta.items.map((it) => (it as MapEntry).key)).toEqual([
      "age",
      "lastmodified",
      "mac",
      "pgp",
      "unencrypted_suffix",
      "version",
    ]);
    const age = (meta.items[0] as MapEntry).value;
    expect(age.kind).toBe("list");
    const age0 = (age as { items: Node[] }).items[0] as TreeMap;
    expect(age0.items.map((it) => (it as MapEntry).key)).toEqual(["enc", "recipient"]);
    expect(pairsOf(age0)[1]).toEqual(["recipient", "age1xq3ypj0ful9m3usyjkm9vswddrljwdz8xzpvx225dhersl5wpfhszyky9l"]);
    const pgp0 = ((meta.items[3] as MapEntry).value as { items: Node[] }).items[0] as TreeMap;
    expect(pgp0.items.map((it) => (it as MapEntry).key)).toEqual(["created_at", "enc", "fp"]);
    expect(flattenMap(meta, "sops_")).toEqual(pairsOf(tree).filter(([k]) => k.startsWith("sops_")));
  });

  it("rebuilds the INI fixture's unordered [sops] section (sops 3.7.1) and flattens it sorted", () => {
    const tree = new IniStore().parseEncrypted(fixture("age-examples/example.ini")).branches[0]!;
    const sops = tree.items.find((it) => it.kind === "entry" && it.key === "sops") as MapEntry;
    const pairs = pairsOf(sops.value as TreeMap);
    const meta = unflattenPairs(pairs);
    expect(meta.items.map((it) => (it as MapEntry).key)).toEqual(["version", "age", "unencrypted_suffix", "lastmodified", "mac"]);
    const age = (meta.items[1] as MapEntry).value as { items: TreeMap[] };
    expect(age.items).toHaveLength(2);
    expect(pairsOf(age.items[1]!).map(([k]) => k)).toEqual(["enc", "recipient"]);
    expect(pairsOf(age.items[1]!)[1]![1]).toBe("age1tmaae3ld5vpevmsh5yacsauzx8jetg300mpvc4ugp5zr5l6ssq9sla97ep");
    const flat = flattenMap(meta);
    expect(flat.map(([k]) => k)).toEqual([
      "age__list_0__map_enc",
      "age__list_0__map_recipient",
      "age__list_1__map_enc",
      "age__list_1__map_recipient",
      "lastmodified",
      "mac",
      "unencrypted_suffix",
      "version",
    ]);
    expect(new Map(flat)).toEqual(new Map(pairs));
  });
});

describe("flattenMap", () => {
  it("writes key groups, KMS contexts and non-string scalars like sops", () => {
    const meta = map(
      entry(
        "key_groups",
        list(map(entry("age", list(map(entry("recipient", str("r0")))))), map(entry("age", list(map(entry("recipient", str("r1"))))))),
      ),
      entry("kms", list(map(entry("context", map(entry("Role", str("web")), entry("Env", str("prod")))), entry("arn", str("a"))))),
      entry("shamir_threshold", { kind: "int", value: 2n }),
      entry("mac_only_encrypted", { kind: "bool", value: true }),
    );
    expect(flattenMap(meta, "sops_")).toEqual([
      ["sops_key_groups__list_0__map_age__list_0__map_recipient", "r0"],
      ["sops_key_groups__list_1__map_age__list_0__map_recipient", "r1"],
      ["sops_kms__list_0__map_arn", "a"],
      ["sops_kms__list_0__map_context__map_Env", "prod"],
      ["sops_kms__list_0__map_context__map_Role", "web"],
      ["sops_mac_only_encrypted", "true"],
      ["sops_shamir_threshold", "2"],
    ]);
  });

  it("keeps list indices in numeric order (index 10 after 9) and skips comments", () => {
    const items: Node[] = [];
    for (let i = 0; i < 12; i++) items.push(str(`v${i}`));
    items.splice(3, 0, { kind: "comment", text: "c" } as never);
    const flat = flattenMap(map(entry("l", { kind: "list", items })));
    expect(flat.map(([k]) => k)).toEqual(Array.from({ length: 12 }, (_, i) => `l__list_${i}`));
    expect(flat[11]).toEqual(["l__list_11", "v11"]);
  });

  it("sorts keys in Go (UTF-8 byte) order", () => {
    const flat = flattenMap(map(entry("\uff61", str("1")), entry("\u{1f600}", str("2")), entry("B", str("3")), entry("a", str("4"))));
    expect(flat.map(([k]) => k)).toEqual(["B", "a", "\uff61", "\u{1f600}"]);
  });

  it("refuses colliding keys", () => {
    expect(() => flattenMap(map(entry("a", str("1")), entry("a", str("2"))))).toThrow(SealError);
  });
});

describe("unflattenPairs", () => {
  it("refuses inconsistent input", () => {
    const bad: Array<Array<[string, string]>> = [
      [["a", "1"], ["a", "2"]],
      [["a", "1"], ["a__map_b", "2"]],
      [["a__list_0", "1"], ["a__map_b", "2"]],
      [["a__list_1", "1"]],
      [["a__list_x", "1"]],
      [["a__list_0", "1"], ["a", "2"]],
    ];
    for (const pairs of bad) {
      try {
        unflattenPairs(pairs);
        expect.unreachable();
      } catch (e) {
        expect((e as SealError).code).toBe("BAD_METADATA");
      }
    }
  });

  it("reads a leading separator as an empty first key, as sops's tokenizer", () => {
    expect(unflattenPairs([["__list_0", "x"]])).toEqual(map(entry("", list(str("x")))));
  });

  it("places list items by index whatever their order", () => {
    expect(unflattenPairs([["l__list_1", "b"], ["l__list_0", "a"]])).toEqual(map(entry("l", list(str("a"), str("b")))));
  });
});

/** Random string-valued trees, already in flatten order (keys sorted per level), without empty containers. */
function sortedTree(): fc.Arbitrary<TreeMap> {
  const key = fc
    .string({ unit: fc.constantFrom("a", "b", "_", "m", "p", "l", "i", "s", "t", "0", "é", "-") })
    .filter((k) => !k.includes("__map_") && !k.includes("__list_") && !k.endsWith("__map") && !k.endsWith("__list"));
  const { node } = fc.letrec<{ node: Node; map: TreeMap; list: Node }>((tie) => ({
    node: fc.oneof({ depthSize: "small", withCrossShrink: true }, fc.string().map(str), tie("map"), tie("list")),
    map: fc.uniqueArray(fc.tuple(key, tie("node")), { selector: (t) => t[0], minLength: 1, maxLength: 4 }).map((kv) => {
      const sorted = [...kv].sort((x, y) => (Buffer.compare(Buffer.from(x[0]), Buffer.from(y[0]))));
      return map(...sorted.map(([k, v]) => entry(k, v)));
    }),
    list: fc.array(tie("node"), { minLength: 1, maxLength: 4 }).map((items) => list(...items)),
  }));
  return node.filter((n): n is TreeMap => n.kind === "map");
}

describe("flatten property", () => {
  it("unflattenPairs(flattenMap(t)) deep-equals t", () => {
    fc.assert(
      fc.property(sortedTree(), (t) => {
        expect(unflattenPairs(flattenMap(t))).toEqual(t);
      }),
      { numRuns: 500 },
    );
  });
});
