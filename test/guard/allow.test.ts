import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { hasInlineAllow, loadBaseline, loadIgnoreFile, writeBaseline } from "../../src/guard/allow.js";
import { SealError } from "../../src/errors.js";
import type { Finding } from "../../src/guard/types.js";

const dir = mkdtempSync(join(tmpdir(), "sealfile-allow-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const fp = (c: string) => c.repeat(64);
const finding = (fingerprint: string): Finding => ({ rule: "r", path: "p", excerpt: "", fingerprint, message: "m" });

describe("allowances", () => {
  it("recognises the inline marker", () => {
    expect(hasInlineAllow('key = "x" // secrets:allow')).toBe(true);
    expect(hasInlineAllow('key = "x" // secrets: allow')).toBe(false);
  });

  it("writes a sorted, de-duplicated baseline and reads it back", async () => {
    const path = join(dir, "b.json");
    const b = writeBaseline(path, [finding(fp("b")), finding(fp("a")), finding(fp("b"))]);
    expect(b.fingerprints).toEqual([fp("a"), fp("b")]);
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual({ version: 1, fingerprints: [fp("a"), fp("b")] });
    expect([...(await loadBaseline(path))]).toEqual([fp("a"), fp("b")]);
  });

  it("treats a missing baseline as empty and rejects a malformed one with exit status 2", async () => {
    expect((await loadBaseline(join(dir, "none.json"))).size).toBe(0);
    for (const bad of ["not json", '{"version":2,"fingerprints":[]}', '{"version":1,"fingerprints":["secret!"]}']) {
      writeFileSync(join(dir, "bad.json"), bad);
      const err = await loadBaseline(join(dir, "bad.json")).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SealError);
      expect((err as SealError).exitCode).toBe(2);
      expect((err as SealError).message).not.toContain("secret!");
    }
  });

  it("loads .secretsignore from the root, or ignores nothing", async () => {
    expect((await loadIgnoreFile(dir)).ignores("x")).toBe(false);
    writeFileSync(join(dir, ".secretsignore"), "test/fixtures/**\n");
    expect((await loadIgnoreFile(dir)).ignores("test/fixtures/a/b.txt")).toBe(true);
  });
});
