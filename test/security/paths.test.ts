// Security (issue 12, item 1 "Writes anywhere"): a cloned repository's `.sops.yaml` cannot make
// `secrets exec` write or read outside that repository, cannot append to a file that is not a sealfile log,
// and cannot smuggle a command into a log line through a crafted file name.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runSecrets } from "../helpers/cli.js";
import { keyedDir, type KeyedDir } from "../helpers/exec-cli.js";

const BASHRC = "# ~/.bashrc\nalias ll='ls -l'\n";

let k: KeyedDir;
/** Stands for the user's home: holds a .bashrc and the cloned repositories under src/. */
let home: string;
let n = 0;

beforeAll(() => {
  k = keyedDir();
  k.seal("secrets.enc.yaml", "REPO_VALUE: inside\n");
  k.seal("outside.enc.yaml", "OUTSIDE_VALUE: private-outside-value\n");
  home = mkdtempSync(join(tmpdir(), "sealfile-victim-"));
});
afterAll(() => {
  k.cleanup();
  rmSync(k.dir, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
});

/** A fresh `home/.bashrc` and a cloned repository `home/src/repoN` holding secrets.enc.yaml and `sopsYaml`. */
function clone(sopsYaml: string): { repo: string; bashrc: string } {
  const bashrc = join(home, ".bashrc");
  writeFileSync(bashrc, BASHRC);
  const repo = join(home, "src", `repo${++n}`);
  mkdirSync(repo, { recursive: true });
  expect(spawnSync("git", ["init", "-q", repo]).status).toBe(0);
  copyFileSync(join(k.dir, "secrets.enc.yaml"), join(repo, "secrets.enc.yaml"));
  writeFileSync(join(repo, ".sops.yaml"), sopsYaml);
  return { repo, bashrc };
}

function exec(cwd: string, args: string[] = ["--", "true"], extraEnv: Record<string, string> = {}) {
  return runSecrets(["exec", ...args], { env: { ...k.env, ...extraEnv }, cwd });
}

function expectRefused(r: { code: number; stderr: string }, words: string): void {
  expect(r.code).toBe(1); // BAD_CONFIG exits 1, as sops does for .sops.yaml errors
  expect(r.stderr).toMatch(/^error\[BAD_CONFIG\]: /);
  expect(r.stderr).toContain(words);
  expect(r.stderr).toContain("hint: ");
}

describe("item 1 — writes anywhere: paths from a repository stay in the repository, logs are sealfile logs", () => {
  it("audit_log: ../../.bashrc and ../../x (escaping by ..) are refused; nothing outside is written", () => {
    for (const target of ["../../.bashrc", "../../x.jsonl"]) {
      const { repo, bashrc } = clone(`audit_log: ${target}\n`);
      expectRefused(exec(repo), "points outside the repository");
      expect(readFileSync(bashrc, "utf8")).toBe(BASHRC);
      expect(existsSync(join(home, "x.jsonl"))).toBe(false);
    }
  });

  it("an absolute audit_log is refused and not created", () => {
    const abs = join(home, "abs-audit.jsonl");
    const { repo, bashrc } = clone(`audit_log: ${JSON.stringify(abs)}\n`);
    expectRefused(exec(repo), "is an absolute path");
    expect(existsSync(abs)).toBe(false);
    const r2 = clone(`audit_log: ${JSON.stringify(bashrc)}\n`);
    expectRefused(exec(r2.repo), "is an absolute path");
    expect(readFileSync(bashrc, "utf8")).toBe(BASHRC);
  });

  it("a symbolic link in the repository pointing outside is refused (a folder link, a file link, a dangling link)", () => {
    const { repo, bashrc } = clone("audit_log: logs/.bashrc\n");
    symlinkSync(home, join(repo, "logs"));
    expectRefused(exec(repo), "leaves the repository through a symbolic link");
    expect(readFileSync(bashrc, "utf8")).toBe(BASHRC);

    const r2 = clone("audit_log: audit.jsonl\n");
    symlinkSync(bashrc, join(r2.repo, "audit.jsonl"));
    expectRefused(exec(r2.repo), "leaves the repository through a symbolic link");
    expect(readFileSync(bashrc, "utf8")).toBe(BASHRC);

    const created = join(home, ".bash_profile");
    const r3 = clone("audit_log: new.jsonl\n");
    symlinkSync(created, join(r3.repo, "new.jsonl"));
    expectRefused(exec(r3.repo), "leaves the repository through a symbolic link");
    expect(existsSync(created)).toBe(false);
  });

  it("a symbolic link inside the repository pointing inside is still not followed for the log", () => {
    const { repo } = clone("audit_log: audit.jsonl\n");
    writeFileSync(join(repo, "real.jsonl"), "");
    symlinkSync("real.jsonl", join(repo, "audit.jsonl"));
    expectRefused(exec(repo), "is a symbolic link");
    expect(readFileSync(join(repo, "real.jsonl"), "utf8")).toBe("");
  });

  it("exec.files naming ../../outside.enc.yaml (or a link to it) is refused; its value never reaches the child", () => {
    copyFileSync(join(k.dir, "outside.enc.yaml"), join(home, "outside.enc.yaml"));
    const { repo } = clone("exec:\n  files: [secrets.enc.yaml, ../../outside.enc.yaml]\n");
    const r = exec(repo, ["--", "sh", "-c", "echo \"$OUTSIDE_VALUE\""]);
    expectRefused(r, "exec.files[1]");
    expect(r.stdout).not.toContain("private-outside-value");

    const r2 = clone("exec:\n  files: [linked.enc.yaml]\n");
    symlinkSync(join(home, "outside.enc.yaml"), join(r2.repo, "linked.enc.yaml"));
    const out2 = exec(r2.repo, ["--", "sh", "-c", "echo \"$OUTSIDE_VALUE\""]);
    expectRefused(out2, "leaves the repository through a symbolic link");
    expect(out2.stdout).not.toContain("private-outside-value");
  });

  it("a crafted file name ($(...), a newline, non-ASCII) yields one inert JSON line per decrypt", () => {
    const names = ["x$(touch pwned)`touch pwned2`.enc.yaml", 'y\n{"time":"forged","file":"f","command":"c","result":"success"}.enc.yaml', "zé\u2028.enc.yaml"];
    const { repo } = clone(`audit_log: audit.jsonl\nexec:\n  files: ${JSON.stringify(names)}\n`);
    for (const name of names) copyFileSync(join(k.dir, "secrets.enc.yaml"), join(repo, name));
    const r = exec(repo);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const log = readFileSync(join(repo, "audit.jsonl"));
    const text = log.toString("utf8");
    expect(text).toMatch(/^[\x20-\x7e\n]*$/);
    expect(text).not.toMatch(/[$`]/);
    const lines = text.trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.file).sort()).toEqual(names.map((f) => join(repo, f)).sort());
    // Even read by a shell (as if it were a dotfile), the log runs nothing.
    const sandbox = mkdtempSync(join(tmpdir(), "sealfile-sh-"));
    try {
      spawnSync("sh", [join(repo, "audit.jsonl")], { cwd: sandbox, stdio: "ignore" });
      expect(existsSync(join(sandbox, "pwned"))).toBe(false);
      expect(existsSync(join(sandbox, "pwned2"))).toBe(false);
    } finally {
      rmSync(sandbox, { recursive: true, force: true });
    }
  });

  it("a pre-existing file that is not a sealfile log is refused and left byte-identical (audit_log and SEALFILE_AUDIT_LOG)", () => {
    const { repo, bashrc } = clone("audit_log: NOTES.md\n");
    const notes = "# notes\nnot a log\n";
    writeFileSync(join(repo, "NOTES.md"), notes);
    expectRefused(exec(repo), "is not a sealfile audit log");
    expect(readFileSync(join(repo, "NOTES.md"), "utf8")).toBe(notes);

    // The user's own SEALFILE_AUDIT_LOG may point anywhere, but only at a sealfile log, and not through a link.
    const plain = clone("");
    expectRefused(exec(plain.repo, ["--", "true"], { SEALFILE_AUDIT_LOG: bashrc }), "is not a sealfile audit log");
    expect(readFileSync(bashrc, "utf8")).toBe(BASHRC);
    const link = join(home, "audit-link.jsonl");
    rmSync(link, { force: true });
    symlinkSync(bashrc, link);
    expectRefused(exec(plain.repo, ["--", "true"], { SEALFILE_AUDIT_LOG: link }), "is a symbolic link");
    expect(readFileSync(bashrc, "utf8")).toBe(BASHRC);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);

    const userLog = join(home, "my-audit.jsonl");
    rmSync(userLog, { force: true });
    expect(exec(plain.repo, ["--", "true"], { SEALFILE_AUDIT_LOG: userLog }).code).toBe(0);
    expect(exec(plain.repo, ["--", "true"], { SEALFILE_AUDIT_LOG: userLog }).code).toBe(0);
    expect(readFileSync(userLog, "utf8").trimEnd().split("\n")).toHaveLength(2);
    expect(lstatSync(userLog).mode & 0o777).toBe(0o600);
  });
});

describe("--all and status never take a symbolic link for a file of the repository", () => {
  // A link committed next to a hostile .sops.yaml: with `updatekeys --all`, the file it points to (outside the
  // repository) would be read and written back in the link's place, sealed for the attacker's recipient too,
  // ready to be committed and pushed.
  it("updatekeys --all and rotate --all leave the link, and the file it points to, untouched", () => {
    const attacker = "age1xq3ypj0ful9m3usyjkm9vswddrljwdz8xzpvx225dhersl5wpfhszyky9l";
    const { repo } = clone(`creation_rules:\n  - path_regex: \\.enc\\.yaml$\n    age: ${k.recipient},${attacker}\n`);
    const outside = join(home, "outside.enc.yaml");
    copyFileSync(join(k.dir, "outside.enc.yaml"), outside);
    const before = readFileSync(outside);
    symlinkSync(outside, join(repo, "linked.enc.yaml"));
    expect(spawnSync("git", ["add", "-A"], { cwd: repo }).status).toBe(0);
    for (const args of [["updatekeys", "--all", "-y"], ["rotate", "--all"]]) {
      const r = runSecrets(args, { env: k.env, cwd: repo });
      expect(r.code).toBe(0);
      expect(r.stderr).toContain("skipped linked.enc.yaml: a symbolic link");
      expect(r.stderr).toMatch(/secrets\.enc\.yaml/);
      expect(lstatSync(join(repo, "linked.enc.yaml")).isSymbolicLink()).toBe(true);
      expect(readFileSync(outside)).toEqual(before);
    }
    expect(readFileSync(join(repo, "secrets.enc.yaml"), "utf8")).toContain(attacker);
    const status = runSecrets(["status", "--json"], { env: k.env, cwd: repo });
    expect((JSON.parse(status.stdout) as { skippedLinks: string[] }).skippedLinks).toEqual(["linked.enc.yaml"]);
  });
});
