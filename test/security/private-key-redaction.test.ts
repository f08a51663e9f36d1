// Issue 12, item 3 — "Prints private keys": a private key given where a public recipient belongs (argv,
// SOPS_AGE_RECIPIENTS, an `age: |` block in .sops.yaml) is refused without being echoed, and nothing
// sealfile prints (errors, doctor, --debug) carries private key material or a token from the environment.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateX25519Identity, identityToRecipient } from "age-encryption";
import { baseEnv, runSecrets, tempHome } from "../helpers/cli.js";
import { rsaPem } from "../helpers/pem-keys.js";

const home = tempHome();
const dir = mkdtempSync(join(tmpdir(), "sealfile-redact-"));
afterAll(() => {
  home.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

let identity = "", recipient = "", keysTxt = "", sealed = "";
const plainFile = join(dir, "f.yaml");
const env = (extra: Record<string, string> = {}): Record<string, string> => baseEnv(home.dir, extra);

/** The bech32 body of the identity, in any case, or any 10-character run of it. */
function hasKey(text: string): boolean {
  const body = identity.slice("AGE-SECRET-KEY-1".length);
  const up = text.toUpperCase();
  for (let k = 0; k + 10 <= body.length; k++) if (up.includes(body.slice(k, k + 10))) return true;
  return false;
}

beforeAll(async () => {
  identity = await generateX25519Identity();
  recipient = await identityToRecipient(identity);
  // What `age-keygen -o keys.txt` writes, so `"$(cat keys.txt)"` is this text.
  keysTxt = `# created: 2025-01-01T00:00:00Z\n# public key: ${recipient}\n${identity}`;
  writeFileSync(plainFile, "password: hunter2\n");
  const r = runSecrets(["encrypt", "--age", recipient, plainFile], { env: env() });
  expect(r.code, r.stderr).toBe(0);
  sealed = join(dir, "s.enc.yaml");
  writeFileSync(sealed, r.stdout);
});

/** A folder whose .sops.yaml has `age: |` holding the whole keys.txt. */
function repoWithKeyInConfig(name: string): string {
  const d = join(dir, name);
  mkdirSync(d);
  writeFileSync(join(d, ".sops.yaml"), `creation_rules:\n  - age: |\n${keysTxt.split("\n").map((l) => `      ${l}`).join("\n")}\n`);
  writeFileSync(join(d, "f.yaml"), "password: hunter2\n");
  return d;
}

function expectRefusedWithoutKey(r: { code: number; stdout: string; stderr: string }): void {
  expect(r.code).toBe(1); // an invalid recipient exits 1, as in sops
  expect(r.stderr).toContain("looks like a private key");
  expect(r.stderr).toContain("age-keygen -y");
  expect(hasKey(r.stderr + r.stdout), r.stderr).toBe(false);
}

describe("issue 12, item 3: prints private keys", () => {
  it('--age "$(cat keys.txt)" is refused without echoing the key (also with --debug)', () => {
    expectRefusedWithoutKey(runSecrets(["encrypt", "--age", keysTxt, plainFile], { env: env() }));
    expectRefusedWithoutKey(runSecrets(["encrypt", "--debug", "--verbose", "--age", keysTxt, plainFile], { env: env() }));
    expectRefusedWithoutKey(runSecrets(["rotate", "--add-age", keysTxt, sealed], { env: env({ SOPS_AGE_KEY: identity }) }));
  });

  it("SOPS_AGE_RECIPIENTS holding keys.txt is refused without echoing the key", () => {
    expectRefusedWithoutKey(runSecrets(["encrypt", plainFile], { env: env({ SOPS_AGE_RECIPIENTS: keysTxt }) }));
  });

  it("an `age: |` block in .sops.yaml holding keys.txt is refused without echoing the key", () => {
    const d = repoWithKeyInConfig("cfg");
    expectRefusedWithoutKey(runSecrets(["encrypt", "f.yaml"], { env: env(), cwd: d }));
    expectRefusedWithoutKey(runSecrets(["encrypt", "--debug", "f.yaml"], { env: env(), cwd: d }));
  });

  it("PEM, OpenSSH and plugin private keys given as recipients of any kind are refused unechoed", () => {
    const rsa = rsaPem("pkcs1", 1024).privatePem;
    const body = rsa.split("\n")[3]!;
    const plugin = `AGE-PLUGIN-YUBIKEY-1${randomBytes(20).toString("hex").toUpperCase()}`;
    for (const [flag, key] of [["--age", rsa], ["--kms", rsa], ["--gcp-kms", rsa], ["--azure-kv", rsa], ["--age", `${recipient},${plugin}`], ["--gcp-kms", plugin]] as const) {
      const r = runSecrets(["encrypt", `${flag}=${key}`, plainFile], { env: env() });
      expect(r.code, `${flag}: ${r.stderr}`).not.toBe(0);
      // Azure URLs are checked when the flags are read, so that message is blanked rather than replaced.
      if (flag !== "--azure-kv") expect(r.stderr, flag).toContain("looks like a private key");
      else expect(r.stderr).toContain("[redacted private key]");
      expect(r.stderr, flag).not.toContain(body);
      expect(r.stderr.toUpperCase(), flag).not.toContain(plugin.slice(20, 40));
    }
  });

  it("doctor (text and --json) never prints a private key found in .sops.yaml", () => {
    const d = repoWithKeyInConfig("doctor");
    // Sealed for the key's own recipient, so doctor compares the file with the rule that holds the key.
    writeFileSync(join(d, "s.enc.yaml"), runSecrets(["encrypt", "--age", recipient, plainFile], { env: env() }).stdout);
    for (const extra of [[], ["--json"], ["--debug", "--verbose"]]) {
      const r = runSecrets(["doctor", ...extra, "s.enc.yaml"], { env: env({ SOPS_AGE_KEY: identity }), cwd: d });
      expect(r.stdout, extra.join(" ")).toContain("s.enc.yaml");
      expect(hasKey(r.stdout + r.stderr), r.stdout).toBe(false);
    }
  });

  it("a token from the environment is never printed, even when an argument quotes it (--debug too)", () => {
    const token = `tok${randomBytes(24).toString("hex")}`;
    const aws = randomBytes(30).toString("base64");
    for (const [name, value] of [["SEALFILE_AZURE_TOKEN", token], ["AWS_SECRET_ACCESS_KEY", aws], ["VAULT_TOKEN", `hvs.${token}`], ["SOPS_AGE_KEY", `${identity}\n# ${token}x`]] as const) {
      const keyFile = join(dir, "keys.txt");
      writeFileSync(keyFile, `${identity}\n`);
      const r = runSecrets(["decrypt", "--debug", "--extract", `["a"${value}`, sealed], { env: env({ SOPS_AGE_KEY_FILE: keyFile, [name]: value }) });
      expect(r.code, name).not.toBe(0);
      expect(r.stderr, name).toContain("invalid path");
      expect(r.stderr, name).not.toContain(value.split("\n").at(-1)!);
      expect(hasKey(r.stderr), name).toBe(false);
    }
  });
});
