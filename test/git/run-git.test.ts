import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { mayBeInRepository, runGit, runGitText } from "../../src/git/run-git.js";
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

describe("mayBeInRepository: git is not started where it could find no repository", () => {
  // Each answer is checked against git itself (`rev-parse --git-dir` succeeds exactly where a repository is found).
  const gitFinds = (dir: string): Promise<boolean> => runGit(["rev-parse", "--git-dir"], { cwd: dir }).then(() => true, () => false);

  it("answers as git does: plain folders, a work tree's subfolder, a linked worktree's .git file, a bare repository, a link into a repository", async () => {
    const root = mkdtempSync(join(tmpdir(), "sealfile-discover-"));
    try {
      const plain = join(root, "plain", "deep");
      mkdirSync(plain, { recursive: true });
      const repo = join(root, "repo");
      mkdirSync(join(repo, "sub", "deeper"), { recursive: true });
      await runGit(["init", "-q", repo], { cwd: root });
      const linked = join(root, "linked");
      mkdirSync(linked);
      writeFileSync(join(linked, ".git"), `gitdir: ${join(repo, ".git")}\n`);
      const bare = join(root, "bare.git");
      await runGit(["init", "-q", "--bare", bare], { cwd: root });
      symlinkSync(join(repo, "sub"), join(root, "plain", "link"));
      const cases = [plain, join(root, "plain"), join(repo, "sub", "deeper"), linked, bare, join(bare, "refs"), join(root, "plain", "link")];
      const found = await Promise.all(cases.map(gitFinds));
      if (found[0]) return; // this machine's temp folder is itself inside a repository: nothing to tell apart
      expect(found).toEqual([false, false, true, true, true, true, true]);
      expect(cases.map((c) => mayBeInRepository(c))).toEqual(found);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("says yes whenever GIT_DIR is set", () => {
    const saved = process.env.GIT_DIR;
    process.env.GIT_DIR = join(outside, "elsewhere");
    try {
      expect(mayBeInRepository(outside)).toBe(true);
    } finally {
      if (saved === undefined) delete process.env.GIT_DIR;
      else process.env.GIT_DIR = saved;
    }
  });
});
