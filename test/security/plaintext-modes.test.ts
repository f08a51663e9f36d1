// Security (issue 12, item 8 "Plaintext with loose modes"): every plaintext file `secrets` writes is a
// fresh 0600 regular file, whatever was at the target before (a 0644/0666 file, a symbolic link) and
// whatever the umask; a link at the target is replaced, and the file it pointed to is left untouched.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, lstatSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BIN, runSecrets } from "../helpers/cli.js";
import { keyedDir, type KeyedDir } from "../helpers/exec-cli.js";

const PLAIN = "db_password: plaintext-canary-8a7f\n";

let k: KeyedDir;
let sealed: string;
let n = 0;
beforeAll(() => {
  k = keyedDir();
  sealed = k.seal("secrets.enc.yaml", PLAIN);
});
afterAll(() => {
  k.cleanup();
  rmSync(k.dir, { recursive: true, force: true });
});

const fresh = (name: string): string => join(k.dir, `${++n}-${name}`);
const modeOf = (path: string): number => lstatSync(path).mode & 0o777;

function decrypt(args: string[]) {
  const r = runSecrets(["decrypt", ...args], { env: k.env, cwd: k.dir });
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return r;
}

describe("item 8 — plaintext with loose modes: plaintext outputs are always 0600, never written through a link", () => {
  it("decrypt --output onto an existing 0644 or 0666 file leaves a 0600 file", () => {
    for (const mode of [0o644, 0o666]) {
      const out = fresh("out.yaml");
      writeFileSync(out, "old\n");
      chmodSync(out, mode);
      decrypt(["--output", out, sealed]);
      expect(readFileSync(out, "utf8")).toBe(PLAIN);
      expect(modeOf(out)).toBe(0o600);
    }
  });

  it("decrypt --output onto a symbolic link replaces the link with a 0600 file; the file it pointed to is unchanged", () => {
    const other = fresh("other.txt");
    writeFileSync(other, "someone else's file\n");
    chmodSync(other, 0o644);
    const out = fresh("link.yaml");
    symlinkSync(other, out);
    decrypt(["--output", out, sealed]);
    expect(readFileSync(other, "utf8")).toBe("someone else's file\n");
    expect(modeOf(other)).toBe(0o644);
    expect(lstatSync(out).isFile()).toBe(true);
    expect(readFileSync(out, "utf8")).toBe(PLAIN);
    expect(modeOf(out)).toBe(0o600);

    // A dangling link: its target is not created.
    const nowhere = fresh("nowhere.yaml");
    const dangling = fresh("dangling.yaml");
    symlinkSync(nowhere, dangling);
    decrypt(["--output", dangling, sealed]);
    expect(existsSync(nowhere)).toBe(false);
    expect(lstatSync(dangling).isFile()).toBe(true);
    expect(modeOf(dangling)).toBe(0o600);
  });

  it("decrypt -i on a 0644 encrypted file leaves 0600 plaintext", () => {
    const file = fresh("inplace.enc.yaml");
    copyFileSync(sealed, file);
    chmodSync(file, 0o644);
    decrypt(["-i", file]);
    expect(readFileSync(file, "utf8")).toBe(PLAIN);
    expect(modeOf(file)).toBe(0o600);
  });

  it("a new plaintext file is 0600 whatever the umask (000 and 277)", () => {
    for (const umask of ["000", "277"]) {
      const out = fresh("new.yaml");
      const r = spawnSync("sh", ["-c", `umask ${umask} && exec "$0" "$@"`, process.execPath, BIN, "decrypt", "--output", out, sealed], { env: k.env, cwd: k.dir });
      expect(r.stderr.toString()).toBe("");
      expect(r.status).toBe(0);
      expect(readFileSync(out, "utf8")).toBe(PLAIN);
      expect(statSync(out).mode & 0o777).toBe(0o600);
    }
  });

});
