// Acceptance (issue 8, point 4) through the built CLI: `secrets doctor` on a fixture repository prints the
// rule that matched, each identity's source, and for each recipient whether it matches and why not; `--json`
// validates against schemas/doctor.schema.json; no output ever holds a private key or a value of the fixture.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv from "ajv";
import { ROOT, runSecrets, runSecretsAsync, type RunResult } from "../helpers/cli.js";
import { FakeAwsServer } from "../fakes/aws-kms-server.js";
import { makeRepo, type TestRepo } from "../helpers/git-repo.js";

let repo: TestRepo;
let sshPub: string;
let sshPrivate: string;
const outputs: RunResult[] = [];
const AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzzzDOCTOR"; // secrets:allow (fake value for the test)
const VALUES = ["hunter2-doctor", "s3cr3t-token-doctor", "ssh-only-value-doctor"];

const schema = JSON.parse(readFileSync(join(ROOT, "schemas/doctor.schema.json"), "utf8")) as object;
const validate = new Ajv.default({ allErrors: true, strict: true }).compile(schema);

function doctor(args: string[], keyIndex: number | undefined, extra: Record<string, string> = {}): RunResult {
  const env = keyIndex === undefined ? { ...repo.env(0, extra) } : repo.env(keyIndex, extra);
  if (keyIndex === undefined) delete env.SOPS_AGE_KEY_FILE;
  const r = runSecrets(["doctor", ...args], { env, cwd: repo.dir });
  outputs.push(r);
  return r;
}

beforeAll(() => {
  repo = makeRepo(3);
  const [a, b] = [repo.keys[0]!.recipient, repo.keys[1]!.recipient];
  mkdirSync(join(repo.home, ".ssh"), { recursive: true });
  const sshKey = join(repo.home, ".ssh", "id_ed25519");
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "deploy@example", "-f", sshKey]);
  sshPub = readFileSync(`${sshKey}.pub`, "utf8").trim();
  sshPrivate = readFileSync(sshKey, "utf8");
  repo.write(
    ".sops.yaml",
    `recipients:\n  alice: &alice ${a}\n  bob: &bob ${b}\n  deploy: &deploy ${sshPub}\ncreation_rules:\n  - path_regex: ^ssh/\n    age: [*deploy]\n  - path_regex: ^prod/\n    rotate_after: 90d\n    age:\n      - *alice\n      - *bob\n`,
  );
  repo.write("prod/app.yaml", `db:\n  password: ${VALUES[0]}\napi_token: ${VALUES[1]}\n`);
  repo.write("ssh/deploy.json", `{"value": "${VALUES[2]}"}\n`);
  for (const f of ["prod/app.yaml", "ssh/deploy.json"]) {
    const r = runSecrets(["encrypt", "-i", f], { env: repo.env(0), cwd: repo.dir });
    expect(r.stderr).toBe("");
  }
  // A KMS recipient next to the age ones (its enc is never opened offline; the MAC does not cover key entries).
  repo.write("prod/app.yaml", repo.read("prod/app.yaml").replace(/^sops:\n/m, 'sops:\n  kms:\n    - arn: arn:aws:kms:us-east-1:111122223333:key/doctor\n      created_at: "2026-01-01T00:00:00Z"\n      enc: AQICAHhdoctor\n      aws_profile: ""\n'));
  repo.commit("fixture");
});
afterAll(() => repo.cleanup());

