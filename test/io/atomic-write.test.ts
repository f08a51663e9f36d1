// Unit tests for src/io/atomic-write.ts: encrypted output keeps the replaced file's mode, plaintext is 0600,
// and neither writes through a symbolic link at the target.
import { afterAll, describe, expect, it } from "vitest";
import { execFileSync, spawn } from "node:child_process";
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

describe("a FIFO or a character device as the target", () => {
  // Renaming a file over a device replaces the device: `decrypt --output /dev/null`, run as root, once
  // turned the machine's /dev/null into a 0600 file holding the plaintext (found by test/edges/fuzz-argv.test.ts).
  const isRoot = process.getuid?.() === 0;
  if (!isRoot) process.stderr.write("note: not root; skipping the character-device case of atomic-write.test.ts (it needs mknod; CI runs as root)\n");

  it.skipIf(!isRoot)("a character device (a private copy of /dev/null) is written to, not replaced", () => {
    const dev = join(dir, "null-device");
    execFileSync("mknod", ["-m", "666", dev, "c", "1", "3"]);
    writePlaintextAtomic(dev, Buffer.from("secret"));
    writeFileAtomic(dev, Buffer.from("sealed"));
    expect(lstatSync(dev).isCharacterDevice()).toBe(true);
    expect(readdirSync(dir).filter((n) => n.includes("null-device") && n !== "null-device")).toEqual([]);
  });

  it("a FIFO, and a link to one, are written to, and stay what they are", async () => {
    const fifo = join(dir, "out.fifo");
    execFileSync("mkfifo", [fifo]);
    const link = join(dir, "out.link");
    symlinkSync(fifo, link);
    for (const [target, write] of [[fifo, writePlaintextAtomic], [link, writeFileAtomic]] as const) {
      const reader = spawn("cat", [fifo]);
      const got = new Promise<string>((done) => {
        let text = "";
        reader.stdout.on("data", (c: Buffer) => (text += c.toString()));
        reader.on("close", () => done(text));
      });
      write(target, Buffer.from(`to ${target}`));
      expect(await got).toBe(`to ${target}`);
    }
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
  });
});
