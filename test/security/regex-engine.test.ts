// Issue 12, item 9: regexes from a repository's files, a file's sops block and flags run on the RE2 engine, as
// sops runs them on Go's regexp — linear time (a backtracking pattern cannot hang a command), RE2 syntax, and an
// invalid pattern is a clear error naming it, never an internal one.
import { afterEach, describe, expect, it } from "vitest";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { runSecretsAsync, type RunResult } from "../helpers/cli.js";
import { makeRepo, type TestRepo } from "../helpers/git-repo.js";

/** Only a guard against hanging for ever: a healthy run takes well under a second. */
const HANG_MS = 20_000;
const EVIL_KEY = `${"a".repeat(40)}!`;

let repo: TestRepo | undefined;
afterEach(() => {
  repo?.cleanup();
  repo = undefined;
});

async function run(r: TestRepo, args: string[], input = ""): Promise<RunResult> {
  const res = await runSecretsAsync(args, { env: r.env(), cwd: r.dir, input, timeoutMs: HANG_MS });
  if (res.code === -1) throw new Error(`secrets ${args[0]} did not finish within ${HANG_MS} ms (killed)`);
  return res;
}

function rules(r: TestRepo, extra: string): string {
  return `creation_rules:\n  - path_regex: \\.enc\\.yaml$\n    age: ${r.keys[0]!.recipient}\n${extra}`;
}

function noInternalError(res: RunResult): void {
  expect(res.stderr).not.toContain("INTERNAL");
  expect(res.stderr).not.toMatch(/please report|\n\s+at /);
}

