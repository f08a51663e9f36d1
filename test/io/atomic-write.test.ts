// Unit tests for src/io/atomic-write.ts: encrypted output keeps the replaced file's mode, plaintext is 0600,
// and neither writes through a symbolic link at the target.
import { afterAll, describe, expect, it } from "vitest";
import { chmodSync, lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeFileAtomic, writePlaintextAtomic } from "../../src/io/atomic-write.js";

const dir = mkdtempSync(join(tmpdir(), "sealfile-atomic-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("writeFileAtomic", () => {
  it("keeps the mode of the regular file it replaces, and leaves no temp file", () => {
    const p = join(dir, "kept.enc.yaml");
    writeFileSync(p, "old");
    chmodSync(p, 0o640);
    writeFileAtomic(p, Buffer.from("new"));
    expect(readFileSync(p, "utf8")).toBe("new");
    expect(lstatSync(p).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("replaces a symbolic link itself, never the file it points to", () => {
    const target = join(dir, "target");
    writeFileSync(target, "theirs");
    const link = join(dir, "link.enc.yaml");
    symlinkSync(target, link);
    writeFileAtomic(link, Buffer.from("ours"));
    expect(readFileSync(target, "utf8")).toBe("theirs");
    expect(lstatSync(link).isFile()).toBe(true);
  });
});

describe("writePlaintextAtomic", () => {
  it("writes 0600 over a 0666 file", () => {
    const p = join(dir, "plain.yaml");
    writeFileSync(p, "old");
    chmodSync(p, 0o666);
    writePlaintextAtomic(p, Buffer.from("secret"));
    expect(readFileSync(p, "utf8")).toBe("secret");
    expect(lstatSync(p).mode & 0o777).toBe(0o600);
  });
});
