// Issue 12, item 4: a file, `.sops.yaml` or flag cannot send a cloud token to a host of its choosing. Cloud key
// locations are checked against the provider's own shapes and domains before any credential or request, and the
// Azure fake is reached only through an environment variable the tests set (SEALFILE_TEST_AZURE_KV_ENDPOINT).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { baseEnv, runSecrets, runSecretsAsync, tempHome } from "../helpers/cli.js";
import { FakeAzureKeyVault } from "../fakes/azure-kv-server.js";

const AZURE_CANARY = "azure-canary-token-must-stay-home";
const AWS_CANARY = "aws-canary-secret-must-stay-home";
const GCP_CANARY = "ya29.gcp-canary-token-must-stay-home";
const CANARIES = [AZURE_CANARY, AWS_CANARY, GCP_CANARY];

const home = tempHome();
const dir = mkdtempSync(join(tmpdir(), "sealfile-endpoints-"));
/** A file sealed for an age key the decrypting process does not have, so only the cloud entries can open it. */
let sealed = "";

let server: Server;
/** Records every connection and request, and answers like a Key Vault (a bearer challenge) to draw a token out. */
const listener: { port: number; connections: number; seen: string[] } = { port: 0, connections: 0, seen: [] };

beforeAll(async () => {
  server = createServer((req, res) => {
    listener.seen.push(`${req.method} ${req.url} ${JSON.stringify(req.headers)}`);
    req.on("data", (c: Buffer) => listener.seen.push(c.toString("latin1")));
    req.on("end", () => {
      res.writeHead(401, { "www-authenticate": 'Bearer authorization="https://login.microsoftonline.com/x", resource="https://vault.azure.net"' });
      res.end();
    });
  });
  server.on("connection", () => listener.connections++);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  listener.port = (server.address() as AddressInfo).port;

  const keys = join(dir, "keys.txt");
  const k = runSecrets(["keygen", "-o", keys], { env: baseEnv(home.dir) });
  expect(k.code).toBe(0);
  const plain = join(dir, "plain.yaml");
  writeFileSync(plain, "password: canary-value\n");
  const r = runSecrets(["encrypt", "--age", k.stdout.trim(), plain], { env: baseEnv(home.dir) });
  expect(r.code).toBe(0);
  sealed = r.stdout;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  home.cleanup();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  listener.connections = 0;
  listener.seen.length = 0;
});

function env(extra: Record<string, string> = {}): Record<string, string> {
  return baseEnv(home.dir, {
    SEALFILE_AZURE_TOKEN: AZURE_CANARY,
    AWS_ACCESS_KEY_ID: "AKIACANARY0000000000",
    AWS_SECRET_ACCESS_KEY: AWS_CANARY,
    AWS_CONFIG_FILE: join(home.dir, "no-aws-config"),
    AWS_SHARED_CREDENTIALS_FILE: join(home.dir, "no-aws-credentials"),
    AWS_EC2_METADATA_DISABLED: "true",
    GOOGLE_OAUTH_ACCESS_TOKEN: GCP_CANARY,
    METADATA_SERVER_DETECTION: "none",
    SEALFILE_KEY_TIMEOUT_MS: "3000",
    ...extra,
  });
}

let n = 0;
/** The sealed file with `entry` (YAML lines under `sops:`) added; the MAC does not cover key entries. */
function withEntry(entry: string[]): string {
  const p = join(dir, `${++n}.enc.yaml`);
  writeFileSync(p, sealed.replace(/^sops:\n/m, `sops:\n${entry.map((l) => `    ${l}`).join("\n")}\n`));
  return p;
}

function azureEntry(vaultUrl: string): string[] {
  return ["azure_kv:", `    - vault_url: ${JSON.stringify(vaultUrl)}`, "      name: k", "      version: v1", '      created_at: "2026-01-01T00:00:00Z"', "      enc: ZmFrZQ"];
}

function expectNothingSent(r: { stdout: string; stderr: string }): void {
  expect(listener.connections, listener.seen.join("\n")).toBe(0);
  for (const c of CANARIES) expect(r.stderr + r.stdout).not.toContain(c);
}

const L = (): string => `127.0.0.1:${listener.port}`;

