import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runGit, runGitText } from "../../src/git/run-git.js";
import { SealError } from "../../src/errors.js";

const outside = mkdtempSync(join(tmpdir(), "sealfile-nogit-"));
afterAll(() => rmSync(outside, { recursive: true, force: true }));

describe("runGit", () => {
  it("returns stdout as a Buffer and passes arguments without a shell", async () => {
    const out = await runGit(["--version"], { cwd: outside });
    expect(Buffer.isBuffer(out)).toBe(true);
    expect(out.toString()).toMatch(/^git version /);
    // a shell metacharacter is just an argument: git sees an unknown subcommand, nothing is expanded
    await expect(runGit(["version;echo", "pwned"], { cwd: outside })).rejects.toBeInstanceOf(SealError);
  });

  it("feeds stdin", async () => {
    const out = await runGitText(["hash-object", "--stdin"], { cwd: outside, input: Buffer.from("hello\n") });
    expect(out).toBe("ce013625030ba8dba906f756967f9e9ca394464a");
  });

  it("fails with a SealError of exit status 2 outside a repository", async () => {
    const err = await runGit(["rev-parse", "--show-toplevel"], { cwd: outside }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SealError);
    expect((err as SealError).code).toBe("GENERIC");
    expect((err as SealError).exitCode).toBe(2);
    expect((err as SealError).message).toMatch(/git rev-parse failed \(status 128\)/);
  });

  it("accepts listed non-zero statuses", async () => {
    const out = await runGit(["config", "--file", join(outside, "none"), "--get", "a.b"], { cwd: outside, okExitCodes: [1] });
    expect(out.length).toBe(0);
  });
});
