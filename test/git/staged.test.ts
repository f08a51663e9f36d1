import { chmodSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { listTracked, parseRawDiff, readBlobs, readStaged, readWorkingFiles } from "../../src/git/staged.js";
import { makeRepo, type TempRepo } from "./_repo.js";

let repo: TempRepo | undefined;
afterEach(() => repo?.cleanup());

const OID_A = "a".repeat(40);
const OID_B = "b".repeat(40);

describe("parseRawDiff", () => {
  it("reads adds, deletions, type changes and two-path renames/copies", () => {
    const raw = Buffer.from(
      [
        `:000000 100644 ${"0".repeat(40)} ${OID_A} A`, "new file.txt",
        `:100644 000000 ${OID_A} ${"0".repeat(40)} D`, "gone.txt",
        `:100644 120000 ${OID_A} ${OID_B} T`, "link",
        `:100644 100644 ${OID_A} ${OID_B} R087`, "old/name.txt", "new/name.txt",
        `:100644 100644 ${OID_A} ${OID_A} C100`, "src.txt", "copy.txt",
        "",
      ].join("\0"),
    );
    const e = parseRawDiff(raw);
    expect(e.map((x) => [x.status, x.path, x.fromPath])).toEqual([
      ["A", "new file.txt", undefined],
      ["D", "gone.txt", undefined],
      ["T", "link", undefined],
      ["R", "new/name.txt", "old/name.txt"],
      ["C", "copy.txt", "src.txt"],
    ]);
    expect(e[2]?.dstMode).toBe("120000");
  });

  it("rejects output of another shape", () => {
    expect(() => parseRawDiff(Buffer.from("diff --git a/x b/x\0"))).toThrow(/unexpected output/);
  });
});

describe("readBlobs (one git cat-file --batch, read as it streams)", () => {
  it("splits contents by their declared size, binary and newline-rich alike", async () => {
    repo = makeRepo();
    const bin = Buffer.from([0, 10, 10, 255, 10]);
    repo.write("bin", bin);
    repo.write("lines", "x\ny");
    repo.git("add", "bin", "lines");
    const [a, c] = ["bin", "lines"].map((p) => repo!.git("rev-parse", `:${p}`).trim());
    const m = await readBlobs(repo.dir, [a!, OID_B, c!, a!]);
    expect(m.get(a!)).toEqual(bin);
    expect(m.has(OID_B)).toBe(false);
    expect(m.get(c!)?.toString()).toBe("x\ny");
  });

  it("rejects a truncated stream", async () => {
    // a `git` that announces 10 bytes and sends 3
    const bin = mkdtempSync(join(tmpdir(), "sealfile-fake-git-"));
    writeFileSync(join(bin, "git"), `#!/bin/sh\ncat > /dev/null\nprintf '${OID_A} blob 10\\nabc'\n`, { mode: 0o755 });
    const path = process.env.PATH;
    process.env.PATH = `${bin}:${path ?? ""}`;
    try {
      await expect(readBlobs(tmpdir(), [OID_A])).rejects.toThrow(/git cat-file failed|malformed/);
    } finally {
      process.env.PATH = path;
      rmSync(bin, { recursive: true, force: true });
    }
  });
});

describe("readStaged", () => {
  it("reads index content before the first commit", async () => {
    repo = makeRepo();
    repo.write("a.txt", "alpha\n");
    repo.git("add", "a.txt");
    const staged = await readStaged(repo.dir);
    expect(staged).toHaveLength(1);
    expect(staged[0]).toMatchObject({ path: "a.txt", status: "A", mode: "100644" });
    expect(staged[0]?.content?.toString()).toBe("alpha\n");
  });

  it("sees the index, not the working tree; handles renames, deletions, symlinks, submodules, binaries", async () => {
    repo = makeRepo();
    const r = repo;
    r.write("keep.txt", "one\n");
    r.write("old.txt", "rename me\n");
    r.write("del.txt", "delete me\n");
    r.git("add", ".");
    r.git("commit", "-qm", "init");

    r.write("keep.txt", "staged version\n");
    r.git("add", "keep.txt");
    r.write("keep.txt", "working version\n"); // fixed in the working tree, not re-staged
    r.git("mv", "old.txt", "new.txt");
    r.git("rm", "-q", "del.txt");
    symlinkSync("keep.txt", join(r.dir, "link"));
    r.write("bin.dat", Buffer.from([0x89, 0x50, 0, 1, 2, 0, 3]));
    r.git("add", "link", "bin.dat");
    r.git("update-index", "--add", "--cacheinfo", `160000,${r.git("rev-parse", "HEAD").trim()},vendor/sub`);
    r.write("spaces and ünïcode.txt", "x\n");
    r.git("add", "spaces and ünïcode.txt");

    const byPath = new Map((await readStaged(r.dir)).map((e) => [e.path, e]));
    expect(byPath.get("keep.txt")?.content?.toString()).toBe("staged version\n");
    expect(byPath.get("new.txt")).toMatchObject({ status: "A" });
    expect(byPath.get("new.txt")?.content?.toString()).toBe("rename me\n");
    expect(byPath.get("old.txt")).toMatchObject({ status: "D", content: null });
    expect(byPath.get("del.txt")).toMatchObject({ status: "D", content: null });
    expect(byPath.get("link")).toMatchObject({ mode: "120000" });
    expect(byPath.get("link")?.content?.toString()).toBe("keep.txt");
    expect(byPath.get("vendor/sub")).toMatchObject({ mode: "160000", content: null });
    expect(byPath.get("bin.dat")?.content).toEqual(Buffer.from([0x89, 0x50, 0, 1, 2, 0, 3]));
    expect(byPath.get("spaces and ünïcode.txt")?.content?.toString()).toBe("x\n");
  });

  it("reads the index even when the working file is gone or unreadable", async () => {
    repo = makeRepo();
    repo.write("cfg.txt", "staged\n");
    repo.git("add", "cfg.txt");
    chmodSync(join(repo.dir, "cfg.txt"), 0o000);
    expect((await readStaged(repo.dir))[0]?.content?.toString()).toBe("staged\n");
    unlinkSync(join(repo.dir, "cfg.txt"));
    expect((await readStaged(repo.dir))[0]?.content?.toString()).toBe("staged\n");
  });
});

describe("listTracked / readWorkingFiles", () => {
  it("lists index entries and reads the working tree, with notes for missing or unreadable files", async () => {
    repo = makeRepo();
    const r = repo;
    r.write("a.txt", "A\n");
    r.write("d/b.txt", "B\n");
    r.write("gone.txt", "G\n");
    r.write("locked.txt", "L\n");
    r.git("add", ".");
    rmSync(join(r.dir, "gone.txt"));
    chmodSync(join(r.dir, "locked.txt"), 0o000);
    const tracked = await listTracked(r.dir);
    expect(tracked.map((t) => t.path).sort()).toEqual(["a.txt", "d/b.txt", "gone.txt", "locked.txt"]);
    const files = new Map((await readWorkingFiles(r.dir, tracked)).map((f) => [f.path, f]));
    expect(files.get("d/b.txt")?.content?.toString()).toBe("B\n");
    expect(files.get("gone.txt")).toMatchObject({ content: null, note: "deleted in the working tree" });
    if (process.getuid?.() !== 0) expect(files.get("locked.txt")).toMatchObject({ content: null, note: "unreadable (EACCES)" });
    expect((await listTracked(r.dir, ["d"])).map((t) => t.path)).toEqual(["d/b.txt"]);
  });
});
