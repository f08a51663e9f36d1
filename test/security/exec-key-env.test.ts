// Issue 12, item 7 — "Hands key material to children": `secrets exec` does not pass the variables that
// hold sealfile's own key material (SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, SOPS_AGE_KEY_CMD,
// SOPS_AGE_SSH_PRIVATE_KEY_FILE, SOPS_AGE_SSH_PRIVATE_KEY_CMD, SEALFILE_*_TOKEN) to the child, unless
// --keep-key-env. The application's own cloud credentials are passed on.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateX25519Identity, identityToRecipient } from "age-encryption";
import { baseEnv, runSecrets, tempHome } from "../helpers/cli.js";

const home = tempHome();
const dir = mkdtempSync(join(tmpdir(), "sealfile-exec-keyenv-"));
afterAll(() => {
  home.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const KEY_VARS = ["SOPS_AGE_KEY", "SOPS_AGE_KEY_FILE", "SOPS_AGE_KEY_CMD", "SOPS_AGE_SSH_PRIVATE_KEY_FILE", "SOPS_AGE_SSH_PRIVATE_KEY_CMD", "SEALFILE_AZURE_TOKEN", "SEALFILE_VAULT_TOKEN"];
const APP_VARS = ["AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "VAULT_TOKEN", "GOOGLE_OAUTH_ACCESS_TOKEN"];
let sealed = "", keyEnv: Record<string, string> = {};
const PRINT_ENV = [process.execPath, "-e", "process.stdout.write(JSON.stringify(process.env))"];

beforeAll(async () => {
  const id = await generateX25519Identity();
  const keys = join(dir, "keys.txt");
  writeFileSync(keys, `${id}\n`);
  const plain = join(dir, "app.env");
  writeFileSync(plain, "DB_PASSWORD=hunter2\n");
  const r = runSecrets(["encrypt", "--age", await identityToRecipient(id), plain], { env: baseEnv(home.dir) });
  expect(r.code, r.stderr).toBe(0);
  sealed = join(dir, "app.enc.env");
  writeFileSync(sealed, r.stdout);
  // SOPS_AGE_KEY alone opens the file; the other key variables point at harmless places.
  keyEnv = {
    SOPS_AGE_KEY: id,
    SOPS_AGE_KEY_FILE: join(dir, "none.txt"),
    SOPS_AGE_KEY_CMD: "true",
    SOPS_AGE_SSH_PRIVATE_KEY_FILE: join(dir, "no_id"),
    SOPS_AGE_SSH_PRIVATE_KEY_CMD: "true",
    SEALFILE_AZURE_TOKEN: "azure-token-value",
    SEALFILE_VAULT_TOKEN: "vault-token-value",
    AWS_SECRET_ACCESS_KEY: "aws-secret",
    AWS_SESSION_TOKEN: "aws-session",
    VAULT_TOKEN: "vault-app-token",
    GOOGLE_OAUTH_ACCESS_TOKEN: "ya29.app",
  };
});

function childEnv(extraArgs: string[]): Record<string, string> {
  const r = runSecrets(["exec", ...extraArgs, "-f", sealed, "--", ...PRINT_ENV], { env: baseEnv(home.dir, keyEnv) });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, string>;
}

describe("issue 12, item 7: hands key material to children", () => {
  it("the child gets the secrets but none of sealfile's key variables by default", () => {
    const env = childEnv([]);
    expect(env.DB_PASSWORD).toBe("hunter2");
    for (const name of KEY_VARS) expect(env[name], name).toBeUndefined();
    for (const name of APP_VARS) expect(env[name], name).toBe(keyEnv[name]);
  });

  it("--keep-key-env passes them on", () => {
    const env = childEnv(["--keep-key-env"]);
    expect(env.DB_PASSWORD).toBe("hunter2");
    for (const name of KEY_VARS) expect(env[name], name).toBe(keyEnv[name]);
  });

  it("--keep-key-env is in exec's --help", () => {
    const r = runSecrets(["exec", "--help"], { env: baseEnv(home.dir) });
    expect(r.stdout).toContain("--keep-key-env");
  });
});
