import { describe, expect, it } from "vitest";
import { isSealError, type SealError } from "../../src/errors.js";
import { bool, comment, entry, float, int, list, map, nul, str, type Tree } from "../../src/tree/node.js";
import { mergeEnvs, treeToEnv } from "../../src/exec/env-map.js";

const yaml = { flatten: true, format: "yaml" } as const;
const tree = (...branches: ReturnType<typeof map>[]): Tree => ({ branches });

function thrown(f: () => unknown): SealError {
  try {
    f();
  } catch (e) {
    if (isSealError(e)) return e;
    throw e;
  }
  throw new Error("expected a SealError");
}

describe("treeToEnv", () => {
  it("renders top-level scalars like sops exec-env and skips comments", () => {
    const t = tree(
      map([
        comment(" a comment"),
        entry("API_KEY", str("s3cr=t \"q\"\nline2 ✓")),
        entry("PORT", int(5432n)),
        entry("BIG", int(9007199254740993n)),
        entry("RATIO", float(5)),
        entry("LARGE", float(1234567)),
        entry("DEBUG", bool(true)),
        entry("OFF", bool(false)),
        entry("EMPTY", nul()),
        entry("WHEN", { kind: "time", value: "2024-01-02T03:04:05.123Z" }),
      ]),
    );
    expect({ ...treeToEnv(t, yaml) }).toEqual({
      API_KEY: "s3cr=t \"q\"\nline2 ✓",
      PORT: "5432",
      BIG: "9007199254740993",
      RATIO: "5.0",
      LARGE: "1.234567E+06",
      DEBUG: "true",
      OFF: "false",
      EMPTY: "",
      WHEN: "2024-01-02T03:04:05Z",
    });
  });

  it.each([
    [5, "5.0"],
    [-0, "-0.0"],
    [123456, "123456.0"],
    [123456.7, "123456.7"],
    [1e21, "1E+21"],
    [0.00001, "1E-05"],
    [0.0001, "0.0001"],
    [Infinity, "+Inf"],
  ])("renders the float %s as %s (Go 'G' format plus sops's .0 rule)", (v, want) => {
    expect(treeToEnv(tree(map([entry("F", float(v))])), yaml).F).toBe(want);
  });

  it("uses only the first branch", () => {
    const t = tree(map([entry("A", str("1"))]), map([entry("B", str("2"))]));
    expect(Object.keys(treeToEnv(t, yaml))).toEqual(["A"]);
  });

  it("flattens nested maps with _ and upper-cases the flattened names; top-level names keep their case", () => {
    const t = tree(
      map([
        entry("database_url", str("postgres://x")),
        entry("db", map([entry("password", str("hunter2")), comment("c"), entry("replica", map([entry("host", str("r1"))]))])),
      ]),
    );
    expect({ ...treeToEnv(t, yaml) }).toEqual({ database_url: "postgres://x", DB_PASSWORD: "hunter2", DB_REPLICA_HOST: "r1" });
  });

  it("turns lists into JSON text, numbers as numbers", () => {
    const t = tree(
      map([
        entry("hosts", list([str("a"), comment("x"), str("b")])),
        entry("nums", list([int(1n), float(2.5), bool(true), nul(), int(12345678901234567890n), float(-Infinity)])),
        entry("nested", map([entry("objs", list([map([entry("k", str("v"))]), list([str("z")])]))])),
      ]),
    );
    const env = treeToEnv(t, yaml);
    expect(env.hosts).toBe('["a","b"]');
    expect(env.nums).toBe("[1,2.5,true,null,12345678901234567890,\"-Inf\"]");
    expect(env.NESTED_OBJS).toBe('[{"k":"v"},["z"]]');
    expect(JSON.parse(env.hosts!)).toEqual(["a", "b"]);
  });

  it("refuses complex values without flattening, like sops", () => {
    const t = tree(map([entry("A", str("1")), entry("db", map([entry("password", str("hunter2"))]))]));
    const e = thrown(() => treeToEnv(t, { flatten: false, format: "yaml" }));
    expect(e.message).toBe("cannot use complex value in environment; offending key db");
    expect(e.exitCode).toBe(1);
    const l = thrown(() => treeToEnv(tree(map([entry("L", list([str("x")]))])), { flatten: false, format: "json" }));
    expect(l.message).toContain("offending key L");
    expect({ ...treeToEnv(tree(map([entry("A", int(1n))])), { flatten: false, format: "yaml" }) }).toEqual({ A: "1" });
  });

  it("rejects names that are not environment names, naming the key path and never the value", () => {
    for (const [t, path] of [
      [tree(map([entry("api-key", str("SECRETVALUE"))])), "api-key"],
      [tree(map([entry("1ST", str("SECRETVALUE"))])), "1ST"],
      [tree(map([entry("a=b", str("SECRETVALUE"))])), "a=b"],
      [tree(map([entry("db", map([entry("pass word", str("SECRETVALUE"))]))])), "db.pass word"],
    ] as const) {
      const e = thrown(() => treeToEnv(t, yaml));
      expect(e.message).toContain(`key ${path} maps to`);
      expect(e.message).not.toContain("SECRETVALUE");
      expect(e.details?.reason).toBe("bad-name");
    }
  });

  it("reports two keys that map to one name, naming both paths", () => {
    const t = tree(map([entry("DB_PASSWORD", str("one")), entry("db", map([entry("password", str("two"))]))]));
    const e = thrown(() => treeToEnv(t, yaml));
    expect(e.message).toBe("keys DB_PASSWORD and db.password both map to the environment variable DB_PASSWORD");
    const t2 = tree(map([entry("a", map([entry("b_c", str("1"))])), entry("A_B", map([entry("C", str("2"))]))]));
    expect(thrown(() => treeToEnv(t2, yaml)).message).toContain("keys a.b_c and A_B.C both map");
  });

  it("rejects values an environment cannot carry, without quoting them", () => {
    const e = thrown(() => treeToEnv(tree(map([entry("K", str("SECRET\0X"))])), yaml));
    expect(e.message).not.toContain("SECRET");
    const b = thrown(() =>
      treeToEnv(tree(map([entry("data", { kind: "bytes", value: new Uint8Array([0xff, 0xfe]) })])), { flatten: true, format: "binary" }),
    );
    expect(b.details?.reason).toBe("binary");
    const ok = treeToEnv(tree(map([entry("data", { kind: "bytes", value: new TextEncoder().encode("héllo") })])), {
      flatten: true,
      format: "binary",
    });
    expect(ok.data).toBe("héllo");
  });

  it("maps dotenv names 1:1", () => {
    const t = tree(map([comment(" c"), entry("lower_case", str("a=b")), entry("Mixed_Case", str("x\ny"))]));
    expect({ ...treeToEnv(t, { flatten: true, format: "dotenv" }) }).toEqual({ lower_case: "a=b", Mixed_Case: "x\ny" });
  });

  it("maps INI sections like nested maps, with DEFAULT at the top level", () => {
    const t = tree(
      map([
        entry("DEFAULT", map([entry("region", str("eu"))])),
        entry("database", map([comment("c"), entry("password", str("pw")), entry("user", str("app"))])),
      ]),
    );
    expect({ ...treeToEnv(t, { flatten: true, format: "ini" }) }).toEqual({
      region: "eu",
      DATABASE_PASSWORD: "pw",
      DATABASE_USER: "app",
    });
    expect(thrown(() => treeToEnv(t, { flatten: false, format: "ini" })).message).toContain("offending key database");
    const onlyDefault = tree(map([entry("DEFAULT", map([entry("region", str("eu"))]))]));
    expect({ ...treeToEnv(onlyDefault, { flatten: false, format: "ini" }) }).toEqual({ region: "eu" });
  });

  it("stores a key named __proto__ as an ordinary variable", () => {
    const env = treeToEnv(tree(map([entry("__proto__", str("x"))])), yaml);
    expect(Object.keys(env)).toEqual(["__proto__"]);
    expect(env["__proto__"]).toBe("x");
  });

  it("returns an empty record for an empty tree", () => {
    expect(Object.keys(treeToEnv({ branches: [] }, yaml))).toEqual([]);
  });
});

describe("mergeEnvs", () => {
  it("lets later layers override earlier ones", () => {
    expect({ ...mergeEnvs([{ A: "1", B: "1" }, { B: "2", C: "2" }, { C: "3" }]) }).toEqual({ A: "1", B: "2", C: "3" });
    expect(Object.keys(mergeEnvs([]))).toEqual([]);
  });
});
