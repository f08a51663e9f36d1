/**
 * A repository can commit a symbolic link where sealfile expects a small file of its own — `.sops.yaml`,
 * `.secretsignore`, `.gitattributes`, a husky hook, an encrypted file — pointing at /dev/zero. Read as usual,
 * that hangs every command run there while memory grows. Each such file must be refused at once with a
 * clear error (or, for the guard's index-governed configuration, simply not used). A local FIFO too.
 */
import { execFileSync, spawn } from "node:child_process";
import { lstatSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { baseEnv, runSecretsAsync, tempHome } from "../helpers/cli.js";
import { keyedDir } from "../helpers/exec-cli.js";
import { makeRepo } from "../git/_repo.js";

const home = tempHome();
const env = baseEnv(home.dir, { GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" });
afterAll(() => home.cleanup());
// A real process, cut off well before vitest's own timeout: a hang shows as code -1.
const run = (args: string[], cwd: string, extra: Record<string, string> = {}) => runSecretsAsync(args, { env: { ...env, ...extra }, cwd, process: true, timeoutMs: 20_000 });

/** Runs `body` in a fresh repository, removed afterwards. */
async function inRepo(body: (repo: ReturnType<typeof makeRepo>) => Promise<void>): Promise<void> {
  const repo = makeRepo();
  try {
    await body(repo);
  } finally {
    repo.cleanup();
  }
}

describe("links to /dev/zero where sealfile reads a small file", () => {
  it(".sops.yaml: decrypt, status, encrypt and exec stop at once with BAD_CONFIG", async () => {
    const k = keyedDir();
    const repo = makeRepo();
    try {
      const sealed = k.seal("s.enc.yaml", "A: 1\n");
      execFileSync("cp", [sealed, join(repo.dir, "s.enc.yaml")]);
      symlinkSync("/dev/zero", join(repo.dir, ".sops.yaml"));
      for (const args of [["decrypt", "s.enc.yaml"], ["status"], ["encrypt", "-i", "s.enc.yaml"], ["exec", "-f", "s.enc.yaml", "--", "true"]]) {
        const r = await run(args, repo.dir, k.env);
        expect(r.code, args.join(" ")).toBe(1);
        expect(r.stderr).toMatch(/^error\[BAD_CONFIG\]: .*\.sops\.yaml is not a regular file \(a device\)\nhint: /);
      }
    } finally {
      repo.cleanup();
      k.cleanup();
      rmSync(k.dir, { recursive: true, force: true });
    }
  });

  it("a FIFO .sops.yaml is not waited on", () =>
    inRepo(async (repo) => {
      execFileSync("mkfifo", [join(repo.dir, ".sops.yaml")]);
      repo.write("a.yaml", "a: 1\n");
      const r = await run(["status"], repo.dir);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("is not a regular file (a FIFO)");
    }));

  it("exec -f with an encrypted file that links to /dev/zero is refused", () =>
    inRepo(async (repo) => {
      symlinkSync("/dev/zero", join(repo.dir, "x.enc.yaml"));
      const r = await run(["exec", "-f", "x.enc.yaml", "--", "true"], repo.dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^error\[CANNOT_READ_INPUT\]: x\.enc\.yaml: not a regular file/);
    }));

  it("a committed .secretsignore link does not stop the guard; .gitattributes and a husky hook are refused", () =>
    inRepo(async (repo) => {
      symlinkSync("/dev/zero", join(repo.dir, ".secretsignore"));
      repo.write("a.txt", "A=1\n");
      repo.git("add", "-A");
      const guard = await run(["guard", "--staged"], repo.dir);
      expect(guard.code).toBe(0);
      expect(guard.stderr).toContain("no secrets found");

      repo.write(".sops.yaml", "creation_rules:\n  - path_regex: \\.enc\\.yaml$\n    age: age1xq3ypj0ful9m3usyjkm9vswddrljwdz8xzpvx225dhersl5wpfhszyky9l\n");
      symlinkSync("/dev/zero", join(repo.dir, ".gitattributes"));
      const setup = await run(["git", "setup"], repo.dir);
      expect(setup.code).toBe(2);
      expect(setup.stderr).toMatch(/\.gitattributes is not a regular file \(a device\)/);

      repo.write(".husky/.keep", "");
      symlinkSync("/dev/zero", join(repo.dir, ".husky/pre-commit"));
      const hook = await run(["hook", "install"], repo.dir);
      expect(hook.code).toBe(2);
      expect(hook.stderr).toMatch(/pre-commit is not a regular file \(a device\)/);
    }));
});

describe("the library reads files as the CLI does", () => {
  it("decryptFile refuses a link to /dev/zero at once, and names a missing file FILE_NOT_FOUND", () =>
    inRepo(async (repo) => {
      const { decryptFile } = await import("../../src/index.js");
      symlinkSync("/dev/zero", join(repo.dir, "x.enc.yaml"));
      await expect(decryptFile("x.enc.yaml", { cwd: repo.dir, env: {} })).rejects.toMatchObject({ code: "CANNOT_READ_INPUT" });
      await expect(decryptFile("missing.enc.yaml", { cwd: repo.dir, env: {} })).rejects.toMatchObject({ code: "FILE_NOT_FOUND" });
    }));
});

describe("--output to a FIFO", () => {
  it("decrypt and encrypt write into a FIFO and leave it one (encrypt no longer reads it first, for IVs to reuse)", async () => {
    const k = keyedDir();
    try {
      const sealed = k.seal("s.enc.yaml", "A: fifo-value\n");
      writeFileSync(join(k.dir, "plain.yaml"), "B: 1\n");
      const fifo = join(k.dir, "out.fifo");
      execFileSync("mkfifo", [fifo]);
      for (const args of [["decrypt", "--output", fifo, sealed], ["encrypt", "--age", k.recipient, "--output", fifo, "plain.yaml"]]) {
        const reader = spawn("cat", [fifo]);
        let got = "";
        reader.stdout.on("data", (c: Buffer) => (got += c.toString()));
        const closed = new Promise((done) => reader.on("close", done));
        const r = await runSecretsAsync(args, { env: k.env, cwd: k.dir, process: true, timeoutMs: 20_000 });
        await closed;
        expect(r.code, r.stderr).toBe(0);
        expect(got).toMatch(args[0] === "decrypt" ? /A: fifo-value/ : /B: ENC\[AES256_GCM/);
        expect(lstatSync(fifo).isFIFO()).toBe(true);
      }
    } finally {
      k.cleanup();
      rmSync(k.dir, { recursive: true, force: true });
    }
  });
});

