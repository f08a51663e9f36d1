// Issue 14, item 10: every error code has a `hint:`. The codes are enumerated from ERROR_CODES; each has a
// default hint in DEFAULT_HINTS, so an error thrown without its own hint still prints one through the CLI.
// Also item 10's specifics: value errors name the key path, YAML syntax errors the right line.
import { afterAll, describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Readable, Writable } from "node:stream";
import { DEFAULT_HINTS, ERROR_CODES, SealError, hintOf, type ErrorCode } from "../../src/errors.js";
import { newRunState, report } from "../../src/cli/run.js";
import { FIXTURES, ROOT, baseEnv, runSecrets, tempHome } from "../helpers/cli.js";

const CODES = Object.keys(ERROR_CODES) as ErrorCode[];

/** Every .ts file under src/. */
function sources(dir = join(ROOT, "src")): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? sources(join(dir, d.name)) : d.name.endsWith(".ts") ? [join(dir, d.name)] : []));
}

/** What the CLI's error reporter (the one catch in src/cli/run.ts) prints for `e`, and the exit status. */
function rendered(e: unknown): { code: number; stderr: string } {
  const chunks: string[] = [];
  const stderr = new Writable({ write: (c, _e, cb) => (chunks.push(String(c)), cb()) });
  const { state, setExitCode } = newRunState();
  const ctx = { cwd: ROOT, env: {}, stdin: Readable.from([]), stdout: stderr, stderr, payload: stderr, interactive: false, setExitCode };
  const code = report(e, ctx, state, false);
  return { code, stderr: chunks.join("") };
}

describe("every error code has a hint", () => {
  it("DEFAULT_HINTS holds a hint for every code in ERROR_CODES, and nothing else", () => {
    expect(Object.keys(DEFAULT_HINTS).sort()).toEqual([...CODES].sort());
    for (const code of CODES) expect(DEFAULT_HINTS[code], code).toMatch(/\S{3}/);
  });

  it("every code thrown in src/ is one of ERROR_CODES (so it has a default hint)", () => {
    const thrown = new Set<string>();
    for (const file of sources()) {
      for (const m of readFileSync(file, "utf8").matchAll(/new SealError\(\s*"([A-Z_]+)"/g)) thrown.add(m[1]!);
    }
    expect(thrown.size).toBeGreaterThan(20);
    expect([...thrown].filter((c) => !(c in ERROR_CODES))).toEqual([]);
  });

  it("a SealError built without a hint still prints `hint:` through the CLI's reporter, for every code", () => {
    for (const code of CODES) {
      const r = rendered(new SealError(code, "something went wrong"));
      expect(r.stderr, code).toBe(`error[${code}]: something went wrong\nhint: ${DEFAULT_HINTS[code]}\n`);
      expect(r.code, code).toBe(ERROR_CODES[code]);
    }
  });

  it("a throw site's own hint wins over the default", () => {
    const e = new SealError("BAD_SYNTAX", "broken", { hint: "look at line 3" });
    expect(hintOf(e)).toBe("look at line 3");
    expect(rendered(e).stderr).toBe("error[BAD_SYNTAX]: broken\nhint: look at line 3\n");
  });
});

describe("item 10: errors say where", () => {
  const fixture = readFileSync(join(FIXTURES, "modern/format.enc.yaml"), "utf8");
  const home = tempHome();
  afterAll(() => home.cleanup());
  const env = (): Record<string, string> => baseEnv(home.dir, { SOPS_AGE_KEY_FILE: join(FIXTURES, "modern/keys.txt") });
  const decrypt = (text: string) => runSecrets(["decrypt", "--input-type", "yaml", "--output-type", "yaml", "-"], { env: env(), input: text });

  it("the untouched fixture decrypts (the tampered runs below differ only in the type tag)", () => {
    const r = decrypt(fixture);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("foo: bar\n");
  });

  it("`unknown datatype` names the key path, never the value", () => {
    const r = decrypt(fixture.replace("type:str]", "type:xyz]"));
    expect(r.code).toBe(25);
    expect(r.stderr).toMatch(/^error\[DECRYPT_VALUE_FAILED\]: [^\n]*foo[^\n]*unknown datatype "xyz"\nhint: \S/);
    expect(r.stderr).not.toContain("bar");
  });

  it("`not a valid int` names the key path, never the value", () => {
    const r = decrypt(fixture.replace("type:str]", "type:int]"));
    expect(r.code).toBe(25);
    expect(r.stderr).toMatch(/^error\[DECRYPT_VALUE_FAILED\]: [^\n]*foo[^\n]*not a valid int\nhint: \S/);
    expect(r.stderr).not.toContain("bar");
  });

  it("an unclosed YAML quote is reported on the file's last line, not one past the end", () => {
    const k = "age1xq3ypj0ful9m3usyjkm9vswddrljwdz8xzpvx225dhersl5wpfhszyky9l";
    for (const [text, where] of [
      ['a: 1\nb: "open\n', "line 2, column 9"],
      ['a: 1\r\nb: "open\r\n', "line 2, column 9"],
      ['a: 1\nb: "open', "line 2, column 9"],
    ] as const) {
      const r = runSecrets(["encrypt", "--age", k, "--input-type", "yaml", "--output-type", "yaml", "-"], { env: env(), input: text });
      expect(r.code, JSON.stringify(text)).toBe(2);
      expect(r.stderr, JSON.stringify(text)).toMatch(new RegExp(`^error\\[BAD_SYNTAX\\]: YAML syntax error at ${where}: `));
    }
  });
});