describe("item 9: backtracking regexes from files", () => {
  it("a catastrophic-backtracking encrypted_regex, path_regex and .secretsignore glob cannot hang encrypt, decrypt, set, status or guard", async () => {
    repo = makeRepo(1);
    const r = repo;
    const evil = "^(a+)+$";
    r.write(".sops.yaml", `creation_rules:\n  - path_regex: "${evil}"\n    age: ${r.keys[0]!.recipient}\n` + rules(r, `    encrypted_regex: "${evil}"\n`).slice("creation_rules:\n".length));
    // A gitignore glob that a backtracking engine takes far too long to refuse on a long name.
    r.write(".secretsignore", `${"*a".repeat(14)}*b\n`);
    r.write(`${"a".repeat(60)}!`, "just a file\n");
    r.write("app.enc.yaml", `${EVIL_KEY}: public\naaaa: hunter2\n`);
    const enc = await run(r, ["encrypt", "-i", "app.enc.yaml"]);
    expect(enc.code, enc.stderr).toBe(0);
    expect(r.read("app.enc.yaml")).toContain(`${EVIL_KEY}: public`); // the "!" keeps it from matching: in clear
    expect(r.read("app.enc.yaml")).toMatch(/^aaaa: ENC\[AES256_GCM/m);

    const dec = await run(r, ["decrypt", "app.enc.yaml"]);
    expect(dec.code, dec.stderr).toBe(0);
    expect(dec.stdout).toBe(`${EVIL_KEY}: public\naaaa: hunter2\n`);

    const set = await run(r, ["set", "app.enc.yaml", `["${EVIL_KEY}"]`, "--value-stdin"], '"changed"');
    expect(set.code, set.stderr).toBe(0);

    r.git("add", "-A");
    const guard = await run(r, ["guard", "--staged"]);
    noInternalError(guard);
    expect(guard.code, guard.stderr).toBe(0);

    const status = await run(r, ["status"]);
    noInternalError(status);
    expect(status.stderr).not.toMatch(/error\[/);
  }, 6 * HANG_MS);

  it("(?i)^PASS in .sops.yaml and in a file's sops block works as RE2 does", async () => {
    repo = makeRepo(1);
    const r = repo;
    r.write(".sops.yaml", rules(r, `    encrypted_regex: "(?i)^PASS"\n`));
    r.write("db.enc.yaml", "password: p1\nPassPhrase: p2\nuser: app\n");
    const enc = await run(r, ["encrypt", "-i", "db.enc.yaml"]);
    expect(enc.code, enc.stderr).toBe(0);
    const sealed = r.read("db.enc.yaml");
    expect(sealed).toMatch(/^password: ENC\[/m);
    expect(sealed).toMatch(/^PassPhrase: ENC\[/m);
    expect(sealed).toMatch(/^user: app$/m);
    expect(sealed).toMatch(/^ {4}encrypted_regex: \(\?i\)\^PASS$/m);

    // The same file as sops would have it, without the config: the rule in its own block must apply.
    rmSync(join(r.dir, ".sops.yaml"));
    const dec = await run(r, ["decrypt", "db.enc.yaml"]);
    expect(dec.code, dec.stderr).toBe(0);
    expect(dec.stdout).toBe("password: p1\nPassPhrase: p2\nuser: app\n");
    const set = await run(r, ["set", "db.enc.yaml", '["PASSWORD_2"]', "--value-stdin"], '"p3"');
    expect(set.code, set.stderr).toBe(0);
    expect(r.read("db.enc.yaml")).toMatch(/^PASSWORD_2: ENC\[/m);

    // And from a flag, with Perl classes and a named group.
    r.write("flag.yaml", "token1: x\ntokenA: y\n");
    const flag = await run(r, ["encrypt", "--age", r.keys[0]!.recipient, "--encrypted-regex", "^token(?P<n>\\d)$", "flag.yaml"]);
    expect(flag.code, flag.stderr).toBe(0);
    expect(flag.stdout).toMatch(/^token1: ENC\[/m);
    expect(flag.stdout).toMatch(/^tokenA: y$/m);
  }, 8 * HANG_MS);

  it("an invalid regex gives BAD_CONFIG, USAGE or BAD_METADATA naming the pattern, never INTERNAL", async () => {
    repo = makeRepo(1);
    const r = repo;
    r.write("plain.yaml", "password: x\n");

    r.write(".sops.yaml", rules(r, `    encrypted_regex: "("\n`));
    r.write("a.enc.yaml", "password: x\n");
    const cfg = await run(r, ["encrypt", "a.enc.yaml"]);
    noInternalError(cfg);
    expect(cfg.code).toBe(1); // BAD_CONFIG exits 1, as in sops
    expect(cfg.stderr).toContain('error[BAD_CONFIG]: ');
    expect(cfg.stderr).toContain('creation_rules[0].encrypted_regex: invalid regular expression "("');

    r.write(".sops.yaml", `creation_rules:\n  - age: ${r.keys[0]!.recipient}\n  - path_regex: "(?<=x)y"\n    age: ${r.keys[0]!.recipient}\n`);
    const pathRe = await run(r, ["encrypt", "a.enc.yaml"]);
    noInternalError(pathRe);
    expect(pathRe.code).toBe(1);
    expect(pathRe.stderr).toContain('creation_rules[1].path_regex: invalid regular expression "(?<=x)y"');

    rmSync(join(r.dir, ".sops.yaml"));
    const flag = await run(r, ["encrypt", "--age", r.keys[0]!.recipient, "--unencrypted-regex", "a{2,1}", "plain.yaml"]);
    noInternalError(flag);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('error[USAGE]: --unencrypted-regex: invalid regular expression "a{2,1}"');

    const ok = await run(r, ["encrypt", "--age", r.keys[0]!.recipient, "--encrypted-regex", "^password$", "plain.yaml"]);
    expect(ok.code, ok.stderr).toBe(0);
    r.write("broken.enc.yaml", ok.stdout.replace("encrypted_regex: ^password$", "encrypted_regex: ("));
    const meta = await run(r, ["decrypt", "broken.enc.yaml"]);
    noInternalError(meta);
    expect(meta.code).toBe(1);
    expect(meta.stderr).toContain('error[BAD_METADATA]: invalid metadata: sops.encrypted_regex: invalid regular expression "("');

    r.write(".sops.yaml", rules(r, ""));
    r.git("add", ".sops.yaml", "broken.enc.yaml");
    const guard = await run(r, ["guard", "--staged"]);
    noInternalError(guard);
    expect(guard.stderr + guard.stdout).toContain("sops.encrypted_regex");
  }, 8 * HANG_MS);
});
