// Issue 19 item 4: PGP and Vault recipients in named recipients, updatekeys, rotate and revoke.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { FIXTURES, baseEnv, tempHome } from "../helpers/cli.js";
import { SOPS_TEST_FP, SOPS_TEST_KEY, tempGnupgHome } from "../helpers/gnupg.js";
import { runInProcess } from "../helpers/in-process.js";
import { FakeVaultTransit } from "../fakes/vault-transit-server.js";
import { hasGpg, noteMissing } from "../helpers/tools.js";

noteMissing("gpg", hasGpg, "PGP and Vault recipients outside encrypt (they run gpg)");

const home = tempHome();
const gnupg = tempGnupgHome([SOPS_TEST_KEY]);
const dir = mkdtempSync(join(tmpdir(), "sealfile-pgpvault-"));
const ageKeys = join(dir, "keys.txt");
let vault: FakeVaultTransit;
let ageRecipient = "";

beforeAll(async () => {
  vault = await FakeVaultTransit.start();
  const k = await runInProcess(["keygen", "-o", ageKeys], { env: baseEnv(home.dir) });
  ageRecipient = k.stdout.trim();
});
afterAll(async () => {
  await vault.close();
  gnupg.cleanup();
  home.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const env = (extra: Record<string, string> = {}): Record<string, string> =>
  baseEnv(home.dir, { GNUPGHOME: gnupg.dir, VAULT_ADDR: vault.url, VAULT_TOKEN: vault.token, SOPS_AGE_KEY_FILE: ageKeys, ...extra });

type Md = { sops: { age?: Array<{ recipient: string }>; pgp?: Array<{ fp: string }>; hc_vault?: Array<{ key_name: string }> } };
const mdOf = (path: string): Md["sops"] => (parse(readFileSync(path, "utf8")) as Md).sops;

function repo(config: string[]): string {
  const r = mkdtempSync(join(dir, "repo-"));
  writeFileSync(join(r, ".sops.yaml"), `${config.join("\n")}\n`);
  writeFileSync(join(r, "s.yaml"), "db:\n    password: hunter2\n");
  return r;
}

describe.skipIf(!hasGpg)("issue 19: PGP and Vault recipients outside encrypt", () => {
  it("named recipients stand for a PGP fingerprint and a Vault key in the rule's pgp and hc_vault_transit_uri lists", async () => {
    const r = repo(["recipients:", `  ops: ${SOPS_TEST_FP}`, `  vault: ${vault.uri("named")}`, "creation_rules:", "  - pgp: ops", "    hc_vault_transit_uri: vault", `    age: ${ageRecipient}`]);
    const enc = await runInProcess(["encrypt", "-i", join(r, "s.yaml")], { env: env(), cwd: r });
    expect(enc.stderr).toBe("");
    const md = mdOf(join(r, "s.yaml"));
    expect(md.pgp?.map((k) => k.fp)).toEqual([SOPS_TEST_FP]);
    expect(md.hc_vault?.map((k) => k.key_name)).toEqual(["named"]);
  });

  it("updatekeys adds a PGP and a Vault recipient the rule names, keeping the data key; gpg and Vault then open it", async () => {
    const r = repo(["creation_rules:", `  - age: ${ageRecipient}`]);
    const file = join(r, "s.yaml");
    expect((await runInProcess(["encrypt", "-i", file], { env: env(), cwd: r })).code).toBe(0);
    writeFileSync(join(r, ".sops.yaml"), ["creation_rules:", `  - age: ${ageRecipient}`, `    pgp: ${SOPS_TEST_FP}`, `    hc_vault_transit_uri: ${vault.uri("upd")}`, ""].join("\n"));
    const up = await runInProcess(["updatekeys", "-y", file], { env: env(), cwd: r });
    expect(up.code).toBe(0);
    const md = mdOf(file);
    expect(md.pgp?.map((k) => k.fp)).toEqual([SOPS_TEST_FP]);
    expect(md.hc_vault?.map((k) => k.key_name)).toEqual(["upd"]);
    const viaPgp = await runInProcess(["decrypt", file], { env: env({ SOPS_AGE_KEY_FILE: join(dir, "none.txt"), VAULT_TOKEN: "hvs.no" }), cwd: r });
    expect(viaPgp.stdout).toBe("db:\n    password: hunter2\n");
    const viaVault = await runInProcess(["decrypt", file], { env: env({ SOPS_AGE_KEY_FILE: join(dir, "none.txt"), GNUPGHOME: join(dir, "no-gnupg") }), cwd: r });
    expect(viaVault.stdout).toBe("db:\n    password: hunter2\n");
  });

  it("rotate re-wraps a PGP-only sops file for its PGP key (it used to refuse)", async () => {
    const r = mkdtempSync(join(dir, "rot-"));
    const file = join(r, "format.enc.yaml");
    writeFileSync(file, readFileSync(join(FIXTURES, "pgp/format.enc.yaml")));
    const before = mdOf(file).pgp;
    const rot = await runInProcess(["rotate", "-i", file], { env: env(), cwd: r });
    expect(rot.stderr).toBe("rotated format.enc.yaml\n");
    expect(rot.code).toBe(0);
    const after = mdOf(file).pgp;
    expect(after?.map((k) => k.fp)).toEqual([SOPS_TEST_FP]);
    expect(after).not.toEqual(before);
    const dec = await runInProcess(["decrypt", "--output-type", "json", file], { env: env(), cwd: r });
    expect(JSON.parse(dec.stdout)).toEqual(JSON.parse(readFileSync(join(FIXTURES, "modern/expected/format.enc.yaml.values.json"), "utf8")));
  });

  it("revoke removes a PGP fingerprint from .sops.yaml and from the files", async () => {
    const r = repo(["creation_rules:", `  - age: ${ageRecipient}`, `    pgp: ${SOPS_TEST_FP}`]);
    mkdirSync(join(r, "sub"));
    const file = join(r, "s.yaml");
    expect((await runInProcess(["encrypt", "-i", file], { env: env(), cwd: r })).code).toBe(0);
    expect(mdOf(file).pgp).toHaveLength(1);
    const rev = await runInProcess(["revoke", SOPS_TEST_FP.toLowerCase(), "-y"], { env: env(), cwd: r });
    expect(rev.stderr).not.toContain("error");
    expect(rev.code).toBe(0);
    expect(readFileSync(join(r, ".sops.yaml"), "utf8")).not.toContain(SOPS_TEST_FP);
    expect(mdOf(file).pgp ?? []).toEqual([]);
  });
});
