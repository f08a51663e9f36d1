// Acceptance (issue 3): cloud KMS recipients through the real CLI, each SDK talking to a protocol fake on 127.0.0.1.
// The CLI is a child process pointed at the fakes through environment variables only; it runs asynchronously so
// the fakes (served from this process) keep answering.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { spawn } from "node:child_process";
import { baseEnv, ROOT, runSecrets, runSecretsAsync, tempHome } from "../helpers/cli.js";
import { runInProcess } from "../helpers/in-process.js";
import { FakeAwsServer } from "../fakes/aws-kms-server.js";
import { FakeGcpKms } from "../fakes/gcp-kms-server.js";
import { FakeAzureKeyVault } from "../fakes/azure-kv-server.js";

const ARN = "arn:aws:kms:eu-west-1:111122223333:key/0f1e2d3c-cli-acceptance";
const ROLE = "arn:aws:iam::111122223333:role/ci-decrypt";
const GCP_KEY = "projects/demo/locations/global/keyRings/ci/cryptoKeys/sealfile";
const AZ_NAME = "sealfile-ci";
/** The vault files name; SEALFILE_TEST_AZURE_KV_ENDPOINT sends its requests to the fake. */
const AZ_VAULT = "https://sealfile-ci.vault.azure.net";
const BASE_KEY_ID = "AKIAFAKECLIBASE00";
const AWS_SECRET = "fake-aws-secret-access-key-do-not-print";
const GCP_TOKEN = "ya29.fake-cli-token-do-not-print";
const AZ_TOKEN = "fake-azure-cli-token-do-not-print";
const PLAIN = "db:\n    user: app\n    password: canary-s3cr3t-value\napi_token: canary-api-token-42\n";
const SECRETS = ["canary-s3cr3t-value", "canary-api-token-42"];

const home = tempHome();
const dir = mkdtempSync(join(tmpdir(), "sealfile-kms-cli-"));
let aws: FakeAwsServer;
let gcp: FakeGcpKms;
let az: FakeAzureKeyVault;
let azVersion = "";
let ageRecipient = "";
const ageKeys = join(dir, "keys.txt");

beforeAll(async () => {
  [aws, gcp, az] = await Promise.all([FakeAwsServer.start(), FakeGcpKms.start(), FakeAzureKeyVault.start()]);
  aws.addKey(ARN);
  gcp.addKey(GCP_KEY);
  azVersion = az.addKeyVersion(AZ_NAME);
  const r = runSecrets(["keygen", "-o", ageKeys], { env: baseEnv(home.dir) });
  expect(r.code).toBe(0);
  ageRecipient = r.stdout.trim();
});
afterAll(async () => {
  await Promise.all([aws.close(), gcp.close(), az.close()]);
  home.cleanup();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  aws.kmsMode = "ok";
  aws.stsMode = "ok";
  gcp.mode = "ok";
  az.mode = "ok";
});

/** The environment a CI runner would have: cloud endpoints and credentials, and no age key. */
function cloudEnv(extra: Record<string, string> = {}, gcpTransport: "grpc" | "rest" = "grpc"): Record<string, string> {
  return baseEnv(home.dir, {
    AWS_ENDPOINT_URL_KMS: aws.url,
    AWS_ENDPOINT_URL_STS: aws.url,
    AWS_ACCESS_KEY_ID: BASE_KEY_ID,
    AWS_SECRET_ACCESS_KEY: AWS_SECRET,
    AWS_CONFIG_FILE: join(home.dir, "no-aws-config"),
    AWS_SHARED_CREDENTIALS_FILE: join(home.dir, "no-aws-credentials"),
    AWS_EC2_METADATA_DISABLED: "true",
    SOPS_GCP_KMS_ENDPOINT: gcpTransport === "grpc" ? gcp.grpcEndpoint : gcp.restEndpoint,
    SOPS_GCP_KMS_CLIENT_TYPE: gcpTransport,
    GOOGLE_OAUTH_ACCESS_TOKEN: GCP_TOKEN,
    METADATA_SERVER_DETECTION: "none",
    SEALFILE_AZURE_TOKEN: AZ_TOKEN,
    SEALFILE_TEST_AZURE_KV_ENDPOINT: az.url,
    ...extra,
  });
}

function azUrl(withVersion = false): string {
  return `${AZ_VAULT}/keys/${AZ_NAME}${withVersion ? `/${azVersion}` : ""}`;
}

