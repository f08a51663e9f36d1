// Issue 14, item 6: encrypt never changes a value quietly. Each input either comes back byte for byte
// through encrypt → decrypt, or encrypt fails with a clean BAD_SYNTAX naming line and column — never
// exit 0 with a changed value. Driven through the real CLI.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rmSync } from "node:fs";
import { runSecrets } from "../helpers/cli.js";
import { keyedDir, type KeyedDir } from "../helpers/exec-cli.js";

let k: KeyedDir;
beforeAll(() => {
  k = keyedDir();
}, 30_000);
afterAll(() => {
  k.cleanup();
  rmSync(k.dir, { recursive: true, force: true });
});

type Format = "json" | "dotenv" | "ini";
const EXT: Record<Format, string> = { json: "json", dotenv: "env", ini: "ini" };

/** Encrypts `input` through the CLI; on success, decrypts it again. */
function roundTrip(format: Format, input: Buffer) {
  const typeArgs = ["--input-type", format, "--output-type", format];
  const enc = runSecrets(["encrypt", "--age", k.recipient, ...typeArgs, "--filename-override", `x.${EXT[format]}`, "-"], { env: k.env, cwd: k.dir, input });
  if (enc.code !== 0) return { enc, back: undefined };
  const back = runSecrets(["decrypt", ...typeArgs, "-"], { env: k.env, cwd: k.dir, input: enc.stdoutBytes });
  expect(back.code).toBe(0);
  return { enc, back: back.stdoutBytes };
}

/** Either exact round trip, or a clean error at `line`/`column`; never a changed value. */
function expectExactOrRefused(format: Format, input: Buffer, line: number, column: number): void {
  const { enc, back } = roundTrip(format, input);
  if (back !== undefined) {
    expect(back.equals(input)).toBe(true);
    return;
  }
  expect(enc.code).toBe(2); // sops: CouldNotReadInputFile for a plaintext it cannot parse (encrypt.go:110)
  expect(enc.stderr).toMatch(new RegExp(`^error\\[BAD_SYNTAX\\]: [^\\n]*line ${line}, column ${column}\\b[^\\n]*\\nhint: \\S`));
  expect(enc.stderr).not.toContain("hunter2");
  expect(enc.stdout).toBe("");
}

const bytes = (...parts: Array<string | number[]>): Buffer => Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p) : Buffer.from(p))));

describe("silent changes on encrypt", () => {
  it("invalid UTF-8 in JSON", () => {
    expectExactOrRefused("json", bytes('{\n  "a": "hunter2', [0xff], '"\n}\n'), 2, 16);
  }, 30_000);

  it("invalid UTF-8 in dotenv", () => {
    expectExactOrRefused("dotenv", bytes("A=1\nB=hunter2", [0xc3, 0x28], "\n"), 2, 10);
  }, 30_000);

  it("invalid UTF-8 in INI", () => {
    expectExactOrRefused("ini", bytes("[s]\nk = hunter2", [0xed, 0xa0, 0x80], "\n"), 2, 12);
  }, 30_000);

  it("a lone surrogate escape in JSON", () => {
    expectExactOrRefused("json", bytes('{\n  "a": "hunter2\\ud800"\n}\n'), 2, 16);
  }, 30_000);

  it("the JSON integer 123456789012345678901234567890", () => {
    expectExactOrRefused("json", bytes('{\n  "n": 123456789012345678901234567890\n}\n'), 2, 8);
  }, 30_000);

  it("a repeated key in one INI section (a=1 then a=X)", () => {
    expectExactOrRefused("ini", bytes("[s]\na = hunter2\na = X\n"), 3, 1);
  }, 30_000);

  it("stray text after an INI section header", () => {
    expectExactOrRefused("ini", bytes("[s] hunter2\na = 1\n"), 1, 5);
  }, 30_000);

  it("stray text after an INI value's closing quote", () => {
    expectExactOrRefused("ini", bytes('[s]\na = """x"""  hunter2\n'), 2, 14);
  }, 30_000);

  it("what can be kept still round-trips byte for byte (a 20-digit integer, a surrogate pair, non-ASCII dotenv, repeated INI sections)", () => {
    for (const [format, input] of [
      ["json", bytes('{\n\t"n": 100000000000000000000,\n\t"e": "\\ud83d\\ude00 ünï"\n}\n')],
      ["dotenv", bytes("A=é 😀\n")],
      ["ini", bytes("[s]\na = 1\n\n[s]\na = 2\n")],
    ] as const) {
      const { enc, back } = roundTrip(format, input);
      expect(enc.stderr).toBe("");
      expect(back?.toString("utf8")).toBe(format === "json" ? '{\n\t"n": 100000000000000000000,\n\t"e": "😀 ünï"\n}\n' : input.toString("utf8"));
    }
  }, 60_000);
});