describe("secrets doctor (acceptance 4)", () => {
  it("without FILE: the config and how it was found, each identity source, cloud credentials by name", () => {
    const r = doctor([], 0, { AWS_ACCESS_KEY_ID: "AKIADOCTOREXAMPLE", AWS_SECRET_ACCESS_KEY: AWS_SECRET });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`config: ${join(repo.dir, ".sops.yaml")} (found from the working directory upward)`);
    expect(r.stdout).toContain("valid: 2 creation rules, 3 named recipients (alice, bob, deploy)");
    expect(r.stdout).toContain(`SOPS_AGE_KEY_FILE=${repo.keys[0]!.file}: loaded, 1 identity`);
    expect(r.stdout).toContain(`age-x25519 for alice ${repo.keys[0]!.recipient}`);
    expect(r.stdout).toContain(`${join(repo.home, ".ssh", "id_ed25519")}: loaded, 1 SSH key`);
    expect(r.stdout).toContain(`ssh-ed25519 for deploy ${sshPub.split(" ").slice(0, 2).join(" ")}`);
    expect(r.stdout).toContain("SOPS_AGE_KEY_CMD: not set");
    expect(r.stdout).toContain("aws: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY");
    expect(r.stdout).toContain("gcp: none visible");
  });

  it("with FILE: the matching rule, and for each recipient whether an identity matches and why not", () => {
    const r = doctor(["prod/app.yaml"], 0);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("rule: creation_rules[1] (path_regex: ^prod/)");
    expect(r.stdout).toContain(`alice (age ${repo.keys[0]!.recipient}): yes — matches the age-x25519 identity from SOPS_AGE_KEY_FILE=${repo.keys[0]!.file}`);
    expect(r.stdout).toMatch(new RegExp(`bob \\(age ${repo.keys[1]!.recipient}\\): no — no identity for this recipient: the 2 identities available are for alice age1\\S+ from SOPS_AGE_KEY_FILE=\\S+; deploy ssh-ed25519 \\S+ from ${join(repo.home, ".ssh", "id_ed25519")}`));
    expect(r.stdout).toContain("kms arn:aws:kms:us-east-1:111122223333:key/doctor: no — no AWS credentials visible in the environment");
    expect(r.stdout).toContain("MAC: verified");
    expect(r.stdout).toMatch(/data key: 0 days old \(since \S+, from sealfile_rotated_at\), rotate_after 90d: ok/);
    expect(r.stdout).toContain("recipients differ from the rule: not in the rule: kms arn:aws:kms:us-east-1:111122223333:key/doctor");
    expect(r.stdout).toContain("verdict: opens here");
  });

  it("SSH recipients match the SSH key found at its default path", () => {
    const r = doctor(["ssh/deploy.json"], undefined);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("rule: creation_rules[0] (path_regex: ^ssh/)");
    expect(r.stdout).toMatch(new RegExp(`deploy \\(age ssh-ed25519 \\S+( deploy@example)?\\): yes — matches the ssh-ed25519 identity from ${join(repo.home, ".ssh", "id_ed25519")}`));
    expect(r.stdout).toContain("MAC: verified");
  });

  it("exits 128 when nothing here opens the file, and says so for each recipient", () => {
    const r = doctor(["prod/app.yaml"], 2);
    expect(r.code).toBe(128);
    expect(r.stdout).toContain(`alice (age ${repo.keys[0]!.recipient}): no — no identity for this recipient`);
    expect(r.stdout).toContain("MAC: not-checked");
    expect(r.stdout).toContain("verdict: CANNOT be opened here");
  });

  it("counts visible cloud credentials as a way in without calling the cloud", () => {
    const r = doctor(["prod/app.yaml"], 2, { AWS_PROFILE: "doctor-profile" });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("kms arn:aws:kms:us-east-1:111122223333:key/doctor: maybe — AWS credentials visible (AWS_PROFILE); not tried without --online");
    expect(r.stdout).toContain("verdict: should open here");
  });

  it("--json validates against schemas/doctor.schema.json, with and without FILE", () => {
    for (const args of [[], ["prod/app.yaml"], ["ssh/deploy.json"]]) {
      for (const key of [0, 2]) {
        const r = doctor([...args, "--json"], key, { AWS_SECRET_ACCESS_KEY: AWS_SECRET });
        const data = JSON.parse(r.stdout) as { file?: { rule: { index: number }; recipients: Array<{ name?: string; state: string }> } };
        expect(validate(data), JSON.stringify(validate.errors)).toBe(true);
        if (args[0] === "prod/app.yaml") {
          expect(data.file!.rule.index).toBe(1);
          expect(data.file!.recipients.map((x) => x.name)).toEqual([undefined, "alice", "bob"]);
          expect(data.file!.recipients[1]!.state).toBe(key === 0 ? "matches" : "no-match");
        }
      }
    }
    expect(validate({ config: {}, sources: [], identities: [], cloud: [] })).toBe(false);
  });

  it("reports an invalid config with the position of each problem (exit 1, as sops for config errors)", () => {
    repo.write(".sops.yaml.bad", "creation_rules:\n  - path_regex: prod/\n    age: 5\n    shamir_threshold: many\n");
    const r = doctor(["--config", ".sops.yaml.bad"], 0);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("(named by --config)");
    expect(r.stdout).toContain("INVALID:");
    expect(r.stdout).toMatch(/line 3, column 10: creation_rules\[0\]\.age /);
    expect(r.stdout).toMatch(/line 4, column 23: creation_rules\[0\]\.shamir_threshold /);
    const j = doctor(["--config", ".sops.yaml.bad", "--json"], 0);
    expect(validate(JSON.parse(j.stdout))).toBe(true);
  });

  it("warns about misspelled .sops.yaml keys with their position and a did-you-mean, and still loads it (issue 13 item 5)", () => {
    repo.write(".sops.yaml.typo", "creation_rule:\n  - age: x\ncreation_rules:\n  - path_regex: prod/\n    agee: age1x\n");
    const r = doctor(["--config", ".sops.yaml.typo"], 0);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("valid: 1 creation rule");
    expect(r.stdout).toContain("  warning: line 1, column 1: creation_rule is not a key sealfile or sops reads (ignored); did you mean creation_rules?\n");
    expect(r.stdout).toContain("  warning: line 5, column 5: creation_rules[0].agee is not a key sealfile or sops reads (ignored); did you mean age?\n");
    const j = doctor(["--config", ".sops.yaml.typo", "--json"], 0);
    const data = JSON.parse(j.stdout) as { config: { valid: boolean; warnings: Array<{ at: string; line: number; column: number }> } };
    expect(validate(data), JSON.stringify(validate.errors)).toBe(true);
    expect(data.config.valid).toBe(true);
    expect(data.config.warnings.map((w) => `${w.at}@${w.line}:${w.column}`)).toEqual(["creation_rule@1:1", "creation_rules[0].agee@5:5"]);
    // Loading ignores them, as sops does: other commands neither fail nor warn.
    const enc = runSecrets(["encrypt", "--config", ".sops.yaml.typo", "--age", repo.keys[0]!.recipient, "--filename-override", "prod/new.yaml", "-"], { env: repo.env(0), cwd: repo.dir, input: "a: 1\n" });
    expect({ code: enc.code, stderr: enc.stderr }).toEqual({ code: 0, stderr: "" });
    expect(enc.stdout).toContain("sops:");
  });

  it("reports a MAC mismatch (exit 51) and damaged values (exit 25)", () => {
    const good = repo.read("prod/app.yaml");
    try {
      repo.write("prod/app.yaml", good.replace(/lastmodified: "(\d{4})/, (_m, y: string) => `lastmodified: "${Number(y) - 1}`));
      const r = doctor(["prod/app.yaml"], 0);
      expect(r.code).toBe(51);
      expect(r.stdout).toContain("MAC: mismatch");
      expect(r.stdout).toContain("verdict: the data key opens here, but the file is damaged");
      const enc = /api_token: (ENC\[[^\]]+\])/.exec(good)![1]!;
      const pw = /password: (ENC\[[^\]]+\])/.exec(good)![1]!;
      repo.write("prod/app.yaml", good.replace(enc, "@@").replace(pw, enc).replace("@@", pw));
      const swapped = doctor(["prod/app.yaml", "--json"], 0);
      expect(swapped.code).toBe(25);
      expect((JSON.parse(swapped.stdout) as { file: { mac: { state: string } } }).file.mac.state).toBe("values-damaged");
    } finally {
      repo.write("prod/app.yaml", good);
    }
  });

  it("--online tries KMS keys for real (a fake AWS KMS on 127.0.0.1): opened, or failed with the service's reason", async () => {
    const aws = await FakeAwsServer.start();
    try {
      const arn = "arn:aws:kms:us-east-1:111122223333:key/online-doctor";
      aws.addKey(arn);
      const cloud = {
        AWS_ENDPOINT_URL_KMS: aws.url,
        AWS_ACCESS_KEY_ID: "AKIADOCTORONLINE",
        AWS_SECRET_ACCESS_KEY: AWS_SECRET,
        AWS_REGION: "us-east-1",
        AWS_CONFIG_FILE: join(repo.home, "no-aws-config"),
        AWS_SHARED_CREDENTIALS_FILE: join(repo.home, "no-aws-credentials"),
        AWS_EC2_METADATA_DISABLED: "true",
      };
      const env = { ...repo.env(2, cloud) };
      repo.write("kms/only.yaml", "k: kms-only-doctor-value\n");
      const enc = await runSecretsAsync(["encrypt", "-i", "--kms", arn, "kms/only.yaml"], { env, cwd: repo.dir, timeoutMs: 60_000 });
      expect(enc.stderr).toBe("");
      const offline = await runSecretsAsync(["doctor", "kms/only.yaml"], { env, cwd: repo.dir, timeoutMs: 60_000 });
      expect(offline.stdout).toContain("verdict: should open here");
      expect(aws.kmsRequests).toBe(1); // only the encrypt: offline doctor never calls the cloud
      const online = await runSecretsAsync(["doctor", "kms/only.yaml", "--online"], { env, cwd: repo.dir, timeoutMs: 60_000 });
      outputs.push(online, offline);
      expect(online.code).toBe(0);
      expect(online.stdout).toMatch(new RegExp(`kms ${arn}: yes — opened`));
      expect(online.stdout).toContain("MAC: verified");
      aws.kmsMode = "deny";
      const denied = await runSecretsAsync(["doctor", "kms/only.yaml", "--online", "--json"], { env, cwd: repo.dir, timeoutMs: 60_000 });
      outputs.push(denied);
      expect(denied.code).toBe(128);
      const data = JSON.parse(denied.stdout) as { file: { recipients: Array<{ state: string; why: string }> } };
      expect(validate(data)).toBe(true);
      expect(data.file.recipients[0]!.state).toBe("failed");
      expect(data.file.recipients[0]!.why).toContain("AccessDenied");
      VALUES.push("kms-only-doctor-value");
    } finally {
      await aws.close();
    }
  }, 120_000);

  it("never prints a private key (or a prefix of one) or a value of the fixture", () => {
    expect(outputs.length).toBeGreaterThan(10);
    const secrets: string[] = [...VALUES, AWS_SECRET];
    for (const k of repo.keys) {
      const id = readFileSync(k.file, "utf8").split("\n").find((l) => l.startsWith("AGE-SECRET-KEY-"))!;
      secrets.push(id, id.slice("AGE-SECRET-KEY-".length, "AGE-SECRET-KEY-".length + 12));
    }
    const body = sshPrivate.split("\n").filter((l) => l !== "" && !l.startsWith("-----"));
    secrets.push(...body.map((l) => l.slice(0, 24)));
    for (const r of outputs) {
      const all = r.stdout + r.stderr;
      expect(all).not.toContain("AGE-SECRET-KEY-");
      expect(all).not.toContain("PRIVATE KEY");
      for (const s of secrets) expect(all).not.toContain(s);
    }
  });
});