let n = 0;
function write(name: string, text: string): string {
  const p = join(dir, `${++n}-${name}`);
  writeFileSync(p, text);
  return p;
}

function count(m: Map<string, number>, k: string): number {
  return m.get(k) ?? 0;
}

type Sops = Record<string, unknown> & { kms?: Record<string, unknown>[]; gcp_kms?: Record<string, unknown>[]; azure_kv?: Record<string, unknown>[]; age?: Record<string, unknown>[] };
function sopsBlock(text: string): Sops {
  return (parseYaml(text) as { sops: Sops }).sops;
}

function expectNoSecrets(text: string): void {
  for (const s of [...SECRETS, AWS_SECRET, GCP_TOKEN, AZ_TOKEN]) expect(text).not.toContain(s);
}

/**
 * Encrypts PLAIN with `flags` and returns the path of the encrypted file; in-process unless `run` says
 * otherwise (a real process where the SDK reads the environment itself, as for shared config files).
 */
async function encryptWith(flags: string[], env: Record<string, string>, name = "secrets.yaml", run: typeof runInProcess = runInProcess): Promise<{ path: string; text: string }> {
  const plain = write(name, PLAIN);
  const r = await run(["encrypt", ...flags, plain], { env, timeoutMs: 60_000 });
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  expectNoSecrets(r.stdout);
  return { path: write(`enc-${name}`, r.stdout), text: r.stdout };
}

describe("each provider through the CLI, decrypting with no age key", () => {
  it("AWS KMS: --kms wraps once, decrypt unwraps once", async () => {
    const env = cloudEnv();
    const before = { w: count(aws.wraps, ARN), u: count(aws.unwraps, ARN) };
    const { path, text } = await encryptWith(["--kms", ARN], env);
    expect(count(aws.wraps, ARN) - before.w).toBe(1);
    expect(count(aws.unwraps, ARN) - before.u).toBe(0);
    const md = sopsBlock(text);
    expect(md.kms).toHaveLength(1);
    expect(md.kms?.[0]).toMatchObject({ arn: ARN, aws_profile: "" });
    expect(md.age).toBeUndefined();

    const dec = await runInProcess(["decrypt", path], { env, timeoutMs: 60_000 });
    expect(dec.stderr).toBe("");
    expect(dec.code).toBe(0);
    expect(dec.stdout).toBe(PLAIN);
    expect(count(aws.wraps, ARN) - before.w).toBe(1);
    expect(count(aws.unwraps, ARN) - before.u).toBe(1);
  });

  for (const transport of ["grpc", "rest"] as const) {
    it(`GCP Cloud KMS over ${transport}: --gcp-kms wraps once, decrypt unwraps once, with the access token`, async () => {
      const env = cloudEnv({}, transport);
      const before = { w: count(gcp.wraps, GCP_KEY), u: count(gcp.unwraps, GCP_KEY), req: gcp.requests.length };
      const { path, text } = await encryptWith(["--gcp-kms", GCP_KEY], env);
      expect(count(gcp.wraps, GCP_KEY) - before.w).toBe(1);
      expect(sopsBlock(text).gcp_kms?.[0]).toMatchObject({ resource_id: GCP_KEY });

      const dec = await runInProcess(["decrypt", path], { env, timeoutMs: 60_000 });
      expect(dec.stderr).toBe("");
      expect(dec.code).toBe(0);
      expect(dec.stdout).toBe(PLAIN);
      expect(count(gcp.unwraps, GCP_KEY) - before.u).toBe(1);
      const seen = gcp.requests.slice(before.req);
      expect(seen.map((r) => `${r.transport} ${r.method}`)).toEqual([`${transport} encrypt`, `${transport} decrypt`]);
      // REST carries the token; grpc-js sends no call credentials over an insecure (loopback) channel
      if (transport === "rest") for (const r of seen) expect(r.authorization).toBe(`Bearer ${GCP_TOKEN}`);
    });
  }

  it("Azure Key Vault: --azure-kv resolves and stores the latest version, wraps once, decrypt unwraps once", async () => {
    const env = cloudEnv();
    const before = { w: count(az.wraps, AZ_NAME), u: count(az.unwraps, AZ_NAME) };
    const { path, text } = await encryptWith(["--azure-kv", azUrl()], env);
    expect(count(az.wraps, AZ_NAME) - before.w).toBe(1);
    const entry = sopsBlock(text).azure_kv?.[0];
    expect(entry).toMatchObject({ vault_url: AZ_VAULT, name: AZ_NAME, version: azVersion });
    expect(String(entry?.enc)).toMatch(/^[A-Za-z0-9_-]+$/); // base64url, no padding

    const dec = await runInProcess(["decrypt", path], { env, timeoutMs: 60_000 });
    expect(dec.stderr).toBe("");
    expect(dec.code).toBe(0);
    expect(dec.stdout).toBe(PLAIN);
    expect(count(az.unwraps, AZ_NAME) - before.u).toBe(1);
    expect(az.tokens.every((t) => t === AZ_TOKEN)).toBe(true);
  });

  it("SOPS_KMS_ARN, SOPS_GCP_KMS_IDS and SOPS_AZURE_KEYVAULT_URLS name the recipients without flags", async () => {
    const env = cloudEnv({ SOPS_KMS_ARN: ARN, SOPS_GCP_KMS_IDS: GCP_KEY, SOPS_AZURE_KEYVAULT_URLS: azUrl(true) });
    const before = { a: count(aws.wraps, ARN), g: count(gcp.wraps, GCP_KEY), z: count(az.wraps, AZ_NAME) };
    const { text } = await encryptWith([], env);
    const md = sopsBlock(text);
    expect([md.kms?.length, md.gcp_kms?.length, md.azure_kv?.length]).toEqual([1, 1, 1]);
    expect([count(aws.wraps, ARN) - before.a, count(gcp.wraps, GCP_KEY) - before.g, count(az.wraps, AZ_NAME) - before.z]).toEqual([1, 1, 1]);
  });
});