describe("item 4: cloud endpoints from files are checked before any credential or request", () => {
  it("an azure_kv vault_url off the Key Vault domains gets no request and no token, and the error names it", async () => {
    const hostile = [
      `http://${L()}`,
      "https://vault.evil.example",
      `https://${L()}`,
      "https://evil.example",
      `https://x.vault.azure.net@${L()}`,
      `http://x.vault.azure.net@${L()}`,
      "https://x.vault.azure.net.evil.example",
      "https://x.vault.azure.net:8443",
      "http://x.vault.azure.net",
    ];
    for (const url of hostile) {
      const r = await runSecretsAsync(["decrypt", withEntry(azureEntry(url))], { env: env(), timeoutMs: 60_000 });
      expectNothingSent(r);
      expect(r.code, url).not.toBe(0);
      expect(r.stderr, url).toContain(`"${url}" is not an Azure Key Vault endpoint`);
    }
  });

  it("a .sops.yaml azure_keyvault URL off the Key Vault domains is refused before encrypting", async () => {
    const repo = mkdtempSync(join(dir, "repo-"));
    writeFileSync(join(repo, "a.yaml"), "password: canary-value\n");
    for (const url of [`http://${L()}/keys/k`, `https://x.vault.azure.net@${L()}/keys/k`, "https://vault.evil.example/keys/k"]) {
      writeFileSync(join(repo, ".sops.yaml"), `creation_rules:\n  - azure_keyvault: ${url}\n`);
      const r = await runSecretsAsync(["encrypt", "a.yaml"], { env: env(), cwd: repo, timeoutMs: 60_000 });
      expectNothingSent(r);
      expect(r.code, url).toBe(1); // an invalid recipient in .sops.yaml exits 1, as in sops
      expect(r.stderr, url).toMatch(/is not an Azure Key Vault endpoint/);
    }
  });

  it("the test-only endpoint variable reaches the fake for a real vault URL, with the challenge check on", async () => {
    const fake = await FakeAzureKeyVault.start();
    try {
      const version = fake.addKeyVersion("k");
      const vault = "https://sealfile-sec.vault.azure.net";
      const seam = { SEALFILE_TEST_AZURE_KV_ENDPOINT: fake.url };
      const plain = join(dir, "az-plain.yaml");
      writeFileSync(plain, "password: canary-value\n");
      const enc = await runSecretsAsync(["encrypt", "--azure-kv", `${vault}/keys/k`, plain], { env: env(seam), timeoutMs: 60_000 });
      expect(enc.stderr).toBe("");
      expect(enc.stdout).toContain(`vault_url: ${vault}`);
      const file = join(dir, "az.enc.yaml");
      writeFileSync(file, enc.stdout);
      const dec = await runSecretsAsync(["decrypt", file], { env: env(seam), timeoutMs: 60_000 });
      expect(dec.stdout).toBe("password: canary-value\n");
      expect(fake.unwraps.get("k")).toBe(1);
      expect(fake.requests).toContain(`POST /keys/k/${version}/unwrapkey`);
      // without the variable the same file goes nowhere near the fake
      const before = fake.challenges + fake.requests.length;
      const off = await runSecretsAsync(["decrypt", file], { env: env({ SEALFILE_KEY_TIMEOUT_MS: "1000", SEALFILE_KEY_ATTEMPTS: "1" }), timeoutMs: 60_000 });
      expect(off.code).not.toBe(0);
      expect(fake.challenges + fake.requests.length).toBe(before);
    } finally {
      await fake.close();
    }
  });

  it("a kms ARN or role that is not AWS's exact shape is refused before any request (even to AWS_ENDPOINT_URL_KMS)", async () => {
    const endpoint = { AWS_ENDPOINT_URL_KMS: `http://${L()}`, AWS_ENDPOINT_URL_STS: `http://${L()}` };
    const cases: [string, string][] = [
      ["arn:aws:kms:evil.example/x:111122223333:key/k", ""],
      ["arn:aws:kms:eu-west-1.evil.example:111122223333:key/k", ""],
      ["arn:aws:kms:eu-west-1:111122223333:key/k?x=1", ""],
      ["arn:aws:kms:eu-west-1:111122223333:key/k", "arn:aws:iam::evil.example:role/r"],
    ];
    for (const [arn, role] of cases) {
      const entry = ["kms:", `    - arn: ${JSON.stringify(arn)}`, ...(role ? [`      role: ${JSON.stringify(role)}`] : []), '      created_at: "2026-01-01T00:00:00Z"', "      enc: AQICAHhmYWtl", '      aws_profile: ""'];
      const r = await runSecretsAsync(["decrypt", withEntry(entry)], { env: env(endpoint), timeoutMs: 60_000 });
      expectNothingSent(r);
      expect(r.code, arn).not.toBe(0);
      expect(r.stderr, arn).toContain(`"${role || arn}" is not an ${role ? "IAM role ARN" : "AWS KMS key ARN"}`);
    }
    const flag = await runSecretsAsync(["encrypt", "--kms", "arn:aws:kms:evil.example/x:111122223333:key/k", join(dir, "plain.yaml")], { env: env(endpoint), timeoutMs: 60_000 });
    expect(flag.code).toBe(1); // an invalid recipient exits 1, as in sops
    expect(flag.stderr).toContain("is not an AWS KMS key ARN");
    expectNothingSent(flag);
  });

  it("a gcp_kms resource_id that is not projects/*/locations/*/keyRings/*/cryptoKeys/* is refused before any request", async () => {
    const endpoint = { SOPS_GCP_KMS_ENDPOINT: L(), SOPS_GCP_KMS_CLIENT_TYPE: "rest" };
    const ids = [
      "projects/p/locations/global/keyRings/r/cryptoKeys/k/../../../../../x",
      "projects/p/locations/global/keyRings/r/cryptoKeys/k?alt=media",
      "//evil.example/projects/p/locations/global/keyRings/r/cryptoKeys/k",
      "projects/p/locations/global/keyRings/r/cryptoKeys/k@evil.example",
    ];
    for (const id of ids) {
      const entry = ["gcp_kms:", `    - resource_id: ${JSON.stringify(id)}`, '      created_at: "2026-01-01T00:00:00Z"', "      enc: CiQAZmFrZQ=="];
      const r = await runSecretsAsync(["decrypt", withEntry(entry)], { env: env(endpoint), timeoutMs: 60_000 });
      expectNothingSent(r);
      expect(r.code, id).not.toBe(0);
      expect(r.stderr, id).toContain(`"${id}" is not a Cloud KMS key`);
    }
  });
});
