import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_SECRETS_COMMAND, guardLine, installHook } from "../../src/git/hook-install.js";

const GUARD_COMMAND = guardLine(DEFAULT_SECRETS_COMMAND);
import { SealError } from "../../src/errors.js";
import { makeRepo, type TempRepo } from "./_repo.js";

let repo: TempRepo | undefined;
afterEach(() => repo?.cleanup());

describe("installHook without husky", () => {
  it("writes an executable .git/hooks/pre-commit once, and is idempotent", async () => {
    repo = makeRepo();
    const first = await installHook({ cwd: repo.dir });
    const hook = join(repo.dir, ".git", "hooks", "pre-commit");
    expect(first).toMatchObject({ manager: "git", action: "created", hookPath: hook });
    expect(readFileSync(hook, "utf8")).toContain(GUARD_COMMAND);
    expect(statSync(hook).mode & 0o777).toBe(0o755);
    expect((await installHook({ cwd: repo.dir })).action).toBe("unchanged");
  });

  it("refuses to overwrite a foreign hook unless forced, then keeps it and runs it first", async () => {
    repo = makeRepo();
    repo.write(".git/hooks/pre-commit", "#!/bin/sh\nmake lint\n");
    const err = await installHook({ cwd: repo.dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SealError);
    expect((err as SealError).exitCode).toBe(2);
    expect(readFileSync(join(repo.dir, ".git/hooks/pre-commit"), "utf8")).toBe("#!/bin/sh\nmake lint\n");
    const forced = await installHook({ cwd: repo.dir, force: true });
    expect(forced.action).toBe("chained");
    expect(readFileSync(`${forced.hookPath}.sealfile-chained`, "utf8")).toBe("#!/bin/sh\nmake lint\n");
    expect(readFileSync(forced.hookPath, "utf8")).toContain(GUARD_COMMAND);
    expect(statSync(forced.hookPath).mode & 0o111).not.toBe(0);
  });

  it("works from a subdirectory", async () => {
    repo = makeRepo();
    repo.write("pkg/a/file.txt", "x");
    const res = await installHook({ cwd: join(repo.dir, "pkg", "a") });
    expect(res.hookPath).toBe(join(repo.dir, ".git", "hooks", "pre-commit"));
  });

  it("fails with exit status 2 outside a repository", async () => {
    const outside = mkdtempSync(join(tmpdir(), "sealfile-nogit-"));
    const err = await installHook({ cwd: outside }).catch((e: unknown) => e);
    rmSync(outside, { recursive: true, force: true });
    expect((err as SealError).exitCode).toBe(2);
  });
});

describe("installHook with husky", () => {
  it("creates .husky/pre-commit when husky is a dev dependency", async () => {
    repo = makeRepo();
    repo.write("package.json", JSON.stringify({ devDependencies: { husky: "9.1.7" } }));
    const res = await installHook({ cwd: repo.dir });
    expect(res).toMatchObject({ manager: "husky", action: "created" });
    expect(res.note).toMatch(/husky is not active/);
    expect(readFileSync(join(repo.dir, ".husky/pre-commit"), "utf8")).toBe(`${GUARD_COMMAND}\n`);
    expect(existsSync(join(repo.dir, ".git/hooks/pre-commit"))).toBe(false);
  });

  it("appends to an existing husky hook without clobbering its lines, once", async () => {
    repo = makeRepo();
    repo.write(".husky/pre-commit", "npm test\nnpx lint-staged"); // no trailing newline
    repo.git("config", "core.hooksPath", ".husky/_");
    const res = await installHook({ cwd: repo.dir });
    expect(res).toMatchObject({ manager: "husky", action: "added" });
    expect(res.note).toBeUndefined();
    expect(readFileSync(join(repo.dir, ".husky/pre-commit"), "utf8")).toBe(`npm test\nnpx lint-staged\n${GUARD_COMMAND}\n`);
    expect((await installHook({ cwd: repo.dir })).action).toBe("unchanged");
    expect(readFileSync(join(repo.dir, ".husky/pre-commit"), "utf8").split(GUARD_COMMAND)).toHaveLength(2);
  });

  it("recognises `node bin/secrets.js guard` (sealfile's own hook) and keeps the hook executable", async () => {
    repo = makeRepo();
    repo.write(".husky/pre-commit", "node bin/secrets.js guard --staged\n");
    expect((await installHook({ cwd: repo.dir, command: "node bin/secrets.js" })).action).toBe("unchanged");
    repo.write(".husky/pre-commit", "npm test\n"); // husky 9 writes hooks without the executable bit
    const res = await installHook({ cwd: repo.dir });
    expect(res.action).toBe("added");
    expect(statSync(res.hookPath).mode & 0o111).not.toBe(0);
  });
});