describe("a file for age and all three KMS recipients", () => {
  /**
   * Per-call timeout given to the CLI; attempts are 2, so a hanging key costs 2 × T plus a 100 ms backoff.
   * The SDKs are loaded by beforeAll's encrypt, so a call that works answers well within T.
   */
  const T = 800;
  const PER_HANGING_KEY = 2 * T + 100;
  /** Process start-up, SDK loading and the fast calls, generously (this machine has 2 cores and runs tests in parallel). */
  const SLACK = 8_000;
  let file = "";

  beforeAll(async () => {
    const env = cloudEnv();
    const before = { a: count(aws.wraps, ARN), g: count(gcp.wraps, GCP_KEY), z: count(az.wraps, AZ_NAME) };
    const sealed = await encryptWith(["--age", ageRecipient, "--kms", ARN, "--gcp-kms", GCP_KEY, "--azure-kv", azUrl()], env, "four.yaml");
    file = sealed.path;
    const md = sopsBlock(sealed.text);
    expect([md.age?.length, md.kms?.length, md.gcp_kms?.length, md.azure_kv?.length]).toEqual([1, 1, 1, 1]);
    expect(md.key_groups).toBeUndefined();
    expect([count(aws.wraps, ARN) - before.a, count(gcp.wraps, GCP_KEY) - before.g, count(az.wraps, AZ_NAME) - before.z]).toEqual([1, 1, 1]);
  });

  function decrypt(extra: Record<string, string>, args: string[] = []): ReturnType<typeof runInProcess> {
    return runInProcess([...args, "decrypt", file], { env: cloudEnv({ SEALFILE_KEY_TIMEOUT_MS: String(T), ...extra }), timeoutMs: 60_000 });
  }

  it("opens with the age key alone, before any KMS is asked (all three hang)", async () => {
    aws.kmsMode = gcp.mode = az.mode = "hang";
    const seen = { a: aws.kmsRequests, g: gcp.requests.length, z: az.requests.length };
    const r = await decrypt({ SOPS_AGE_KEY_FILE: ageKeys });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(PLAIN);
    expect([aws.kmsRequests - seen.a, gcp.requests.length - seen.g, az.requests.length - seen.z]).toEqual([0, 0, 0]);
  });

  it("opens with AWS alone when GCP and Azure hang and are tried first (--decryption-order)", async () => {
    gcp.mode = az.mode = "hang";
    const seen = { g: gcp.requests.length, z: az.requests.length, u: count(aws.unwraps, ARN) };
    const r = await decrypt({}, ["--decryption-order", "azure_kv,gcp_kms,kms"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(PLAIN);
    expect(count(aws.unwraps, ARN) - seen.u).toBe(1);
    // both hanging services were really waited on: two attempts each (a timeout is retried once)
    expect(gcp.requests.length - seen.g).toBe(2);
    expect(az.requests.length - seen.z).toBe(2);
    expect(r.ms).toBeGreaterThanOrEqual(2 * 2 * T);
    expect(r.ms).toBeLessThan(2 * PER_HANGING_KEY + SLACK);
  });

  it("opens with GCP alone when AWS is denied and Azure hangs (SOPS_DECRYPTION_ORDER)", async () => {
    aws.kmsMode = "deny";
    az.mode = "hang";
    const seen = { a: aws.kmsRequests, u: count(gcp.unwraps, GCP_KEY) };
    const r = await decrypt({ SOPS_DECRYPTION_ORDER: "kms,azure_kv,gcp_kms,age" });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(PLAIN);
    expect(count(gcp.unwraps, GCP_KEY) - seen.u).toBe(1);
    expect(aws.kmsRequests - seen.a).toBe(1); // access denied is not retried
    expect(r.ms).toBeLessThan(PER_HANGING_KEY + SLACK);
  });

  it("opens with Azure alone when AWS and GCP hang (default order: they come first)", async () => {
    aws.kmsMode = gcp.mode = "hang";
    const seen = { u: count(az.unwraps, AZ_NAME) };
    const r = await decrypt({});
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(PLAIN);
    expect(count(az.unwraps, AZ_NAME) - seen.u).toBe(1);
    expect(r.ms).toBeLessThan(2 * PER_HANGING_KEY + SLACK);
  });

  it("when none works: exit 128, every recipient named with its reason, no secret in the text, within the bound", async () => {
    aws.kmsMode = "deny";
    gcp.mode = "error500";
    az.mode = "hang";
    const r = await decrypt({});
    expect(r.code).toBe(128);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^error\[NO_USABLE_KEY\]/);
    const line = (needle: string): string => r.stderr.split("\n").find((l) => l.includes(needle)) ?? "";
    expect(line(ageRecipient)).toMatch(/age .*no age (or SSH )?identity found/);
    expect(line(ARN)).toMatch(/kms .*AccessDeniedException/);
    expect(line(GCP_KEY)).toMatch(/gcp_kms .*INTERNAL/);
    expect(line(`${AZ_VAULT}/keys/${AZ_NAME}/${azVersion}: `)).toMatch(new RegExp(`azure_kv .*timed out after ${T} ms \\[2 attempts\\]`));
    expectNoSecrets(r.stderr);
    const md = sopsBlock(readFileSync(file, "utf8"));
    for (const entry of [md.age?.[0], md.kms?.[0], md.gcp_kms?.[0], md.azure_kv?.[0]]) expect(r.stderr).not.toContain(String(entry?.enc).trim().slice(0, 40));
    expect(r.ms).toBeLessThan(PER_HANGING_KEY + SLACK);
  });

  it("when all three services hang: each is given two timed attempts, then exit 128, and the process does not linger", async () => {
    aws.kmsMode = gcp.mode = az.mode = "hang";
    const seen = { a: aws.kmsRequests, g: gcp.requests.length, z: az.requests.length };
    const r = await decrypt({});
    expect(r.code).toBe(128);
    expect(r.stderr.match(new RegExp(`timed out after ${T} ms \\[2 attempts\\]`, "g")), r.stderr).toHaveLength(3);
    expect([aws.kmsRequests - seen.a, gcp.requests.length - seen.g, az.requests.length - seen.z]).toEqual([2, 2, 2]);
    expect(r.ms).toBeGreaterThanOrEqual(3 * 2 * T);
    expect(r.ms).toBeLessThan(3 * PER_HANGING_KEY + SLACK);
  });
});

describe("secrets exec on a CI runner (no age key, KMS only)", () => {
  it("runs the command with the values in its environment, unwrapping once through AWS KMS", async () => {
    const env = cloudEnv();
    const { path } = await encryptWith(["--kms", ARN], env);
    const u = count(aws.unwraps, ARN);
    const r = await runSecretsAsync(["exec", "-f", path, "--", process.execPath, "-e", "process.stdout.write(process.env.DB_PASSWORD + ' ' + process.env.api_token)"], { env, timeoutMs: 60_000 });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("canary-s3cr3t-value canary-api-token-42");
    expect(count(aws.unwraps, ARN) - u).toBe(1);
  });
});

describe("encrypting when a provider fails", () => {
  it("a hanging KMS makes encrypt fail within the bound, naming the key; nothing is written to stdout", async () => {
    aws.kmsMode = "hang";
    const T = 600;
    const r = await runInProcess(["encrypt", "--age", ageRecipient, "--kms", ARN, "--gcp-kms", GCP_KEY, write("hang.yaml", PLAIN)], {
      env: cloudEnv({ SEALFILE_KEY_TIMEOUT_MS: String(T) }),
      timeoutMs: 60_000,
    });
    expect(r.code).toBe(1); // sops: a data key that cannot be wrapped is a plain error (encrypt.go:126)
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/error\[KEY_FAILED\]: AWS KMS key arn:aws:kms:[^\n]*timed out after 600 ms \[2 attempts\]/);
    expect(r.ms).toBeLessThan(2 * T + 100 + 8_000);
    expectNoSecrets(r.stderr);
  });

  it("two failing providers are both named (exit 1, as sops encrypt.go:126)", async () => {
    aws.kmsMode = "deny";
    gcp.mode = "deny";
    const r = await runInProcess(["encrypt", "--age", ageRecipient, "--kms", ARN, "--gcp-kms", GCP_KEY, write("two-fail.yaml", PLAIN)], { env: cloudEnv(), timeoutMs: 60_000 });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error\[WRAP_FAILED\]/);
    expect(r.stderr).toMatch(/kms arn:aws:kms:[^\n]*AccessDeniedException/);
    expect(r.stderr).toMatch(/gcp_kms projects\/demo[^\n]*PERMISSION_DENIED/);
  });
});

