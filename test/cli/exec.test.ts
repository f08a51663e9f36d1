// Acceptance (issue 4, points 1 and 4): `secrets exec` run for real — env mapping, precedence, several
// files, dotenv input, defaults, exit statuses, --mask over 1-byte chunks, --file-env, the audit log.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, runSecrets } from "../helpers/cli.js";
import { keyedDir, type KeyedDir } from "../helpers/exec-cli.js";
import { runInProcess } from "../helpers/in-process.js";

const PRINT_ENV = join(ROOT, "test/exec/children/print-env.mjs");
const SLOW_ECHO = join(ROOT, "test/cli/children/slow-echo-env.mjs");
const READ_FILE = join(ROOT, "test/exec/children/read-secret-file.mjs");
/** Newlines, `=`, both quotes, a backslash, non-ASCII and an astral character. */
const TRICKY = "line1\nline2 = \"double\" 'single' \\ back ünïcødé ✓ 😀\n";

let k: KeyedDir;
beforeAll(() => {
  k = keyedDir();
  k.seal("app.enc.yaml", `database:\n  password: ${JSON.stringify(TRICKY)}\n  port: 5432\n  replica:\n    host: r1.internal\nAPI_TOKEN: tok_abcdef123\nfeatures: [signup, 2, true]\nSHARED: from-app\n`);
  k.seal("base.enc.yaml", "A: base-a\nB: base-b\nSHARED: from-base\n");
  k.seal("prod.enc.json", JSON.stringify({ B: "prod-b", C: "prod-c" }));
  k.seal("web.env", "DOTENV_URL=postgres://u:p@h/db?sslmode=require&x=1\nDOTENV_KEY=dk_987654\n");
  k.seal("bad-name.enc.yaml", "good: 1\n\"bad-name\": 2\n");
});
afterAll(() => {
  k.cleanup();
  rmSync(k.dir, { recursive: true, force: true });
});

function exec(args: string[], extraEnv: Record<string, string> = {}, cwd?: string) {
  return runSecrets(["exec", ...args], { env: { ...k.env, ...extraEnv }, cwd: cwd ?? k.dir });
}

function childEnv(args: string[], names: string[], extraEnv: Record<string, string> = {}, cwd?: string): Record<string, string | null> {
  const r = exec([...args, "--", process.execPath, PRINT_ENV, ...names], extraEnv, cwd);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Record<string, string | null>;
}

