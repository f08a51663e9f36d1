// Issue 19 item 4: `doctor FILE` reports PGP recipients (secret key in the GnuPG home or SEALFILE_PGP_KEY_FILE, and
// opens the file with it) and Vault recipients (token visible; an address the user does not trust is named as such).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FIXTURES, baseEnv, tempHome } from "../helpers/cli.js";
import { SOPS_TEST_FP, SOPS_TEST_KEY, tempGnupgHome } from "../helpers/gnupg.js";
import { runInProcess } from "../helpers/in-process.js";
import { hasGpg, noteMissing } from "../helpers/tools.js";

noteMissing("gpg", hasGpg, "doctor's PGP checks (they run gpg)");

const home = tempHome();
const withKey = tempGnupgHome([SOPS_TEST_KEY]);
const empty = tempGnupgHome();
const dir = mkdtempSync(join(tmpdir(), "sealfile-doctor19-"));
afterAll(() => {
  withKey.cleanup();
  empty.cleanup();
  home.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

interface Report {
  file: { recipients: Array<{ kind: string; id: string; state: string; usable: boolean; why: string }>; opened: boolean; mac: { state: string } };
}

async function doctor(file: string, extra: Record<string, string>): Promise<{ code: number; report: Report }> {
  const r = await runInProcess(["doctor", file, "--json"], { env: baseEnv(home.dir, extra), cwd: dir });
  return { code: r.code, report: JSON.parse(r.stdout) as Report };
}

describe("issue 19: doctor knows PGP and Vault recipients", () => {
  it.skipIf(!hasGpg)("a PGP recipient whose secret key is in the GnuPG home matches, and the file opens with it", async () => {
    const { code, report } = await doctor(join(FIXTURES, "pgp/format.enc.yaml"), { GNUPGHOME: withKey.dir });
    expect(code).toBe(0);
    expect(report.file.recipients).toEqual([expect.objectContaining({ kind: "pgp", id: SOPS_TEST_FP, state: "matches", usable: true })]);
    expect(report.file.mac.state).toBe("verified");
  });

  it.skipIf(!hasGpg)("without the secret key it says where it looked", async () => {
    const { code, report } = await doctor(join(FIXTURES, "pgp/format.enc.yaml"), { GNUPGHOME: empty.dir });
    expect(code).toBe(128);
    expect(report.file.recipients[0]).toMatchObject({ kind: "pgp", state: "no-match", usable: false });
    expect(report.file.recipients[0]!.why).toContain(empty.dir);
  });

  it("a Vault recipient at an address other than VAULT_ADDR is reported as refused; at VAULT_ADDR with a token, as usable", async () => {
    const text = readFileSync(join(FIXTURES, "pgp/format.enc.yaml"), "utf8").replace(
      /^sops:\n/m,
      ["sops:", "    hc_vault:", "        - vault_address: https://vault.attacker.example:8200", "          engine_path: transit", "          key_name: k", '          created_at: "2026-01-01T00:00:00Z"', "          enc: vault:v1:fake", ""].join("\n"),
    );
    const file = join(dir, "vault.enc.yaml");
    writeFileSync(file, text);
    const refused = await doctor(file, { GNUPGHOME: empty.dir, VAULT_ADDR: "https://vault.example.com:8200", VAULT_TOKEN: "hvs.x" });
    const vault = refused.report.file.recipients.find((r) => r.kind === "hc_vault");
    expect(vault).toMatchObject({ state: "failed", usable: false, id: "https://vault.attacker.example:8200/v1/transit/keys/k" });
    expect(vault!.why).toContain("is not VAULT_ADDR");
    const trusted = await doctor(file, { GNUPGHOME: empty.dir, VAULT_ADDR: "https://vault.attacker.example:8200", VAULT_TOKEN: "hvs.x" });
    expect(trusted.report.file.recipients.find((r) => r.kind === "hc_vault")).toMatchObject({ state: "credentials-visible", usable: true });
  });
});
