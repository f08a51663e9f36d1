// Issue 17: the cloud SDKs are optional dependencies. In an install without them (`npm install --omit=optional`),
// age-only work goes on, and a file that only a KMS key opens fails with the name of the package to install.
// A copy of the built package whose node_modules links every installed package but the SDKs stands in for it.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baseEnv, ROOT, runSecrets, tempHome } from "../helpers/cli.js";

const SDK_DIRS = new Set(["@aws-sdk", "@smithy", "@google-cloud", "google-gax", "google-auth-library", "@grpc", "@azure"]);
const home = tempHome();
const dir = mkdtempSync(join(tmpdir(), "sealfile-lean-"));
const keys = join(dir, "keys.txt");
const lean = join(dir, "pkg");
let sealed = "";

beforeAll(() => {
  mkdirSync(join(lean, "node_modules"), { recursive: true });
  for (const part of ["bin", "dist"]) cpSync(join(ROOT, part), join(lean, part), { recursive: true });
  cpSync(join(ROOT, "package.json"), join(lean, "package.json"));
  for (const entry of readdirSync(join(ROOT, "node_modules"))) {
    if (!SDK_DIRS.has(entry) && entry !== ".bin") symlinkSync(join(ROOT, "node_modules", entry), join(lean, "node_modules", entry));
  }
  const k = runSecrets(["keygen", "-o", keys], { env: baseEnv(home.dir) });
  expect(k.code).toBe(0);
  writeFileSync(join(dir, "plain.yaml"), "db:\n    password: hunter2\n");
  const enc = runSecrets(["encrypt", "--age", k.stdout.trim(), join(dir, "plain.yaml")], { env: baseEnv(home.dir) });
  expect(enc.code).toBe(0);
  sealed = enc.stdout;
});
afterAll(() => {
  home.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

function leanSecrets(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(lean, "bin/secrets.js"), ...args], { env: baseEnv(home.dir, { SOPS_AGE_KEY_FILE: keys }), encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("issue 17: cloud SDKs are optional dependencies", () => {
  it("package.json lists every cloud SDK (and OpenPGP.js) under optionalDependencies, none under dependencies", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as Record<string, Record<string, string>>;
    const cloud = /^@(aws-sdk|azure|google-cloud)\//;
    expect(Object.keys(pkg.dependencies!).filter((n) => cloud.test(n))).toEqual([]);
    expect(Object.keys(pkg.optionalDependencies!).sort()).toEqual(["@aws-sdk/client-kms", "@aws-sdk/client-sts", "@azure/identity", "@azure/keyvault-keys", "@google-cloud/kms", "openpgp"]);
  });

  it("without the SDKs, --version and an age-only decrypt work", () => {
    const file = join(dir, "age.enc.yaml");
    writeFileSync(file, sealed);
    expect(leanSecrets(["--version"]).stdout).toMatch(/^\d+\.\d+\.\d+/);
    const r = leanSecrets(["decrypt", file]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("db:\n    password: hunter2\n");
  });

  it("without the SDKs, a file only AWS KMS opens fails naming @aws-sdk/client-kms and how to install it", () => {
    const kmsOnly = sealed.replace(/^ {4}age:\n(?: {8}.*\n)+/m, [
      "    kms:",
      "        - arn: arn:aws:kms:eu-west-1:111122223333:key/lean",
      '          created_at: "2026-01-01T00:00:00Z"',
      "          enc: AQICAHhfake",
      '          aws_profile: ""',
      "",
    ].join("\n"));
    expect(kmsOnly).not.toContain("age:");
    const file = join(dir, "kms.enc.yaml");
    writeFileSync(file, kmsOnly);
    const r = leanSecrets(["decrypt", file]);
    expect(r.code).toBe(128);
    expect(r.stderr).toContain("the package @aws-sdk/client-kms is not installed");
    expect(r.stderr).toContain("npm install @aws-sdk/client-kms");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
