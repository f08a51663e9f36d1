// Issue 13 items 1 and 5: a value that does not fit its flag or a wrong number of arguments is a usage error
// (exit 2) before anything runs — never an error from deeper down, an internal error, or a run on stdin —
// and the message names the flag but never repeats what was given (it may be a secret). Also: shell
// completion, which no longer goes through yargs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FIXTURES, ROOT, baseEnv } from "../helpers/cli.js";
import { runInProcess } from "../helpers/in-process.js";

const SEALED = join(FIXTURES, "age-examples", "example.yaml");
const KEYS = join(FIXTURES, "age-examples", "keys.txt");
let dir: string;
let env: Record<string, string>;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "sealfile-argvalues-"));
  copyFileSync(SEALED, join(dir, "example.yaml"));
  env = baseEnv(dir, { SOPS_AGE_KEY_FILE: KEYS });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs with the sealed file on stdin too, so a command that wrongly fell back to stdin would print plaintext. */
const run = (args: string[]) => runInProcess(args, { env, cwd: dir, input: readFileSync(SEALED) });

const CASES: { args: string[]; says: string; hidden?: string }[] = [
  { args: ["decrypt", "--extract"], says: "--extract needs a value" },
  { args: ["decrypt", "--config", "--output-type", "json", "example.yaml"], says: "--config needs a value" },
  { args: ["keygen", "-o"], says: "--output needs a value" },
  { args: ["merge", "--resolve"], says: "--resolve needs a value" },
  { args: ["decrypt", "--output", "a.txt", "--output", "b.txt", "example.yaml"], says: "--output is given more than once" },
  { args: ["decrypt", "--indent", "four", "example.yaml"], says: "--indent needs a number", hidden: "four" },
  { args: ["encrypt", "--shamir-secret-sharing-threshold", "x7q", "example.yaml"], says: "needs a number", hidden: "x7q" },
  { args: ["decrypt", "--dotenv-grammar", "hunter2", "example.yaml"], says: "--dotenv-grammar must be one of: dotenv, sops", hidden: "hunter2" },
  { args: ["decrypt", "example.yaml", "extra-word-q7"], says: "1 argument too many", hidden: "extra-word-q7" },
  { args: ["set", "example.yaml", '["a"]', '"v"', "fourth-word-k2"], says: "1 argument too many", hidden: "fourth-word-k2" },
  { args: ["filestatus"], says: "missing <file>" },
  { args: ["git", "merge", "a", "b"], says: "missing <theirs>" },
  { args: ["git"], says: "name a git subcommand" },
  { args: ["hook"], says: "name a hook command" },
  { args: ["merge"], says: "missing required option --resolve" },
  { args: ["completion", "extra"], says: "1 argument too many" },
];

describe("issue 13: values that do not fit are usage errors, before anything runs", () => {
  for (const c of CASES) {
    it(`secrets ${c.args.join(" ")}`, async () => {
      const r = await run(c.args);
      expect(r.stderr).toMatch(/^error\[USAGE\]: .*\nhint: see 'secrets [a-z -]+--help'\.\n$/);
      expect(r.stderr).toContain(c.says);
      if (c.hidden) expect(r.stderr).not.toContain(c.hidden);
      expect(r.stdout).toBe("");
      expect(r.code).toBe(2);
      expect(readdirSync(dir)).toEqual(["example.yaml"]);
    });
  }

  it("a string flag declared with an optional value may be given bare (guard --history)", async () => {
    const r = await run(["guard", "--history"]);
    expect(r.stderr).not.toContain("needs a value");
  });

  it("`--` ends the options: what follows is the file", async () => {
    const r = await run(["decrypt", "--", "example.yaml"]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("myapp1:");
    expect(r.code).toBe(0);
  });

  it("help inside a group of letters (-ih) prints the command's page and runs nothing", async () => {
    const r = await run(["decrypt", "-ih", "example.yaml"]);
    expect(r.stdout).toMatch(/^Usage: secrets decrypt \[file\] \[options\]\n/);
    expect(r.code).toBe(0);
    expect(readdirSync(dir)).toEqual(["example.yaml"]);
  });

  it("a missing file or folder is FILE_NOT_FOUND, not an internal error (merge --resolve, status)", async () => {
    for (const args of [["merge", "--resolve", "nofile.yaml"], ["status", "nowhere"]]) {
      const r = await run(args);
      expect(r.stderr).toMatch(/^error\[FILE_NOT_FOUND\]: no(file\.yaml|where): no such file/);
      expect(r.code).not.toBe(1);
    }
  });
});

describe("issue 13: shell completion", () => {
  it("answers the completion script's requests from the commands' declarations", async () => {
    const ask = async (...words: string[]) => (await run(["--get-yargs-completions", "secrets", ...words])).stdout.split("\n").filter(Boolean);
    expect(await ask("dec")).toContain("decrypt");
    expect(await ask("git", "")).toEqual(["setup", "diff-text", "merge"]);
    const flags = await ask("decrypt", "--ex");
    expect(flags).toContain("--extract");
    expect(flags).toContain("--verbose");
    expect(flags).not.toContain("--all");
    expect(await ask("decrypt", "exam")).toEqual([]);
  });

  it.skipIf(spawnSync("bash", ["--version"]).status !== 0)("the bash script completes through a real bash", async () => {
    const script = (await run(["completion"])).stdout;
    expect(script).toContain("complete -o bashdefault -o default -F _secrets_completions secrets");
    // `secrets` on PATH is the built CLI.
    const bin = join(dir, "bin");
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, "secrets"), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(join(ROOT, "bin/secrets.js"))} "$@"\n`, { mode: 0o755 });
    const bash = spawnSync("bash", ["--norc", "-c", `${script}\nCOMP_WORDS=(secrets decrypt --ext); COMP_CWORD=2; _secrets_completions; printf '%s\\n' "\${COMPREPLY[@]}"`], {
      env: { PATH: `${bin}:${process.env.PATH}`, HOME: dir },
      encoding: "utf8",
      timeout: 60_000,
    });
    rmSync(bin, { recursive: true, force: true });
    expect(bash.stderr).toBe("");
    expect(bash.stdout).toBe("--extract\n");
  });
});
