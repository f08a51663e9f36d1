import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config.js";
import { guardRulesFrom, inspectSealedBytes, loadGuardPolicy } from "../../src/ops/guard-policy.js";
import { makeRepo, type TempRepo } from "../git/_repo.js";

const SOPS = join(import.meta.dirname, "../fixtures/sops/modern");
const RECIPIENT = "age1xq3ypj0ful9m3usyjkm9vswddrljwdz8xzpvx225dhersl5wpfhszyky9l";
const fixture = (name: string): Buffer => readFileSync(join(SOPS, name));

describe("inspectSealedBytes", () => {
  it("accepts real sops files in every format, with no clear values", () => {
    for (const [path, file] of [["a.yaml", "format.enc.yaml"], ["a.json", "format.enc.json"], ["a.env", "format.enc.env"], ["a.ini", "format.enc.ini"]] as const) {
      expect(inspectSealedBytes(path, fixture(file)), path).toEqual({ sealed: true, clearValues: [] });
    }
  });

  it("says a plaintext file has no metadata", () => {
    expect(inspectSealedBytes("secrets/a.yaml", Buffer.from("password: hunter2\n"))).toEqual({ sealed: false, problem: "no sops metadata" });
  });

  it("names broken metadata without quoting the file", () => {
    const text = fixture("format.enc.yaml").toString("utf8").replace(/^ {4}mac: .*$/m, "    mac: 12");
    const res = inspectSealedBytes("a.yaml", Buffer.from(text));
    expect(res.sealed).toBe(false);
    expect(res.problem).toMatch(/metadata/);
    expect(res.problem).not.toContain("ENC[");
  });

  it("reports a syntax error by position only", () => {
    const res = inspectSealedBytes("a.json", Buffer.from('{"password": "hunter2",,}'));
    expect(res.sealed).toBe(false);
    expect(res.problem).toMatch(/line 1/);
    expect(res.problem).not.toContain("hunter2");
  });

  it("finds values pasted in clear, by the file's own rule", () => {
    const text = fixture("format.enc.yaml").toString("utf8").replace(/^sops:/m, "db:\n    password: hunter2\n    user_unencrypted: app\nsops:");
    expect(inspectSealedBytes("a.yaml", Buffer.from(text))).toEqual({ sealed: true, clearValues: [["db", "password"]] });
  });

  it("tries dotenv for a name without a known extension (.env.production)", () => {
    expect(inspectSealedBytes("app/.env.production", fixture("format.enc.env"))).toMatchObject({ sealed: true });
    expect(inspectSealedBytes("app/.env.production", Buffer.from("TOKEN=abc\n"))).toMatchObject({ sealed: false });
  });
});

describe("guardRulesFrom", () => {
  const root = "/repo";
  const config = (folder: string, text: string) => parseConfig(text, join(root, folder, ".sops.yaml"));

  it("matches path_regex against the path relative to the config's folder; the nearest config governs", () => {
    const top = config("", `creation_rules:\n  - path_regex: ^secrets/.*\\.yaml$\n    age: ${RECIPIENT}\n  - age: ${RECIPIENT}\n`);
    const app = config("apps/web", `creation_rules:\n  - path_regex: ^config/prod\\.json$\n    age: ${RECIPIENT}\n`);
    const rules = guardRulesFrom([top, app], root);
    expect(rules).toHaveLength(2); // the rule without path_regex is not a "must be encrypted" rule
    const match = (p: string) => rules.find((r) => r.pathRegex.test(p))?.index;
    expect(match("secrets/a.yaml")).toBe(0);
    expect(match("apps/web/config/prod.json")).toBe(0);
    expect(match("config/prod.json")).toBeUndefined();
    // apps/web has its own config, so the top-level rule does not reach into it
    expect(match("apps/web/secrets/a.yaml")).toBeUndefined();
    expect(match("docs/secrets/a.yaml")).toBeUndefined();
  });

  it("uses a config above the repository for paths no config inside governs", () => {
    const above = config("..", `creation_rules:\n  - path_regex: ^repo/secrets/\n    age: ${RECIPIENT}\n`);
    const inner = config("svc", `creation_rules:\n  - path_regex: ^secrets/\n    age: ${RECIPIENT}\n`);
    const rules = guardRulesFrom([above, inner], root);
    const match = (p: string) => rules.some((r) => r.pathRegex.test(p));
    expect(match("secrets/a.yaml")).toBe(true);
    expect(match("svc/secrets/a.yaml")).toBe(true);
    expect(match("other/a.yaml")).toBe(false);
  });

  it("lets an explicit config govern every path", () => {
    const named = config("conf", `creation_rules:\n  - path_regex: \\.enc\\.yaml$\n    age: ${RECIPIENT}\n`);
    expect(guardRulesFrom([named], root, true)[0]?.pathRegex.test("x/a.enc.yaml")).toBe(true);
    expect(guardRulesFrom([named], root, false)[0]?.pathRegex.test("x/a.enc.yaml")).toBe(false);
  });
});

describe("loadGuardPolicy", () => {
  let repo: TempRepo | undefined;
  afterEach(() => repo?.cleanup());

  it("reads the root config and tracked nested ones", async () => {
    repo = makeRepo();
    repo.write(".sops.yaml", `creation_rules:\n  - path_regex: ^secrets/\n    age: ${RECIPIENT}\n`);
    repo.write("svc/.sops.yaml", `creation_rules:\n  - path_regex: ^keys\\.yaml$\n    age: ${RECIPIENT}\n`);
    repo.git("add", "svc/.sops.yaml");
    const policy = await loadGuardPolicy({ cwd: join(repo.dir, "svc"), env: {} });
    const governed = (p: string) => policy.rules.some((r) => r.pathRegex.test(p));
    expect(governed("secrets/a.yaml")).toBe(true);
    expect(governed("svc/keys.yaml")).toBe(true);
    expect(governed("keys.yaml")).toBe(false);
  });

  it("uses SOPS_CONFIG when set, and fails on a broken config", async () => {
    repo = makeRepo();
    repo.write("conf/sops.yaml", `creation_rules:\n  - path_regex: ^vault/\n    age: ${RECIPIENT}\n`);
    const policy = await loadGuardPolicy({ cwd: repo.dir, env: { SOPS_CONFIG: "conf/sops.yaml" } });
    expect(policy.rules.some((r) => r.pathRegex.test("vault/a.yaml"))).toBe(false); // relative to conf/
    expect(policy.rules.some((r) => r.pathRegex.test("conf/vault/a.yaml"))).toBe(true);
    repo.write(".sops.yaml", "creation_rules:\n  - path_regex: '('\n");
    await expect(loadGuardPolicy({ cwd: repo.dir, env: {} })).rejects.toMatchObject({ code: "BAD_CONFIG" });
  });
});
