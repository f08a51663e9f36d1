// Issue 13, items 3 and 4: sops's command-line forms and behaviours where sealfile claims them, each driven
// through the real CLI and checked against what sops 3.13 does (cmd/sops/main.go, sops.go, config/config.go,
// age/keysource.go).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { baseEnv, runSecrets, runSecretsAsync, tempHome } from "../helpers/cli.js";
import { FakeAwsServer } from "../fakes/aws-kms-server.js";

const ARGV_WARNING = /the value was given on the command line, where other users' processes can read it \(ps\); use --value-stdin or --value-file/;

const home = tempHome();
const dir = mkdtempSync(join(tmpdir(), "sealfile-sops-forms-"));
const keys = join(home.dir, "keys.txt");
let recipient = "";
let env: Record<string, string> = {};

beforeAll(() => {
  const r = runSecrets(["keygen", "-o", keys], { env: baseEnv(home.dir) });
  expect(r.code).toBe(0);
  recipient = r.stdout.trim();
  env = baseEnv(home.dir, { SOPS_AGE_KEY_FILE: keys });
});
afterAll(() => {
  home.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
/** Seals `plain` (YAML unless `name` says otherwise) into a new file in `dir` and returns its name. */
function sealed(plain: string, name = "s.enc.yaml"): string {
  const file = `${++n}-${name}`;
  writeFileSync(join(dir, `${n}-plain`), plain);
  const type = name.endsWith(".json") ? "json" : "yaml";
  const r = runSecrets(["encrypt", "--age", recipient, "--input-type", type, "--output-type", type, `${n}-plain`], { env, cwd: dir });
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  writeFileSync(join(dir, file), r.stdoutBytes);
  rmSync(join(dir, `${n}-plain`));
  return file;
}

function run(args: string[], opts: { input?: string; extraEnv?: Record<string, string> } = {}) {
  return runSecrets(args, { env: { ...env, ...opts.extraEnv }, cwd: dir, ...(opts.input !== undefined ? { input: opts.input } : {}) });
}

function decrypted(file: string, ...flags: string[]): string {
  const r = run(["decrypt", ...flags, file]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return r.stdout;
}

describe("sops's command-line forms and behaviours", () => {
  it("set creates missing maps and lists, replaces a scalar on the way, and appends past the end of a list (sops Set)", () => {
    const f = sealed("a: 1\nl:\n    - x\n    - y\ns: text\n");
    const steps: Array<[string, string]> = [
      ['["l"][9]', '"z"'], // any index past the end appends
      ['["s"]["k"][0]', "5"], // a scalar on the way becomes a map, then a list
      ['["new"]["m"][3]["q"]', "true"], // nothing there: a map, a list, a map
      ['["a"][0]', "1"], // a scalar replaced by a list
    ];
    for (const [path, value] of steps) {
      const r = run(["set", f, path, "--value-stdin"], { input: value });
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
    }
    expect(parseYaml(decrypted(f))).toEqual({ a: [1], l: ["x", "y", "z"], s: { k: [5] }, new: { m: [{ q: true }] } });
    // sops panics on a key step into a list and silently changes nothing for an index step into a map: refused here.
    const intoMap = run(["set", f, "[0]", "--value-stdin"], { input: "1" });
    expect(intoMap.code).not.toBe(0);
    expect(intoMap.stderr).toMatch(/^error\[BAD_TREE_PATH\]/);
  });

  it("set --output-type rewrites the file in another format", () => {
    const f = sealed("db:\n    port: 5432\n");
    const r = run(["set", "--output-type", "json", f, '["db"]["host"]', "--value-stdin"], { input: '"h1"' });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const text = readFileSync(join(dir, f), "utf8");
    const json = JSON.parse(text) as { db: { port: string; host: string }; sops: { age: unknown[] } };
    expect(json.db.host).toMatch(/^ENC\[AES256_GCM,/);
    expect(json.sops.age).toHaveLength(1);
    expect(JSON.parse(decrypted(f, "--input-type", "json"))).toEqual({ db: { port: 5432, host: "h1" } });
  });

  it("set --value-file is sops's switch: set --value-file FILE PATH VALUEFILE (and FILE PATH --value-file VALUEFILE still works)", () => {
    const f = sealed("a: 1\n");
    writeFileSync(join(dir, "v1.json"), '"from the third word"');
    writeFileSync(join(dir, "v2.json"), '{"k": [1, "two"]}');
    writeFileSync(join(dir, "v3.json"), "false");
    const forms = [
      ["set", "--value-file", f, '["v1"]', "v1.json"],
      ["set", f, '["v2"]', "--value-file", "v2.json"],
      ["set", f, '["v3"]', "v3.json", "--value-file"],
    ];
    for (const args of forms) {
      const r = run(args);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
    }
    expect(parseYaml(decrypted(f))).toEqual({ a: 1, v1: "from the third word", v2: { k: [1, "two"] }, v3: false });
  });

  it("set FILE PATH VALUE (sops's form) is accepted with a warning, the value parsed as JSON", () => {
    const f = sealed("a: 1\n");
    const str = run(["set", f, '["pw"]', '"hunter2-argv"']);
    expect(str.code).toBe(0);
    expect(str.stderr).toMatch(ARGV_WARNING);
    expect(str.stderr).not.toContain("hunter2-argv");
    const obj = run(["set", f, '["obj"]', '{"a": 1, "b": [true, null]}']);
    expect(obj.code).toBe(0);
    expect(obj.stderr).toMatch(ARGV_WARNING);
    expect(parseYaml(decrypted(f))).toEqual({ a: 1, pw: "hunter2-argv", obj: { a: 1, b: [true, null] } });
    // Not JSON: refused as sops refuses it (exit 7), the value not repeated.
    const bad = run(["set", f, '["pw"]', "hunter2-bare"]);
    expect(bad.code).toBe(7);
    expect(bad.stderr).not.toContain("hunter2-bare");
  });

  it("exec-env FILE COMMAND runs sh -c COMMAND with the file's values in its environment", () => {
    const f = sealed("DB_PASSWORD: pw-exec-env\nPORT: 5432\n");
    const r = run(["exec-env", f, 'printf "%s|%s|%s" "$DB_PASSWORD" "$PORT" "${INHERITED-unset}"; exit 3'], { extraEnv: { INHERITED: "yes" } });
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("pw-exec-env|5432|yes");
    expect(r.code).toBe(3);
    const pristine = run(["exec-env", "--pristine", f, 'printf "%s|%s" "$DB_PASSWORD" "${INHERITED-unset}"'], { extraEnv: { INHERITED: "yes" } });
    expect(pristine.stderr).toBe("");
    expect(pristine.stdout).toBe("pw-exec-env|unset");
    const nested = run(["exec-env", sealed("db:\n    pw: x\n"), "true"]);
    expect(nested.code).not.toBe(0);
  });

  it("exec-file FILE COMMAND offers the decrypted file at {} (named pipe by default; --no-fifo, --filename, --output-type)", () => {
    const f = sealed("token: tok-exec-file\n");
    const piped = run(["exec-file", f, 'test -p {} && cat {} && echo "@{}"']);
    expect(piped.stderr).toBe("");
    expect(piped.code).toBe(0);
    const [content, at] = piped.stdout.split("@");
    expect(content).toBe("token: tok-exec-file\n");
    expect(at!.trim()).toMatch(/\/tmp-file$/);
    expect(existsSync(at!.trim())).toBe(false);
    const file = run(["exec-file", "--no-fifo", "--filename", "creds.json", "--output-type", "json", f, 'test -f {} && cat {} && echo "@{}"']);
    expect(file.stderr).toBe("");
    expect(file.code).toBe(0);
    const [json, path] = file.stdout.split("@");
    expect(JSON.parse(json!)).toEqual({ token: "tok-exec-file" });
    expect(path!.trim()).toMatch(/\/creds\.json$/);
    expect(existsSync(path!.trim())).toBe(false);
  });

  it("sops -d FILE, sops -e FILE and sops -i -e FILE are decrypt and encrypt", () => {
    writeFileSync(join(dir, "legacy.yaml"), "k: legacy-value\n");
    const e = run(["-e", "--age", recipient, "legacy.yaml"]);
    expect(e.stderr).toBe("");
    expect(e.code).toBe(0);
    expect(e.stdout).toMatch(/k: ENC\[AES256_GCM,/);
    writeFileSync(join(dir, "legacy.enc.yaml"), e.stdoutBytes);
    const d = run(["-d", "legacy.enc.yaml"]);
    expect(d.stderr).toBe("");
    expect(d.stdout).toBe("k: legacy-value\n");
    const ie = run(["-i", "-e", "--age", recipient, "legacy.yaml"]);
    expect(ie.stderr).toBe("");
    expect(readFileSync(join(dir, "legacy.yaml"), "utf8")).toMatch(/k: ENC\[AES256_GCM,/);
    expect(run(["--decrypt", "legacy.yaml"]).stdout).toBe("k: legacy-value\n");
  });

  it("sops --set 'PATH VALUE' FILE sets the value, with the command-line warning", () => {
    const f = sealed("a: 1\n");
    const r = run(["--set", '["db"]["pw"] "set-form-value"', f]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(ARGV_WARNING);
    expect(r.stderr).not.toContain("set-form-value");
    expect(parseYaml(decrypted(f))).toEqual({ a: 1, db: { pw: "set-form-value" } });
    const bad = run(["--set", '["db"]"x"', f]);
    expect(bad.code).toBe(7);
  });

  it("--encryption-context reaches the KMS keys of a flat kms: rule in .sops.yaml", async () => {
    const ARN = "arn:aws:kms:eu-west-1:111122223333:key/flat-rule-context";
    const aws = await FakeAwsServer.start();
    try {
      aws.addKey(ARN);
      const repo = mkdtempSync(join(dir, "ctx-"));
      writeFileSync(join(repo, ".sops.yaml"), `creation_rules:\n  - kms: ${ARN}\n`);
      writeFileSync(join(repo, "app.yaml"), "k: v\n");
      const awsEnv = baseEnv(home.dir, {
        AWS_ENDPOINT_URL_KMS: aws.url,
        AWS_ACCESS_KEY_ID: "AKIAFAKEFORMSTEST0",
        AWS_SECRET_ACCESS_KEY: "fake-secret-for-forms-test",
        AWS_CONFIG_FILE: join(home.dir, "no-aws-config"),
        AWS_SHARED_CREDENTIALS_FILE: join(home.dir, "no-aws-credentials"),
        AWS_EC2_METADATA_DISABLED: "true",
      });
      const r = await runSecretsAsync(["encrypt", "--encryption-context", "team:payments,env:prod", "app.yaml"], { env: awsEnv, cwd: repo, timeoutMs: 60_000 });
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const md = (parseYaml(r.stdout) as { sops: { kms: Array<{ arn: string; context?: Record<string, string> }> } }).sops;
      expect(md.kms).toHaveLength(1);
      expect(md.kms[0]!.context).toEqual({ team: "payments", env: "prod" });
    } finally {
      await aws.close();
    }
  }, 120_000);

  it("SOPS_AGE_KEY_CMD runs with SOPS_AGE_RECIPIENT set to the recipient being decrypted", () => {
    const f = sealed("k: v\n");
    const log = join(dir, "recipients.log");
    const script = join(dir, "key-cmd.sh");
    writeFileSync(script, `#!/bin/sh\nprintf '%s\\n' "$SOPS_AGE_RECIPIENT" >> '${log}'\ncat '${keys}'\n`);
    chmodSync(script, 0o700);
    const r = runSecrets(["decrypt", f], { env: baseEnv(home.dir, { SOPS_AGE_KEY_CMD: script }), cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("k: v\n");
    expect(readFileSync(log, "utf8")).toBe(`${recipient}\n`);
  });

  it("merge: key groups come out in sops's order (merged groups first, duplicates dropped)", () => {
    const others = [1, 2].map((i) => {
      const r = runSecrets(["keygen", "-o", join(home.dir, `other${i}.txt`)], { env: baseEnv(home.dir) });
      expect(r.code).toBe(0);
      return r.stdout.trim();
    });
    const [r1, r2] = others as [string, string];
    const repo = mkdtempSync(join(dir, "merge-"));
    writeFileSync(
      join(repo, ".sops.yaml"),
      `creation_rules:\n  - key_groups:\n      - age: [${recipient}, ${r1}]\n        merge:\n          - age: [${r2}]\n          - age: [${r1}]\n`,
    );
    writeFileSync(join(repo, "app.yaml"), "k: v\n");
    const r = runSecrets(["encrypt", "app.yaml"], { env, cwd: repo });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const md = (parseYaml(r.stdout) as { sops: { age: Array<{ recipient: string }> } }).sops;
    // sops config.go extractMasterKeys: the merge: groups' keys (r2, r1), then the group's own (recipient; r1 again is dropped).
    expect(md.age.map((a) => a.recipient)).toEqual([r2, r1, recipient]);
  });
});
