// Issue 19, acceptance 2: HashiCorp Vault transit against a protocol-level fake on 127.0.0.1 — wrap and unwrap,
// errors, a hanging server timing out while another recipient opens the file, a 2-of-3 Shamir file over
// age + Vault + PGP that opens with any two, and the token sent only to an address the user trusts.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { baseEnv, tempHome } from "../helpers/cli.js";
import { SOPS_TEST_FP, SOPS_TEST_KEY, tempGnupgHome } from "../helpers/gnupg.js";
import { runInProcess } from "../helpers/in-process.js";
import { FakeVaultTransit } from "../fakes/vault-transit-server.js";
import { hasGpg, noteMissing } from "../helpers/tools.js";

noteMissing("gpg", hasGpg, "the Shamir file over age + Vault + PGP (it runs gpg)");

const home = tempHome();
const dir = mkdtempSync(join(tmpdir(), "sealfile-vault-"));
const gnupg = tempGnupgHome([SOPS_TEST_KEY]);
const noGnupg = tempGnupgHome();
const plain = join(dir, "plain.yaml");
const ageKeys = join(dir, "keys.txt");
let vault: FakeVaultTransit;
let other: FakeVaultTransit;
let ageRecipient = "";

beforeAll(async () => {
  vault = await FakeVaultTransit.start();
  other = await FakeVaultTransit.start();
  writeFileSync(plain, "db:\n    password: hunter2\n");
  const k = await runInProcess(["keygen", "-o", ageKeys], { env: baseEnv(home.dir) });
  expect(k.code).toBe(0);
  ageRecipient = k.stdout.trim();
});
afterAll(async () => {
  await vault.close();
  await other.close();
  gnupg.cleanup();
  noGnupg.cleanup();
  home.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const env = (extra: Record<string, string> = {}): Record<string, string> =>
  baseEnv(home.dir, { VAULT_ADDR: vault.url, VAULT_TOKEN: vault.token, SEALFILE_KEY_TIMEOUT_MS: "2000", GNUPGHOME: noGnupg.dir, ...extra });

async function sealFor(args: string[], extra: Record<string, string> = {}): Promise<string> {
  const r = await runInProcess(["encrypt", ...args, plain], { env: env(extra) });
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  const file = join(dir, `sealed-${Math.random().toString(36).slice(2)}.enc.yaml`);
  writeFileSync(file, r.stdout);
  return file;
}

describe("issue 19 acceptance 2: Vault transit wrap and unwrap", () => {
  it("encrypts for --hc-vault-transit, stores sops's fields, and decrypts through the server", async () => {
    const file = await sealFor(["--hc-vault-transit", vault.uri("app")]);
    const md = (parse(readFileSync(file, "utf8")) as { sops: { hc_vault: Array<Record<string, string>> } }).sops;
    expect(md.hc_vault).toHaveLength(1);
    const entry = md.hc_vault[0]!;
    expect(Object.keys(entry)).toEqual(["created_at", "enc", "engine_path", "key_name", "vault_address"]); // as sops writes it (sorted)
    expect(entry).toMatchObject({ vault_address: vault.url, engine_path: "transit", key_name: "app" });
    expect(entry.enc).toMatch(/^vault:v1:/);
    const before = vault.decrypts.get("app") ?? 0;
    const r = await runInProcess(["decrypt", file], { env: env() });
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("db:\n    password: hunter2\n");
    expect(vault.decrypts.get("app")).toBe(before + 1);
  });

  it("reads the token from ~/.vault-token when VAULT_TOKEN is unset", async () => {
    const file = await sealFor(["--hc-vault-transit", vault.uri("app")]);
    const h = mkdtempSync(join(tmpdir(), "sealfile-vault-home-"));
    writeFileSync(join(h, ".vault-token"), `${vault.token}\n`);
    const e = { ...env(), HOME: h };
    delete (e as Record<string, string | undefined>).VAULT_TOKEN;
    const r = await runInProcess(["decrypt", file], { env: e });
    rmSync(h, { recursive: true, force: true });
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("hunter2");
  });

  it("a refused token gives Vault's own error, naming the key", async () => {
    const file = await sealFor(["--hc-vault-transit", vault.uri("app")]);
    const r = await runInProcess(["decrypt", file], { env: env({ VAULT_TOKEN: "hvs.wrong" }) });
    expect(r.code).toBe(128);
    expect(r.stderr).toContain(`hc_vault ${vault.uri("app")}`);
    expect(r.stderr).toContain("HTTP 403: permission denied");
    expect(r.stderr).not.toContain("hvs.wrong");
  });

  it("a server that never answers times out with a clear error, and the age recipient still opens the file", async () => {
    const file = await sealFor(["--hc-vault-transit", vault.uri("app"), "--age", ageRecipient]);
    vault.mode = "hang";
    try {
      const order = { SOPS_DECRYPTION_ORDER: "hc_vault,age", SEALFILE_KEY_TIMEOUT_MS: "300" };
      const opened = await runInProcess(["decrypt", file], { env: env({ ...order, SOPS_AGE_KEY_FILE: ageKeys }) });
      expect(opened.stderr).toBe("");
      expect(opened.stdout).toBe("db:\n    password: hunter2\n");
      const failed = await runInProcess(["decrypt", file], { env: env(order) });
      expect(failed.code).toBe(128);
      expect(failed.stderr).toMatch(new RegExp(`hc_vault ${vault.uri("app")}: timed out after 300 ms`));
    } finally {
      vault.mode = "ok";
    }
  }, 30_000);
});

describe("issue 19: the Vault token goes only to an address the user trusts", () => {
  it("a file naming another Vault is refused before any request, unless SOPS_HC_VAULT_ALLOWLIST allows it", async () => {
    // written by someone who controls `other`, for a reader whose own Vault is `vault`
    const file = await sealFor(["--hc-vault-transit", other.uri("app")], { VAULT_ADDR: other.url, VAULT_TOKEN: other.token });
    const seen = other.tokensSeen.length;
    const r = await runInProcess(["decrypt", file], { env: env() });
    expect(r.code).toBe(128);
    expect(r.stderr).toContain("is not VAULT_ADDR");
    expect(other.tokensSeen.length).toBe(seen);
    const listed = await runInProcess(["decrypt", file], { env: env({ VAULT_TOKEN: other.token, SOPS_HC_VAULT_ALLOWLIST: `${other.url}/` }) });
    expect(listed.stderr).toBe("");
    expect(listed.stdout).toContain("hunter2");
    const none = await runInProcess(["decrypt", file], { env: env({ VAULT_ADDR: other.url, VAULT_TOKEN: other.token, SOPS_HC_VAULT_ALLOWLIST: "none" }) });
    expect(none.stderr).toContain("SOPS_HC_VAULT_ALLOWLIST");
    expect(other.tokensSeen.length).toBe(seen + 1);
  });

  it("encrypting for an untrusted address fails without sending the token", async () => {
    const seen = other.tokensSeen.length;
    const r = await runInProcess(["encrypt", "--hc-vault-transit", other.uri("app"), plain], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("is not VAULT_ADDR");
    expect(other.tokensSeen.length).toBe(seen);
  });

  it("a malformed transit URI is refused", async () => {
    const r = await runInProcess(["encrypt", "--hc-vault-transit", `${vault.url}/transit/app`, plain], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("is not a Vault transit key URI");
  });
});

describe.skipIf(!hasGpg)("issue 19 acceptance 2: 2-of-3 Shamir over age + Vault + PGP", () => {
  it("opens with any two of the three and not with one", async () => {
    const repo = join(dir, "repo");
    mkdirSync(repo, { recursive: true });
    writeFileSync(
      join(repo, ".sops.yaml"),
      ["creation_rules:", "  - shamir_threshold: 2", "    key_groups:", `      - age: [${ageRecipient}]`, `      - hc_vault: [${vault.uri("shamir")}]`, `      - pgp: [${SOPS_TEST_FP}]`, ""].join("\n"),
    );
    writeFileSync(join(repo, "s.yaml"), "db:\n    password: hunter2\n");
    const enc = await runInProcess(["encrypt", "-i", join(repo, "s.yaml")], { env: env({ GNUPGHOME: gnupg.dir }), cwd: repo });
    expect(enc.stderr).toBe("");
    expect(enc.code).toBe(0);
    const md = (parse(readFileSync(join(repo, "s.yaml"), "utf8")) as { sops: { key_groups: unknown[]; shamir_threshold: number } }).sops;
    expect(md.key_groups).toHaveLength(3);
    expect(md.shamir_threshold).toBe(2);
    const file = join(repo, "s.yaml");
    const age = { SOPS_AGE_KEY_FILE: ageKeys };
    const noVault = { VAULT_TOKEN: "hvs.not-this-one" };
    const pgp = { GNUPGHOME: gnupg.dir };
    for (const [label, extra] of [
      ["age + Vault", { ...age }],
      ["age + PGP", { ...age, ...noVault, ...pgp }],
      ["Vault + PGP", { ...pgp }],
    ] as const) {
      const r = await runInProcess(["decrypt", file], { env: env(extra) });
      expect(r.stderr, label).toBe("");
      expect(r.stdout, label).toBe("db:\n    password: hunter2\n");
    }
    const one = await runInProcess(["decrypt", file], { env: env({ ...noVault, ...pgp }) });
    expect(one.code).toBe(128);
    expect(one.stderr).toContain("only 1 of the 2 key groups needed");
  });
});
