// Unit tests for src/ops/env-files.ts: format detection through `.enc`, and which files are used by default.
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_ENV_FILES, defaultEnvFiles, envFileFormat } from "../../src/ops/env-files.js";
import { parseConfig } from "../../src/config.js";

const dir = mkdtempSync(join(tmpdir(), "sealfile-envfiles-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("envFileFormat", () => {
  it("looks through a trailing .enc", () => {
    expect(envFileFormat("/a/.env.enc")).toBe("dotenv");
    expect(envFileFormat(".env.enc")).toBe("dotenv");
    expect(envFileFormat("prod.env.enc")).toBe("dotenv");
    expect(envFileFormat("x/secrets.yaml.enc")).toBe("yaml");
    expect(envFileFormat("secrets.enc.json")).toBe("json");
    expect(envFileFormat("secrets.enc.yaml")).toBe("yaml");
    expect(envFileFormat("a.ini")).toBe("ini");
  });
  it("an explicit type wins", () => {
    expect(envFileFormat("weird.txt", "json")).toBe("json");
  });
});

describe("defaultEnvFiles", () => {
  it("exec.files of the config, relative to the config's folder", () => {
    const config = parseConfig("exec:\n  files: [a.enc.yaml, sub/b.env]\n", join(dir, "proj/.sops.yaml"));
    expect(defaultEnvFiles("/elsewhere", config)).toEqual([join(dir, "proj/a.enc.yaml"), join(dir, "proj/sub/b.env")]);
  });
  it("else the first conventional file that exists, else none", () => {
    const d = join(dir, "conv");
    mkdirSync(d);
    expect(defaultEnvFiles(d, undefined)).toEqual([]);
    writeFileSync(join(d, ".env.enc"), "");
    expect(defaultEnvFiles(d, undefined)).toEqual([join(d, ".env.enc")]);
    writeFileSync(join(d, "secrets.enc.json"), "");
    expect(defaultEnvFiles(d, undefined)).toEqual([join(d, "secrets.enc.json")]);
    expect(DEFAULT_ENV_FILES.indexOf("secrets.enc.json")).toBeLessThan(DEFAULT_ENV_FILES.indexOf(".env.enc"));
  });
});