describe("AWS specifics through the CLI", () => {
  it("--encryption-context is stored and bound: decrypt works, an edited context fails (exit 128)", async () => {
    const env = cloudEnv();
    const { path, text } = await encryptWith(["--kms", ARN, "--encryption-context", "app:web,env:prod"], env);
    expect(sopsBlock(text).kms?.[0]?.context).toEqual({ app: "web", env: "prod" });
    const ok = await runInProcess(["decrypt", path], { env, timeoutMs: 60_000 });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe(PLAIN);

    const edited = text.replace(/env: prod/, "env: dev");
    expect(edited).not.toBe(text);
    const bad = await runInProcess(["decrypt", write("ctx-edited.yaml", edited)], { env, timeoutMs: 60_000 });
    expect(bad.code).toBe(128);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toMatch(/kms arn:aws:kms:[^\n]*InvalidCiphertextException/);
    expectNoSecrets(bad.stderr);
  });

  it("a malformed --encryption-context is refused before anything is sent (exit 6, as sops)", async () => {
    const seen = aws.kmsRequests;
    const r = await runInProcess(["encrypt", "--kms", ARN, "--encryption-context", "novalue", write("x.yaml", PLAIN)], { env: cloudEnv(), timeoutMs: 60_000 });
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/error\[BAD_ENCRYPTION_CONTEXT\]/);
    expect(aws.kmsRequests).toBe(seen);
  });

  it("arn+role assumes the role through the fake STS and signs KMS calls with the temporary credentials", async () => {
    const env = cloudEnv();
    const sts0 = aws.stsCalls.length;
    const callers0 = aws.kmsCallers.length;
    const { path, text } = await encryptWith(["--kms", `${ARN}+${ROLE}`], env);
    expect(sopsBlock(text).kms?.[0]).toMatchObject({ arn: ARN, role: ROLE });
    const dec = await runInProcess(["decrypt", path], { env, timeoutMs: 60_000 });
    expect(dec.stderr).toBe("");
    expect(dec.stdout).toBe(PLAIN);
    const sts = aws.stsCalls.slice(sts0);
    expect(sts.map((c) => [c.roleArn, c.accessKeyId])).toEqual([[ROLE, BASE_KEY_ID], [ROLE, BASE_KEY_ID]]); // one per command
    expect(aws.kmsCallers.slice(callers0)).toEqual(sts.map((c) => c.issuedAccessKeyId));
  });

  it("a refused role assumption is the reason given, and KMS is never called", async () => {
    const env = cloudEnv();
    const { path } = await encryptWith(["--kms", `${ARN}+${ROLE}`], env);
    aws.stsMode = "deny";
    const seen = aws.kmsRequests;
    const r = await runInProcess(["decrypt", path], { env, timeoutMs: 60_000 });
    expect(r.code).toBe(128);
    expect(r.stderr).toMatch(/STS AssumeRole arn:aws:iam::111122223333:role\/ci-decrypt: AccessDenied/);
    expect(aws.kmsRequests).toBe(seen);
  });

  // A real process: the AWS SDK reads AWS_CONFIG_FILE from the process environment, not from ours.
  it("--aws-profile picks that profile's credentials from AWS_CONFIG_FILE, and decrypt uses the stored aws_profile", async () => {
    const cfg = write("aws-config", [
      "[default]", "aws_access_key_id = AKIAFAKEDEFAULT000", "aws_secret_access_key = default-secret", "",
      "[profile ci]", "aws_access_key_id = AKIAFAKEPROFILECI0", "aws_secret_access_key = ci-secret", "",
      "[profile other]", "aws_access_key_id = AKIAFAKEOTHER00000", "aws_secret_access_key = other-secret", "",
    ].join("\n"));
    // no static keys in the environment: only the config file can provide credentials
    const env = cloudEnv({ AWS_CONFIG_FILE: cfg });
    delete env.AWS_ACCESS_KEY_ID;
    delete env.AWS_SECRET_ACCESS_KEY;
    const callers0 = aws.kmsCallers.length;
    const { path, text } = await encryptWith(["--kms", ARN, "--aws-profile", "ci"], env, "secrets.yaml", runSecretsAsync);
    expect(sopsBlock(text).kms?.[0]).toMatchObject({ arn: ARN, aws_profile: "ci" });
    const dec = await runSecretsAsync(["decrypt", path], { env: { ...env, AWS_PROFILE: "other" }, timeoutMs: 60_000 });
    expect(dec.stderr).toBe("");
    expect(dec.stdout).toBe(PLAIN);
    // the file's profile also wins over static keys in the environment
    const withKeys = await runSecretsAsync(["decrypt", path], { env: { ...env, AWS_ACCESS_KEY_ID: BASE_KEY_ID, AWS_SECRET_ACCESS_KEY: AWS_SECRET }, timeoutMs: 60_000 });
    expect(withKeys.stdout).toBe(PLAIN);
    expect(aws.kmsCallers.slice(callers0)).toEqual(["AKIAFAKEPROFILECI0", "AKIAFAKEPROFILECI0", "AKIAFAKEPROFILECI0"]);
  });

  it("a stored aws_profile that does not exist is reported by name", async () => {
    const env = cloudEnv();
    const { text } = await encryptWith(["--kms", ARN], env);
    const renamed = text.replace(/aws_profile: ""/, "aws_profile: missing-profile");
    expect(renamed).not.toBe(text);
    const r = await runInProcess(["decrypt", write("missing-profile.yaml", renamed)], { env, timeoutMs: 60_000 });
    expect(r.code).toBe(128);
    expect(r.stderr).toMatch(/aws_profile missing-profile/);
    expectNoSecrets(r.stderr);
  });
});

