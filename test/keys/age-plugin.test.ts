// Issue 19, acceptance 3: age plugins — a recipient `age1test1…` wrapped and an identity `AGE-PLUGIN-TEST-1…` opened
// through the age plugin protocol by running `age-plugin-test` (test/helpers/age-plugin-test.mjs) from PATH; a
// plugin asking for a PIN; a missing plugin program named in the error.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { AgeKey } from "../../src/keys/age.js";
import { makeKeyContext } from "../../src/ops/key-context.js";
import { ROOT, baseEnv, tempHome } from "../helpers/cli.js";
import { runInProcess } from "../helpers/in-process.js";

const home = tempHome();
const dir = mkdtempSync(join(tmpdir(), "sealfile-plugin-"));
const bin = join(dir, "bin");
const plugin = join(ROOT, "test/helpers/age-plugin-test.mjs");
const keys = join(dir, "keys.txt");
const plain = join(dir, "plain.yaml");
let recipient = "";

beforeAll(() => {
  spawnSync("mkdir", ["-p", bin]);
  writeFileSync(join(bin, "age-plugin-test"), `#!/bin/sh\nexec "${process.execPath}" "${plugin}" "$@"\n`);
  chmodSync(join(bin, "age-plugin-test"), 0o755);
  const g = spawnSync(process.execPath, [plugin, "--generate"], { encoding: "utf8" });
  expect(g.status).toBe(0);
  writeFileSync(keys, g.stdout);
  recipient = /# recipient: (\S+)/.exec(g.stdout)?.[1] ?? "";
  expect(recipient).toMatch(/^age1test1/);
  writeFileSync(plain, "db:\n    password: hunter2\n");
});
afterAll(() => {
  home.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const withPlugin = (extra: Record<string, string> = {}): Record<string, string> => baseEnv(home.dir, { PATH: `${bin}:${process.env.PATH ?? ""}`, ...extra });
const withoutPlugin = (extra: Record<string, string> = {}): Record<string, string> => baseEnv(home.dir, extra);

async function sealed(): Promise<string> {
  const r = await runInProcess(["encrypt", "--age", recipient, plain], { env: withPlugin() });
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return r.stdout;
}

describe("issue 19 acceptance 3: age plugin recipients and identities", () => {
  it("encrypts for age1test1… through the plugin and decrypts with AGE-PLUGIN-TEST-1… through the plugin", async () => {
    const text = await sealed();
    const entry = (parse(text) as { sops: { age: Array<{ recipient: string; enc: string }> } }).sops.age[0]!;
    expect(entry.recipient).toBe(recipient);
    const header = Buffer.from(entry.enc.replace(/-----[A-Z ]+-----/g, "").replace(/\s/g, ""), "base64").toString("latin1");
    expect(header).toMatch(/^-> test [0-9a-f]{8}$/m); // the plugin's own stanza, not X25519
    const file = join(dir, "s.enc.yaml");
    writeFileSync(file, text);
    const r = await runInProcess(["decrypt", file], { env: withPlugin({ SOPS_AGE_KEY_FILE: keys }) });
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("db:\n    password: hunter2\n");
    // another plugin identity of the same plugin does not open it
    const g = spawnSync(process.execPath, [plugin, "--generate"], { encoding: "utf8" });
    const otherKeys = join(dir, "other.txt");
    writeFileSync(otherKeys, g.stdout);
    const denied = await runInProcess(["decrypt", file], { env: withPlugin({ SOPS_AGE_KEY_FILE: otherKeys }) });
    expect(denied.code).toBe(128);
    expect(denied.stderr).toContain(`age ${recipient}`);
  });

  it("a missing plugin program is named, on encrypt and on decrypt", async () => {
    const enc = await runInProcess(["encrypt", "--age", recipient, plain], { env: withoutPlugin() });
    expect(enc.code).toBe(1);
    expect(enc.stderr).toContain("age plugin program age-plugin-test was not found in PATH");
    const file = join(dir, "s2.enc.yaml");
    writeFileSync(file, await sealed());
    const dec = await runInProcess(["decrypt", file], { env: withoutPlugin({ SOPS_AGE_KEY_FILE: keys }) });
    expect(dec.code).toBe(128);
    expect(dec.stderr).toContain("age-plugin-test was not found in PATH");
  });

  it("a plugin that asks for a PIN gets it from the terminal prompt; a wrong PIN or no terminal fails clearly", async () => {
    const entry = (parse(await sealed()) as { sops: { age: Array<Record<string, string>> } }).sops.age[0]!;
    const env = withPlugin({ SOPS_AGE_KEY_FILE: keys, AGE_PLUGIN_TEST_PIN: "4711" });
    const prompts: string[] = [];
    const ok = await AgeKey.fromMetadata(entry).decrypt(makeKeyContext(env, { promptPassphrase: (p) => (prompts.push(p), Promise.resolve("4711")) }));
    expect(ok.ok).toBe(true);
    expect(prompts).toEqual(["Enter the test PIN: "]);
    const wrong = await AgeKey.fromMetadata(entry).decrypt(makeKeyContext(env, { promptPassphrase: () => Promise.resolve("0000") }));
    expect(wrong).toMatchObject({ ok: false, reason: expect.stringContaining("wrong PIN") });
    const noTty = await AgeKey.fromMetadata(entry).decrypt(makeKeyContext(env, { promptPassphrase: false }));
    expect(noTty.ok).toBe(false);
  });
});
