import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildChildEnv } from "../../src/exec/child-env.js";
import { mergeEnvs, treeToEnv } from "../../src/exec/env-map.js";
import { entry, int, list, map, str } from "../../src/tree/node.js";
import { bundleExec, child, startRunner } from "./_harness.js";

const parent = { PATH: "/usr/bin:/bin", HOME: "/home/u", SHELL: "/bin/sh", API_KEY: "inherited", GONE: undefined };

describe("buildChildEnv", () => {
  it("lets secrets override inherited variables by default", () => {
    const env = buildChildEnv(parent, { API_KEY: "secret", NEW: "n" }, { override: true, pristine: false });
    expect({ ...env }).toEqual({ PATH: "/usr/bin:/bin", HOME: "/home/u", SHELL: "/bin/sh", API_KEY: "secret", NEW: "n" });
  });

  it("keeps inherited variables with override: false", () => {
    const env = buildChildEnv(parent, { API_KEY: "secret", NEW: "n" }, { override: false, pristine: false });
    expect(env.API_KEY).toBe("inherited");
    expect(env.NEW).toBe("n");
  });

  it("starts from PATH and HOME only when pristine", () => {
    const env = buildChildEnv(parent, { API_KEY: "secret" }, { override: true, pristine: true });
    expect({ ...env }).toEqual({ PATH: "/usr/bin:/bin", HOME: "/home/u", API_KEY: "secret" });
    const noHome = buildChildEnv({ PATH: "/bin" }, { PATH: "/evil" }, { override: false, pristine: true });
    expect({ ...noHome }).toEqual({ PATH: "/bin" });
  });

  it("does not modify the parent record", () => {
    const p = { A: "1" };
    buildChildEnv(p, { A: "2" }, { override: true, pristine: false });
    expect(p).toEqual({ A: "1" });
  });
});

describe("a real child sees the mapped environment", () => {
  let bundle = "";
  let dispose = (): void => {};
  beforeAll(async () => ({ bundle, dispose } = await bundleExec()));
  afterAll(() => dispose());

  const tricky = "line1\nline2 = \"double\" 'single' `tick` $HOME \\n ünïcødé ✓ 🎉\ttab\r\nend";

  async function childEnv(
    secrets: Record<string, string>,
    opts: { override?: boolean; pristine?: boolean } = {},
    parentEnv: Record<string, string | undefined> = process.env,
  ): Promise<Record<string, string>> {
    const r = startRunner(bundle, { command: [process.execPath, child("print-env.mjs")], secrets, ...opts }, parentEnv);
    const { code } = await r.done;
    expect(r.stderr()).toBe("");
    expect(code).toBe(0);
    return JSON.parse(r.stdout()) as Record<string, string>;
  }

  it("passes flattened nested keys, lists and a tricky value byte for byte", async () => {
    const tree = {
      branches: [
        map([
          entry("TRICKY", str(tricky)),
          entry("db", map([entry("password", str("hunter2")), entry("port", int(5432n))])),
          entry("hosts", list([str("a"), int(2n)])),
        ]),
      ],
    };
    const env = await childEnv(treeToEnv(tree, { flatten: true, format: "yaml" }));
    expect(env.TRICKY).toBe(tricky);
    expect(Buffer.from(env.TRICKY!, "utf8").equals(Buffer.from(tricky, "utf8"))).toBe(true);
    expect(env.DB_PASSWORD).toBe("hunter2");
    expect(env.DB_PORT).toBe("5432");
    expect(env.hosts).toBe('["a",2]');
  });

  it("applies override, no-override and pristine for real", async () => {
    const parentEnv = { ...process.env, SEALFILE_T_INHERITED: "parent", SEALFILE_T_OTHER: "other" };
    const secrets = { SEALFILE_T_INHERITED: "secret" };
    expect((await childEnv(secrets, {}, parentEnv)).SEALFILE_T_INHERITED).toBe("secret");
    expect((await childEnv(secrets, { override: false }, parentEnv)).SEALFILE_T_INHERITED).toBe("parent");
    const pristine = await childEnv(secrets, { pristine: true }, parentEnv);
    expect(pristine.SEALFILE_T_INHERITED).toBe("secret");
    expect(pristine.SEALFILE_T_OTHER).toBeUndefined();
    expect(pristine.PATH).toBe(process.env.PATH);
  });

  it("merges several files, later ones winning, and maps dotenv names 1:1", async () => {
    const first = treeToEnv({ branches: [map([entry("A", str("1")), entry("B", str("1"))])] }, { flatten: true, format: "yaml" });
    const second = treeToEnv({ branches: [map([entry("B", str("2")), entry("lower_name", str("x=y"))])] }, { flatten: true, format: "dotenv" });
    const env = await childEnv(mergeEnvs([first, second]));
    expect([env.A, env.B, env.lower_name]).toEqual(["1", "2", "x=y"]);
  });
});
