// Acceptance 2 (set): one key changed in a 1,000-key file changes exactly 3 lines of `git diff`.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { runSecrets } from "../helpers/cli.js";
import { diffLines, makeRepo, pastLastModified, sopsConfig, type TestRepo } from "../helpers/git-repo.js";

let repo: TestRepo;
/** "+    mac: ENC[…]" → "+mac" */
const keyOf = (l: string): string => l[0]! + l.slice(1).trim().split(":")[0]!;
const FILE = "secrets/big.yaml";

function bigYaml(n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += `key${String(i).padStart(4, "0")}: value-${i}\n`;
  return s;
}

beforeAll(() => {
  repo = makeRepo(1);
  repo.write(".sops.yaml", sopsConfig("secrets/.*", [repo.keys[0]!.recipient]));
  repo.write(FILE, bigYaml(1000));
  const r = runSecrets(["encrypt", "-i", FILE], { env: repo.env(), cwd: repo.dir });
  expect(r.stderr).toBe("");
  repo.commit("encrypted");
});
afterAll(() => repo.cleanup());

const decrypt = (): string => {
  const r = runSecrets(["decrypt", FILE], { env: repo.env(), cwd: repo.dir });
  expect(r.code).toBe(0);
  return r.stdout;
};

describe("secrets set", () => {
  it("changes exactly the value, mac and lastmodified lines", async () => {
    await pastLastModified(repo.read(FILE));
    const r = runSecrets(["set", FILE, '["key0500"]', "--value-stdin"], { env: repo.env(), cwd: repo.dir, input: '"changed secret"' });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const { removed, added } = diffLines(repo, FILE);
    expect(removed).toHaveLength(3);
    expect(added).toHaveLength(3);
    expect(added.map((l) => keyOf(l))).toEqual(["+key0500", "+lastmodified", "+mac"]);
    expect(repo.read(FILE)).not.toContain("changed secret");
    const plain = decrypt();
    expect(plain).toContain("key0500: changed secret\n");
    expect(plain).toContain("key0499: value-499\n");
    repo.commit("set");
  });

  it("--idempotent does not rewrite a value that is already there", () => {
    const before = statSync(join(repo.dir, FILE)).mtimeMs;
    const bytes = readFileSync(join(repo.dir, FILE));
    const r = runSecrets(["set", "--idempotent", FILE, '["key0500"]', "--value-stdin"], { env: repo.env(), cwd: repo.dir, input: '"changed secret"' });
    expect(r.code).toBe(0);
    expect(readFileSync(join(repo.dir, FILE)).equals(bytes)).toBe(true);
    expect(statSync(join(repo.dir, FILE)).mtimeMs).toBe(before);
  });

  it("accepts a value on the command line (sops's form) with a warning that names no value", () => {
    const str = runSecrets(["set", FILE, '["key0001"]', '"hunter2"'], { env: repo.env(), cwd: repo.dir });
    expect(str.code).toBe(0);
    expect(str.stderr).toContain("--value-stdin");
    expect(str.stderr).toMatch(/command line, where other users' processes can read it \(ps\)/);
    expect(str.stderr).not.toContain("hunter2");
    expect(decrypt()).toContain("key0001: hunter2\n");
    const num = runSecrets(["set", FILE, '["port"]', "5432"], { env: repo.env(), cwd: repo.dir });
    expect(num.code).toBe(0);
    expect(num.stderr).toMatch(/where other users' processes can read it/);
    expect(repo.read(FILE)).toMatch(/port: ENC\[AES256_GCM,[^\]]*type:int\]/);
  });

  it("sets a JSON object as a subtree (ints stay int, floats float) from a file", () => {
    const vf = repo.write("../value.json", '{"host": "db", "port": 5432, "ratio": 0.5, "tags": ["a", "b"]}');
    const r = runSecrets(["set", FILE, '["db"]["conn"]', "--value-file", vf], { env: repo.env(), cwd: repo.dir });
    expect(r.stderr).toBe("");
    const text = repo.read(FILE);
    expect(text).toMatch(/port: ENC\[[^\]]*type:int\]/);
    expect(text).toMatch(/ratio: ENC\[[^\]]*type:float\]/);
    expect(decrypt()).toContain("db:\n    conn:\n        host: db\n        port: 5432\n        ratio: 0.5\n        tags:\n            - a\n            - b\n");
  });

  it("reports invalid JSON by position without echoing it", () => {
    const r = runSecrets(["set", FILE, '["x"]', "--value-stdin"], { env: repo.env(), cwd: repo.dir, input: "unquoted-s3cret" });
    expect(r.code).toBe(7);
    expect(r.stderr).toMatch(/not valid JSON at line 1/);
    expect(r.stderr).not.toContain("s3cret");
  });
});

describe("secrets unset", () => {
  it("removes one key: its line, mac and lastmodified change, nothing else", async () => {
    repo.commit("before unset");
    await pastLastModified(repo.read(FILE));
    const r = runSecrets(["unset", FILE, '["key0010"]'], { env: repo.env(), cwd: repo.dir });
    expect(r.stderr).toBe("");
    const { removed, added } = diffLines(repo, FILE);
    expect(removed.map((l) => keyOf(l))).toEqual(["-key0010", "-lastmodified", "-mac"]);
    expect(added.map((l) => keyOf(l))).toEqual(["+lastmodified", "+mac"]);
    expect(decrypt()).not.toContain("key0010:");
  });

  it("a missing key fails with 1 (as sops), or succeeds unchanged with --idempotent", () => {
    const bytes = readFileSync(join(repo.dir, FILE));
    const r = runSecrets(["unset", FILE, '["nope"]'], { env: repo.env(), cwd: repo.dir });
    expect(r.code).toBe(1);
    const ok = runSecrets(["unset", "--idempotent", FILE, '["nope"]'], { env: repo.env(), cwd: repo.dir });
    expect(ok.code).toBe(0);
    expect(readFileSync(join(repo.dir, FILE)).equals(bytes)).toBe(true);
  });
});
