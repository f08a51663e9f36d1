// Acceptance (issue 3, point 6): the cloud SDKs are loaded only when a file or flag needs them. The CLI runs with a
// module trace (test/helpers/module-trace.mjs) that records every CommonJS and ESM module it resolves.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baseEnv, ROOT, runSecrets, tempHome } from "../helpers/cli.js";

const SDK_PATH = /node_modules\/(@aws-sdk|@smithy|@google-cloud|google-gax|google-auth-library|@grpc|@azure|openpgp)\//;
const ARN = "arn:aws:kms:eu-west-1:111122223333:key/lazy-load";

const home = tempHome();
const dir = mkdtempSync(join(tmpdir(), "sealfile-lazy-"));
const keys = join(dir, "keys.txt");
let ageOnly = "";

beforeAll(() => {
  const k = runSecrets(["keygen", "-o", keys], { env: baseEnv(home.dir) });
  expect(k.code).toBe(0);
  writeFileSync(join(dir, "plain.yaml"), "db:\n    password: hunter2\n");
  const enc = runSecrets(["encrypt", "--age", k.stdout.trim(), join(dir, "plain.yaml")], { env: baseEnv(home.dir) });
  expect(enc.code).toBe(0);
  ageOnly = enc.stdout;
});
afterAll(() => {
  home.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the CLI under the module trace; returns its result and the modules it loaded. */
function traced(args: string[], extra: Record<string, string> = {}): { code: number; stdout: string; stderr: string; modules: string[] } {
  const out = join(dir, `trace-${Math.random().toString(36).slice(2)}.txt`);
  const env = baseEnv(home.dir, {
    NODE_OPTIONS: `--import=${join(ROOT, "test/helpers/module-trace.mjs")}`,
    SEALFILE_MODULE_TRACE: out,
    ...extra,
  });
  const r = runSecrets(args, { env });
  const modules = readFileSync(out, "utf8").split("\n").filter(Boolean);
  return { ...r, modules };
}

describe("cloud SDKs load lazily", () => {
  it("an age-only decrypt loads none of the AWS, Google or Azure SDKs", () => {
    const file = join(dir, "age-only.enc.yaml");
    writeFileSync(file, ageOnly);
    const r = traced(["decrypt", file], { SOPS_AGE_KEY_FILE: keys });
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("db:\n    password: hunter2\n");
    expect(r.modules.length).toBeGreaterThan(0);
    expect(r.modules.filter((m) => SDK_PATH.test(m))).toEqual([]);
  });

  it("a file that also lists KMS recipients, opened with age, loads no SDK either", () => {
    // add kms / gcp_kms / azure_kv entries to the metadata (not covered by the MAC); age comes first and succeeds
    const extra = [
      "    kms:",
      `        - arn: ${ARN}`,
      "          created_at: \"2026-01-01T00:00:00Z\"",
      "          enc: AQICAHhfakefakefake",
      "          aws_profile: \"\"",
      "    gcp_kms:",
      "        - resource_id: projects/p/locations/global/keyRings/r/cryptoKeys/k",
      "          created_at: \"2026-01-01T00:00:00Z\"",
      "          enc: CiQAfakefakefake",
      "    azure_kv:",
      "        - vault_url: https://example.vault.azure.net",
      "          name: k",
      "          version: v1",
      "          created_at: \"2026-01-01T00:00:00Z\"",
      "          enc: fakefakefake",
    ].join("\n");
    const text = ageOnly.replace(/^sops:\n/m, `sops:\n${extra}\n`);
    expect(text).toContain(ARN);
    const file = join(dir, "mixed.enc.yaml");
    writeFileSync(file, text);
    const r = traced(["decrypt", file], { SOPS_AGE_KEY_FILE: keys });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.modules.filter((m) => SDK_PATH.test(m))).toEqual([]);
  });

  it("issue 19 acceptance 4: an age-only decrypt loads none of the PGP, Vault or age plugin code", () => {
    const file = join(dir, "age-only-19.enc.yaml");
    writeFileSync(file, ageOnly);
    const r = traced(["decrypt", file], { SOPS_AGE_KEY_FILE: keys });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.modules.filter((m) => /node_modules\/openpgp\//.test(m))).toEqual([]);
    // the key sources are bundled into dist/cli.cjs; each records itself when loaded (src/keys/_loaded.ts)
    expect(r.modules.filter((m) => m.startsWith("sealfile:key-source:"))).toEqual([]);
  });

  it("issue 19: a file that also lists PGP and Vault keys, opened with age, loads neither OpenPGP.js nor the plugin client", () => {
    const text = ageOnly.replace(/^sops:\n/m, ["sops:", "    hc_vault:", "        - vault_address: http://127.0.0.1:9", "          engine_path: transit", "          key_name: k", '          created_at: "2026-01-01T00:00:00Z"', "          enc: vault:v1:fake", "    pgp:", '        - created_at: "2026-01-01T00:00:00Z"', "          enc: fake", "          fp: FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4", ""].join("\n"));
    const file = join(dir, "pgp-vault.enc.yaml");
    writeFileSync(file, text);
    const r = traced(["decrypt", file], { SOPS_AGE_KEY_FILE: keys });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.modules.filter((m) => /node_modules\/openpgp\//.test(m))).toEqual([]);
    expect(r.modules).not.toContain("sealfile:key-source:age-plugin");
  });

  it("control: a PGP decrypt does load OpenPGP.js when a key file is given", () => {
    const r = traced(["decrypt", join(ROOT, "test/fixtures/sops/pgp/format.enc.yaml")], {
      SEALFILE_PGP_KEY_FILE: join(ROOT, "test/fixtures/sops/pgp/sops_functional_tests_key.asc"),
      GNUPGHOME: join(dir, "no-gnupg"),
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.modules.some((m) => /node_modules\/openpgp\//.test(m))).toBe(true);
    expect(r.modules).toContain("sealfile:key-source:pgp");
  });

  it("control: a KMS encrypt does load the AWS SDK (so the trace can see it)", () => {
    const r = traced(["encrypt", "--kms", ARN, join(dir, "plain.yaml")], {
      AWS_ACCESS_KEY_ID: "AKIAFAKE",
      AWS_SECRET_ACCESS_KEY: "fake",
      AWS_ENDPOINT_URL_KMS: "http://127.0.0.1:9", // nothing listens: the call fails fast, after the SDK is loaded
      SEALFILE_KEY_TIMEOUT_MS: "2000",
    });
    expect(r.code).toBe(1); // a data key that cannot be wrapped exits 1, as sops (encrypt.go:126)
    expect(r.modules.some((m) => /node_modules\/@aws-sdk\/client-kms\//.test(m))).toBe(true);
    expect(r.modules.some((m) => /node_modules\/(@google-cloud|@azure)\//.test(m))).toBe(false);
  });
});
