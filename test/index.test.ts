// Acceptance (issue 4, point 5): the built package used as apps use it — an ESM app and a CommonJS app
// in a temp folder resolving `sealfile` through node_modules/sealfile → the project root, `require` and
// `import` of `sealfile/config`, and `node --import sealfile/config`.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./helpers/cli.js";
import { keyedDir, type KeyedDir } from "./helpers/exec-cli.js";

const PASSWORD = "lib-pass=\"q\"\nwith ünïcødé ✓";
let k: KeyedDir;

beforeAll(() => {
  k = keyedDir();
  mkdirSync(join(k.dir, "node_modules"));
  symlinkSync(ROOT, join(k.dir, "node_modules/sealfile"), "dir");
  k.seal("secrets.enc.yaml", `database:\n  password: ${JSON.stringify(PASSWORD)}\n  port: 5432\nAPI_TOKEN: tok_lib_0001\n`);
  k.seal("extra.env.enc", "EXTRA=from-dotenv\nAPI_TOKEN=tok_override\n");
});
afterAll(() => {
  k.cleanup();
  rmSync(k.dir, { recursive: true, force: true });
});

function node(args: string[], extra: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, args, { cwd: k.dir, env: { ...k.env, ...extra }, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function app(name: string, text: string): string {
  writeFileSync(join(k.dir, name), text);
  return name;
}

describe("ESM consumers", () => {
  it("decryptFile, decrypt and loadEnv", () => {
    const f = app(
      "esm-app.mjs",
      `import { decryptFile, decrypt, loadEnv, SealError } from "sealfile";
import { readFileSync } from "node:fs";
const doc = await decryptFile("secrets.enc.yaml");
const fromText = await decrypt(readFileSync("secrets.enc.yaml", "utf8"), { format: "yaml" });
const env = await loadEnv(["secrets.enc.yaml", "extra.env.enc"]);
const byDefault = await loadEnv();
let missing;
try { await loadEnv("nope.enc.yaml"); } catch (e) { missing = e instanceof SealError ? e.code : "other"; }
console.log(JSON.stringify({ doc: { ...doc, database: { ...doc.database, port: String(doc.database.port) } }, same: JSON.stringify(fromText) === JSON.stringify(doc), env, byDefault, missing }));`,
    );
    const r = node([f]);
    expect(r.stderr).toBe("");
    const out = JSON.parse(r.stdout);
    expect(out.doc).toEqual({ database: { password: PASSWORD, port: "5432" }, API_TOKEN: "tok_lib_0001" });
    expect(out.same).toBe(true);
    expect(out.env).toEqual({ DATABASE_PASSWORD: PASSWORD, DATABASE_PORT: "5432", API_TOKEN: "tok_override", EXTRA: "from-dotenv" });
    expect(out.byDefault).toEqual({ DATABASE_PASSWORD: PASSWORD, DATABASE_PORT: "5432", API_TOKEN: "tok_lib_0001" });
    expect(out.missing).toBe("FILE_NOT_FOUND");
  });

  it("import 'sealfile/config' fills process.env before the next import runs", () => {
    app("esm-reader.mjs", `export const seen = process.env.DATABASE_PASSWORD;\n`);
    const f = app("esm-config.mjs", `import "sealfile/config";\nimport { seen } from "./esm-reader.mjs";\nconsole.log(JSON.stringify({ seen, port: process.env.DATABASE_PORT }));\n`);
    const r = node([f]);
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual({ seen: PASSWORD, port: "5432" });
  });

  it("node --import sealfile/config app.mjs, with SECRETS_FILES: secrets win over existing variables, as in secrets exec (issue 18 item 6)", () => {
    const f = app("plain.mjs", `console.log(JSON.stringify({ t: process.env.API_TOKEN, e: process.env.EXTRA, p: process.env.DATABASE_PASSWORD ?? null }));\n`);
    const o = node(["--import", "sealfile/config", f], { SECRETS_FILES: "secrets.enc.yaml, extra.env.enc", API_TOKEN: "from-shell" });
    expect(o.stderr).toBe("");
    expect(JSON.parse(o.stdout)).toEqual({ t: "tok_override", e: "from-dotenv", p: PASSWORD });
    // SECRETS_OVERRIDE=0 is exec's --no-override: existing variables are kept.
    const r = node(["--import", "sealfile/config", f], { SECRETS_FILES: "secrets.enc.yaml, extra.env.enc", API_TOKEN: "from-shell", SECRETS_OVERRIDE: "0" });
    expect(JSON.parse(r.stdout)).toEqual({ t: "from-shell", e: "from-dotenv", p: PASSWORD });
  });
});

describe("CommonJS consumers", () => {
  it("require('sealfile/config') fills process.env synchronously; require('sealfile') works", () => {
    const f = app(
      "cjs-app.cjs",
      `require("sealfile/config");
const seen = process.env.DATABASE_PASSWORD;
const { loadEnv, decryptFile } = require("sealfile");
Promise.all([loadEnv("extra.env.enc"), decryptFile("secrets.enc.yaml")]).then(([env, doc]) => console.log(JSON.stringify({ seen, env, tok: doc.API_TOKEN })));`,
    );
    const r = node([f]);
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual({ seen: PASSWORD, env: { EXTRA: "from-dotenv", API_TOKEN: "tok_override" }, tok: "tok_lib_0001" });
  });

  it("node -r sealfile/config, and a clear error (no value) when a named file cannot be opened", () => {
    const f = app("cjs-plain.cjs", `console.log(process.env.EXTRA ?? "unset");\n`);
    expect(node(["-r", "sealfile/config", f], { SECRETS_FILES: "extra.env.enc" }).stdout.trim()).toBe("from-dotenv");
    const bad = node(["-r", "sealfile/config", f], { SECRETS_FILES: "extra.env.enc", SOPS_AGE_KEY_FILE: join(k.dir, "none.txt") });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("sealfile/config: no key could open");
    expect(bad.stderr).not.toContain("from-dotenv");
  });

  it("with no SECRETS_FILES and no default file, does nothing", () => {
    const empty = join(k.dir, "empty");
    mkdirSync(empty, { recursive: true });
    const f = app("cjs-none.cjs", `require("sealfile/config"); console.log("ok");\n`);
    const r = spawnSync(process.execPath, [join(k.dir, f)], { cwd: empty, env: k.env, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("ok");
  });
});

describe("audit log from the library", () => {
  it("logs loadEnv and sealfile/config decrypts with their command names, never values", () => {
    const log = join(k.dir, "lib-audit.jsonl");
    const f = app("audit.mjs", `import "sealfile/config";\nimport { decryptFile } from "sealfile";\nawait decryptFile("extra.env.enc");\n`);
    const r = node([f], { SEALFILE_AUDIT_LOG: log, SECRETS_FILES: "secrets.enc.yaml" });
    expect(r.stderr).toBe("");
    const text = readFileSync(log, "utf8");
    const lines = text.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.command, l.file, l.result, l.recipient])).toEqual([
      ["sealfile/config", join(k.dir, "secrets.enc.yaml"), "success", "age"],
      ["library", join(k.dir, "extra.env.enc"), "success", "age"],
    ]);
    expect(text).not.toContain("tok_lib_0001");
    expect(text).not.toContain("from-dotenv");
  });
});