describe("environment mapping", () => {
  it("flattens nested keys, keeps top-level spelling, renders lists as JSON, numbers as text", () => {
    const env = childEnv(["-f", "app.enc.yaml"], ["DATABASE_PASSWORD", "DATABASE_PORT", "DATABASE_REPLICA_HOST", "API_TOKEN", "features", "database"]);
    expect(env).toEqual({
      DATABASE_PASSWORD: TRICKY,
      DATABASE_PORT: "5432",
      DATABASE_REPLICA_HOST: "r1.internal",
      API_TOKEN: "tok_abcdef123",
      features: '["signup",2,true]',
      database: null,
    });
  });

  it("passes a value with newlines, =, quotes and unicode byte for byte", () => {
    const r = exec(["-f", "app.enc.yaml", "--", process.execPath, "-e", "process.stdout.write(process.env.DATABASE_PASSWORD)"]);
    expect(r.code).toBe(0);
    expect(r.stdoutBytes.equals(Buffer.from(TRICKY, "utf8"))).toBe(true);
  });

  it("--no-flatten refuses nested values like sops, naming the key", () => {
    const r = exec(["--no-flatten", "-f", "app.enc.yaml", "--", "true"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("offending key database");
    expect(r.stderr).not.toContain("5432");
  });

  it("a key that is not a valid variable name is an error naming the key", () => {
    const r = exec(["-f", "bad-name.enc.yaml", "--", "true"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("bad-name");
  });

  it("maps dotenv files 1:1", () => {
    const env = childEnv(["-f", "web.env"], ["DOTENV_URL", "DOTENV_KEY"]);
    expect(env).toEqual({ DOTENV_URL: "postgres://u:p@h/db?sslmode=require&x=1", DOTENV_KEY: "dk_987654" });
  });
});

describe("precedence", () => {
  it("later files override earlier ones (YAML then JSON)", () => {
    expect(childEnv(["-f", "base.enc.yaml", "-f", "prod.enc.json"], ["A", "B", "C"])).toEqual({ A: "base-a", B: "prod-b", C: "prod-c" });
    expect(childEnv(["-f", "prod.enc.json", "-f", "base.enc.yaml"], ["B"])).toEqual({ B: "base-b" });
  });

  it("secrets override inherited variables by default; --no-override keeps them", () => {
    expect(childEnv(["-f", "base.enc.yaml"], ["A", "INHERITED"], { A: "parent", INHERITED: "yes" })).toEqual({ A: "base-a", INHERITED: "yes" });
    expect(childEnv(["--no-override", "-f", "base.enc.yaml"], ["A", "B"], { A: "parent" })).toEqual({ A: "parent", B: "base-b" });
  });

  it("--pristine starts from PATH and HOME only", () => {
    const env = childEnv(["--pristine", "-f", "base.enc.yaml"], [], { INHERITED: "yes" });
    expect(Object.keys(env).sort()).toEqual(["A", "B", "HOME", "PATH", "SHARED"]);
    expect(env.PATH).toBe(k.env.PATH);
  });
});

describe("which files", () => {
  it("uses .sops.yaml exec.files (relative to the config's folder, anywhere in its git work tree) when no -f is given", () => {
    const mono = join(k.dir, "mono");
    const proj = join(mono, "apps/web");
    mkdirSync(join(proj, "sub"), { recursive: true });
    mkdirSync(join(mono, "shared"), { recursive: true });
    expect(spawnSync("git", ["init", "-q", mono]).status).toBe(0);
    copyFileSync(join(k.dir, "base.enc.yaml"), join(mono, "shared/base.enc.yaml"));
    copyFileSync(join(k.dir, "prod.enc.json"), join(mono, "shared/prod.enc.json"));
    writeFileSync(join(proj, ".sops.yaml"), "exec:\n  files: [../../shared/base.enc.yaml, ../../shared/prod.enc.json]\n");
    expect(childEnv([], ["A", "B", "C"], {}, join(proj, "sub"))).toEqual({ A: "base-a", B: "prod-b", C: "prod-c" });
  });

  it("falls back to secrets.enc.yaml in the working directory, and says what to do when there is none", () => {
    const d = join(k.dir, "conventional");
    mkdirSync(d, { recursive: true });
    const none = exec(["--", "true"], {}, d);
    expect(none.code).toBe(100);
    expect(none.stderr).toContain("no secrets file to load");
    writeFileSync(join(d, "secrets.enc.yaml"), readFileSync(join(k.dir, "base.enc.yaml")));
    expect(childEnv([], ["A"], {}, d)).toEqual({ A: "base-a" });
  });
});

describe("command and exit status", () => {
  it("passes argv after -- verbatim (options for the child are not ours)", () => {
    const r = exec(["-f", "base.enc.yaml", "--", process.execPath, join(ROOT, "test/cli/children/print-args.mjs"), "--", "-f", "--mask", "a b"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(["--", "-f", "--mask", "a b"]);
  });

  it("exits with the child's status", () => {
    expect(exec(["-f", "base.enc.yaml", "--", "sh", "-c", "exit 3"]).code).toBe(3);
    expect(exec(["-f", "base.enc.yaml", "--shell", "--", "test \"$A\" = base-a && exit 9"]).code).toBe(9);
  });

  it("exits 127 with a clear message when the command does not exist", () => {
    const r = exec(["-f", "base.enc.yaml", "--", "no-such-command-xyz"]);
    expect(r.code).toBe(127);
    expect(r.stderr).toContain("command not found: no-such-command-xyz");
  });

  it("a missing file is exit 100, before anything runs", () => {
    const r = exec(["-f", "missing.enc.yaml", "--", "sh", "-c", "echo ran"]);
    expect(r.code).toBe(100);
    expect(r.stdout).toBe("");
  });
});

describe("--mask", () => {
  it("replaces values that arrive one byte per chunk on stdout and stderr", () => {
    const r = exec(["--mask", "-f", "app.enc.yaml", "-f", "web.env", "--", process.execPath, SLOW_ECHO, "API_TOKEN", "DATABASE_PASSWORD", "DOTENV_KEY", "DATABASE_PORT"]);
    expect(r.code).toBe(0);
    // DATABASE_PORT (5432) is not long or random enough to be a secret (issue 18 item 4).
    const expected = "[***] [***] [***] [5432]\n";
    expect(r.stdout).toBe(expected);
    expect(r.stderr).toBe(expected);
  });

  it("issue 18 item 4: masks only what the rule encrypts and looks like a secret, also split across writes", async () => {
    k.seal(
      "team.enc.yaml",
      "PORT: 5432\nDEBUG: true\nHOST: db.internal\nURL: https://api.example.com\nDB_PASSWORD: Tr0ub4dor-and-3\nAPI_TOKEN: tok_live_9f8e7d6c5b4a\nPASSPHRASE: correct horse battery staple\nBUILD_unencrypted: a8F3kQ9zX2pL\n",
    );
    const names = ["PORT", "DEBUG", "HOST", "URL", "DB_PASSWORD", "API_TOKEN", "PASSPHRASE", "BUILD_unencrypted"];
    const r = exec(["--mask", "-f", "team.enc.yaml", "--", process.execPath, SLOW_ECHO, ...names]);
    expect(r.code).toBe(0);
    const expected = "[5432] [true] [db.internal] [https://api.example.com] [***] [***] [***] [a8F3kQ9zX2pL]\n";
    expect(r.stdout).toBe(expected);
    expect(r.stderr).toBe(expected);
    const help = await runInProcess(["exec", "--help"], { env: k.env, cwd: k.dir, columns: 400 });
    expect(help.stdout.replace(/\s+/g, " ")).toContain("Masked: values the file's rule encrypts that look like secrets: 8+ characters");
  });

  it("leaves output alone without --mask", () => {
    const r = exec(["-f", "base.enc.yaml", "--", process.execPath, SLOW_ECHO, "A"]);
    expect(r.stdout).toBe("[base-a]\n");
  });
});

describe("--file-env", () => {
  it("offers the decrypted file through a FIFO in a 0700 folder, readable once", () => {
    const r = exec(["--file-env", "CREDS=prod.enc.json", "--", process.execPath, READ_FILE, "CREDS"]);
    expect(r.stderr).toBe("");
    const seen = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(seen).toMatchObject({ fifo: true, dirMode: "700" });
    expect(JSON.parse(seen.first as string)).toEqual({ B: "prod-b", C: "prod-c" });
    expect(seen.second).toMatch(/^error:/);
  });

  it("--no-fifo offers a 0600 file, removed after the child exits; -f still sets the environment", () => {
    const r = exec(["--no-fifo", "-f", "base.enc.yaml", "--file-env", "CREDS=prod.enc.json", "--", process.execPath, "-e",
      "const fs=require('fs');const p=process.env.CREDS;console.log(JSON.stringify({p,mode:(fs.statSync(p).mode&0o777).toString(8),body:fs.readFileSync(p,'utf8'),A:process.env.A}))"]);
    expect(r.code).toBe(0);
    const seen = JSON.parse(r.stdout) as { p: string; mode: string; body: string; A: string };
    expect(seen.mode).toBe("600");
    expect(JSON.parse(seen.body)).toEqual({ B: "prod-b", C: "prod-c" });
    expect(seen.A).toBe("base-a");
    expect(() => readFileSync(seen.p)).toThrow();
  });

  it("rejects a malformed NAME=FILE", () => {
    expect(exec(["--file-env", "CREDS", "--", "true"]).code).toBe(2);
  });
});

describe("audit log", () => {
  it("appends one JSON line per decrypted file, never a value", () => {
    const log = join(k.dir, "audit.log");
    const r = exec(["-f", "base.enc.yaml", "-f", "prod.enc.json", "--", "true"], { SEALFILE_AUDIT_LOG: log });
    expect(r.code).toBe(0);
    const bad = exec(["-f", "base.enc.yaml", "--", "true"], { SEALFILE_AUDIT_LOG: log, SOPS_AGE_KEY_FILE: join(k.dir, "no-keys.txt") });
    expect(bad.code).toBe(128);
    const text = readFileSync(log, "utf8");
    const lines = text.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(3);
    expect(lines.map((l) => [l.file, l.result, l.command])).toEqual(
      expect.arrayContaining([
        [join(k.dir, "base.enc.yaml"), "success", "exec"],
        [join(k.dir, "prod.enc.json"), "success", "exec"],
        [join(k.dir, "base.enc.yaml"), "failure", "exec"],
      ]),
    );
    for (const l of lines) expect(Object.keys(l)).toEqual(expect.arrayContaining(["time", "user", "host", "file", "recipient", "command", "result"]));
    expect(lines.find((l) => l.result === "success")!.recipient).toBe("age");
    expect(lines.find((l) => l.result === "failure")!.error).toBe("NO_USABLE_KEY");
    for (const v of ["base-a", "base-b", "prod-b", "prod-c"]) expect(text).not.toContain(v);
  });

  it("takes audit_log from .sops.yaml, relative to its folder", () => {
    const proj = join(k.dir, "audited");
    mkdirSync(proj, { recursive: true });
    writeFileSync(join(proj, ".sops.yaml"), "audit_log: logs-audit.jsonl\n");
    const r = exec(["-f", "../base.enc.yaml", "--", "true"], {}, proj);
    expect(r.code).toBe(0);
    const line = JSON.parse(readFileSync(join(proj, "logs-audit.jsonl"), "utf8")) as Record<string, unknown>;
    expect(line).toMatchObject({ file: join(k.dir, "base.enc.yaml"), result: "success", command: "exec", recipient: "age" });
  });
});