describe("key groups: 2-of-3 Shamir across age, AWS and GCP", () => {
  let proj = "";
  let yamlFile = "";
  let yamlText = "";

  beforeAll(async () => {
    proj = mkdtempSync(join(dir, "shamir-"));
    writeFileSync(
      join(proj, ".sops.yaml"),
      [
        "creation_rules:",
        "  - path_regex: \\.(yaml|json|env)$",
        "    shamir_threshold: 2",
        "    key_groups:",
        "      - age:",
        `          - ${ageRecipient}`,
        "      - kms:",
        `          - arn: ${ARN}`,
        "            context:",
        "              team: platform",
        "      - gcp_kms:",
        `          - resource_id: ${GCP_KEY}`,
        "",
      ].join("\n"),
    );
    writeFileSync(join(proj, "app.yaml"), PLAIN);
    const before = { a: count(aws.wraps, ARN), g: count(gcp.wraps, GCP_KEY) };
    const r = await runInProcess(["encrypt", "app.yaml"], { env: cloudEnv(), cwd: proj, timeoutMs: 60_000 });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect([count(aws.wraps, ARN) - before.a, count(gcp.wraps, GCP_KEY) - before.g]).toEqual([1, 1]);
    yamlText = r.stdout;
    yamlFile = join(proj, "app.enc.yaml");
    writeFileSync(yamlFile, yamlText);
  });

  it("writes sops's layout: key_groups (age, hc_vault always present) and shamir_threshold, no top-level key lists", () => {
    const md = sopsBlock(yamlText);
    expect(md.shamir_threshold).toBe(2);
    for (const k of ["age", "kms", "gcp_kms", "azure_kv", "hc_vault", "pgp"]) expect(md[k], k).toBeUndefined();
    const groups = md.key_groups as Record<string, Record<string, unknown>[]>[];
    expect(groups.map((g) => Object.keys(g))).toEqual([
      ["age", "hc_vault"],
      ["age", "hc_vault", "kms"],
      ["age", "gcp_kms", "hc_vault"],
    ]);
    expect(groups[0]?.age?.[0]?.recipient).toBe(ageRecipient);
    expect(Object.keys(groups[1]?.kms?.[0] ?? {})).toEqual(["arn", "aws_profile", "context", "created_at", "enc"]);
    expect(groups[1]?.kms?.[0]).toMatchObject({ arn: ARN, context: { team: "platform" }, aws_profile: "" });
    expect(Object.keys(groups[2]?.gcp_kms?.[0] ?? {})).toEqual(["created_at", "enc", "resource_id"]);
    expect([groups[1]?.age, groups[2]?.age, groups[0]?.hc_vault]).toEqual([[], [], []]);
  });

  const combos = [
    { name: "age + AWS", age: true, aws: true, gcp: false },
    { name: "age + GCP", age: true, aws: false, gcp: true },
    { name: "AWS + GCP (no age key)", age: false, aws: true, gcp: true },
  ];
  for (const c of combos) {
    it(`opens with ${c.name}`, async () => {
      aws.kmsMode = c.aws ? "ok" : "deny";
      gcp.mode = c.gcp ? "ok" : "deny";
      const r = await runInProcess(["decrypt", yamlFile], { env: cloudEnv(c.age ? { SOPS_AGE_KEY_FILE: ageKeys } : {}), cwd: proj, timeoutMs: 60_000 });
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(PLAIN);
    });
  }

  for (const only of ["age", "AWS", "GCP"] as const) {
    it(`fails with ${only} alone: exit 128, says how many groups were opened`, async () => {
      aws.kmsMode = only === "AWS" ? "ok" : "deny";
      gcp.mode = only === "GCP" ? "ok" : "deny";
      const r = await runInProcess(["decrypt", yamlFile], { env: cloudEnv(only === "age" ? { SOPS_AGE_KEY_FILE: ageKeys } : {}), cwd: proj, timeoutMs: 60_000 });
      expect(r.code).toBe(128);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain("only 1 of the 2 key groups needed could be opened (the file has 3)");
      const opened = { age: 1, AWS: 2, GCP: 3 }[only];
      expect(r.stderr).toContain(`group ${opened}: opened`);
      const failedLines = r.stderr.split("\n").filter((l) => /^ {4}group \d: (age|kms|gcp_kms) /.test(l));
      expect(failedLines).toHaveLength(2);
      expectNoSecrets(r.stderr);
    });
  }

  it("opens the same file rewritten in the older sops layout (struct order, empty lists written, version 3.7.1)", async () => {
    const doc = parseYaml(yamlText) as Record<string, unknown> & { sops: Sops };
    const md = doc.sops;
    const groups = (md.key_groups as Record<string, unknown>[]).map((g) => {
      const out: Record<string, unknown> = {};
      for (const k of ["pgp", "kms", "gcp_kms", "azure_kv"]) if (Array.isArray(g[k]) && (g[k] as unknown[]).length > 0) out[k] = (g[k] as Record<string, unknown>[]).map(structOrder);
      out.hc_vault = [];
      out.age = g.age;
      return out;
    });
    const old: Record<string, unknown> = { shamir_threshold: 2, key_groups: groups, kms: [], gcp_kms: [], azure_kv: [], hc_vault: [], age: [], lastmodified: md.lastmodified, mac: md.mac, pgp: [], unencrypted_suffix: md.unencrypted_suffix, version: "3.7.1" };
    const { sops: _drop, ...data } = doc;
    void _drop;
    const text = stringifyYaml({ ...data, sops: old }, { indent: 4 });
    expect(text.indexOf("shamir_threshold")).toBeLessThan(text.indexOf("key_groups"));
    aws.kmsMode = "ok";
    gcp.mode = "deny";
    const r = await runInProcess(["decrypt", write("old-layout.yaml", text)], { env: cloudEnv({ SOPS_AGE_KEY_FILE: ageKeys }), timeoutMs: 60_000 });
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(PLAIN);
  });

  it("JSON (with sops ≤3.9 nulls for empty lists) and dotenv (flattened key_groups) files open too", async () => {
    writeFileSync(join(proj, "app.json"), JSON.stringify({ db: { password: "canary-s3cr3t-value" }, api_token: "canary-api-token-42" }, null, "\t") + "\n");
    writeFileSync(join(proj, "app.env"), "DB_PASSWORD=canary-s3cr3t-value\nAPI_TOKEN=canary-api-token-42\n");
    const env = cloudEnv({ SOPS_AGE_KEY_FILE: ageKeys });
    const json = await runInProcess(["encrypt", "app.json"], { env, cwd: proj, timeoutMs: 60_000 });
    const dotenv = await runInProcess(["encrypt", "app.env"], { env, cwd: proj, timeoutMs: 60_000 });
    expect([json.code, dotenv.code]).toEqual([0, 0]);
    expect(dotenv.stdout).toMatch(/^sops_key_groups__list_1__map_kms__list_0__map_arn=arn:aws:kms:/m);
    expect(dotenv.stdout).toMatch(/^sops_shamir_threshold=2$/m);
    const parsed = JSON.parse(json.stdout) as { sops: Record<string, unknown> & { key_groups: Record<string, unknown>[] } };
    for (const k of ["kms", "gcp_kms", "azure_kv", "hc_vault", "age", "pgp"]) parsed.sops[k] = null;
    for (const g of parsed.sops.key_groups) if (Array.isArray(g.age) && g.age.length === 0) g.age = null;
    gcp.mode = "deny"; // age + AWS
    const jsonDec = await runInProcess(["decrypt", "--input-type", "json", write("nulls.json", JSON.stringify(parsed, null, "\t"))], { env, timeoutMs: 60_000 });
    expect(jsonDec.stderr).toBe("");
    expect(JSON.parse(jsonDec.stdout)).toEqual({ db: { password: "canary-s3cr3t-value" }, api_token: "canary-api-token-42" });
    const envDec = await runInProcess(["decrypt", write("groups.env", dotenv.stdout)], { env, timeoutMs: 60_000 });
    expect(envDec.stderr).toBe("");
    expect(envDec.stdout).toBe("DB_PASSWORD=canary-s3cr3t-value\nAPI_TOKEN=canary-api-token-42\n");
  });
});

