// Unit tests for src/repo-paths.ts: which folder is "the repository", and which paths a .sops.yaml may name.
import { afterAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { confineToRepository, repositoryRoot } from "../src/repo-paths.js";
import { isSealError } from "../src/errors.js";

const dir = realpathSync(mkdtempSync(join(tmpdir(), "sealfile-repo-paths-")));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const refusal = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (isSealError(e, "BAD_CONFIG") && e.hint) return e.message;
  }
  return "accepted";
};

describe("repositoryRoot", () => {
  it("is the nearest folder upward with a .git entry, else the .sops.yaml's folder", () => {
    mkdirSync(join(dir, "mono/.git"), { recursive: true });
    mkdirSync(join(dir, "mono/apps/web"), { recursive: true });
    mkdirSync(join(dir, "loose/app"), { recursive: true });
    expect(repositoryRoot(join(dir, "mono/apps/web/.sops.yaml"))).toBe(join(dir, "mono"));
    expect(repositoryRoot(join(dir, "loose/app/.sops.yaml"))).toBe(join(dir, "loose/app"));
  });
});

describe("confineToRepository", () => {
  const config = join(dir, "mono/apps/web/.sops.yaml");
  const root = join(dir, "mono");
  const confine = (v: string) => confineToRepository(v, "audit_log", config, root);

  it("resolves relative to the .sops.yaml's folder, anywhere in the repository", () => {
    expect(confine("audit.jsonl")).toBe(join(dir, "mono/apps/web/audit.jsonl"));
    expect(confine("../../shared/a.enc.yaml")).toBe(join(dir, "mono/shared/a.enc.yaml"));
    expect(confine("~/x")).toBe(join(dir, "mono/apps/web/~/x"));
  });

  it("refuses escaping by .., absolute paths, .git, empty names and NUL", () => {
    expect(refusal(() => confine("../../../x"))).toContain("points outside the repository");
    expect(refusal(() => confine("/etc/passwd"))).toContain("is an absolute path");
    expect(refusal(() => confine("C:evil"))).toContain("is an absolute path");
    expect(refusal(() => confine("../../.git/hooks/post-checkout"))).toContain("points into .git");
    expect(refusal(() => confine(" "))).toContain("is not a file path");
    expect(refusal(() => confine("a\0b"))).toContain("is not a file path");
  });

  it("refuses a path that leaves through a link (to a folder outside, or a dangling link), accepts one that stays", () => {
    symlinkSync(dir, join(dir, "mono/apps/web/up"));
    symlinkSync(join(dir, "nowhere/new.log"), join(dir, "mono/apps/web/dangling.log"));
    symlinkSync(join(dir, "mono/shared"), join(dir, "mono/apps/web/shared"));
    symlinkSync("loop-b", join(dir, "mono/apps/web/loop-a"));
    symlinkSync("loop-a", join(dir, "mono/apps/web/loop-b"));
    expect(refusal(() => confine("up/x.log"))).toContain("leaves the repository through a symbolic link");
    expect(refusal(() => confine("dangling.log"))).toContain("leaves the repository through a symbolic link");
    expect(refusal(() => confine("loop-a"))).toContain("leaves the repository through a symbolic link");
    expect(confine("shared/a.enc.yaml")).toBe(join(dir, "mono/apps/web/shared/a.enc.yaml"));
  });
});