/** A kms/gcp_kms entry in sops's struct field order (the order ≤3.12 wrote). */
function structOrder(e: Record<string, unknown>): Record<string, unknown> {
  const order = ["arn", "role", "context", "resource_id", "vault_url", "name", "version", "created_at", "enc", "aws_profile"];
  return Object.fromEntries(order.filter((k) => k in e).map((k) => [k, e[k]]));
}

describe("the library builds", () => {
  /** Runs `node -e script path` asynchronously (the fakes answer from this process). */
  function node(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((done, fail) => {
      const child = spawn(process.execPath, args, { env, cwd: ROOT });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
      child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
      child.on("error", fail);
      child.on("close", (code) => done({ code: code ?? -1, stdout, stderr }));
    });
  }

  it("ESM and CommonJS decryptFile open an AWS KMS file with nothing on stderr (no SDK Node-version warning)", async () => {
    const env = cloudEnv();
    expect(env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED).toBeUndefined();
    const { path } = await encryptWith(["--kms", ARN], env);
    const esm = await node(["--input-type=module", "-e", `const m = await import(${JSON.stringify(join(ROOT, "dist/index.js"))}); process.stdout.write(JSON.stringify(await m.decryptFile(process.argv[1])));`, path], env);
    const cjs = await node(["-e", `require(${JSON.stringify(join(ROOT, "dist/index.cjs"))}).decryptFile(process.argv[1]).then((r) => process.stdout.write(JSON.stringify(r)));`, path], env);
    for (const r of [esm, cjs]) {
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({ db: { user: "app", password: "canary-s3cr3t-value" }, api_token: "canary-api-token-42" });
    }
  });
});
