// Issue 14, items 2 and 3 (deep nesting, pathological YAML, unbounded input): each gives a clean
// error[BAD_SYNTAX] / error[CANNOT_READ_INPUT] with a hint, never a crash, a hang or error[INTERNAL].
// Times are printed, not asserted; the timeout only catches a hang.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { baseEnv, runSecrets, runSecretsAsync, tempHome } from "../helpers/cli.js";
import { MAX_DEPTH } from "../../src/formats/limits.js";

const HANG_MS = 20_000;
const home = tempHome();
const dir = mkdtempSync(join(tmpdir(), "sealfile-bombs-"));
let recipient = "";
let env: Record<string, string> = {};

beforeAll(() => {
  const keys = join(dir, "keys.txt");
  const r = runSecrets(["keygen", "-o", keys], { env: baseEnv(home.dir) });
  expect(r.code).toBe(0);
  recipient = r.stdout.trim();
  env = baseEnv(home.dir, { SOPS_AGE_KEY_FILE: keys });
});
afterAll(() => {
  home.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

/**
 * Encrypts through the CLI. Nesting runs in a real process (`process`), whose stack is the one that must not
 * overflow; the other inputs, whose risk is time and memory, run in the CLI worker like other tests.
 */
async function encrypt(name: string, text: string, process = false): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  const r = await runSecretsAsync(["encrypt", "--age", recipient, write(name, text)], { env, timeoutMs: HANG_MS, process });
  console.log(`${name}: exit ${r.code} in ${Math.round(r.ms)} ms`);
  return r;
}

function expectClean(r: { code: number; stderr: string }, code: string, exit: number, reason: RegExp): void {
  expect(r.stderr).toMatch(new RegExp(`^error\\[${code}\\]: `));
  expect(r.stderr).toMatch(reason);
  expect(r.stderr).toMatch(/\nhint: /);
  expect(r.code).toBe(exit);
}

/** Levels of nesting, counting the top-level map as 1, as MAX_DEPTH does. */
const blockMaps = (levels: number): string => {
  let s = "";
  for (let i = 0; i < levels - 1; i++) s += `${" ".repeat(i)}k:\n`;
  return `${s}${" ".repeat(levels - 1)}k: v\n`;
};
const flowLists = (levels: number): string => `a: ${"[".repeat(levels - 1)}x${"]".repeat(levels - 1)}\n`;
const dashLists = (levels: number): string => `a:\n  ${"- ".repeat(levels - 1)}x\n`;
const jsonMaps = (levels: number): string => `${'{"k":'.repeat(levels - 1)}{"k":"v"}${"}".repeat(levels - 1)}\n`;

describe("deep nesting: one depth limit for every format, checked before any recursive reader", () => {
  it("a 100,000-level YAML document is refused cleanly", async () => {
    for (const [name, text] of [["flow100k.yaml", flowLists(100_000)], ["dash100k.yaml", dashLists(100_000)], ["flowmap100k.yaml", `a: ${"{b: ".repeat(100_000)}c${"}".repeat(100_000)}\n`]] as const) {
      expectClean(await encrypt(name, text, true), "BAD_SYNTAX", 2, new RegExp(`nesting is deeper than ${MAX_DEPTH} levels`));
    }
  }, 4 * HANG_MS);

  it("3,000 levels of block maps are refused cleanly", async () => {
    expectClean(await encrypt("deep3k.yaml", blockMaps(3000), true), "BAD_SYNTAX", 2, /YAML nesting is deeper than/);
  }, 2 * HANG_MS);

  it("exactly MAX_DEPTH levels round-trip in YAML (three ways of nesting) and JSON; one more is refused", async () => {
    const cases: Array<[string, (n: number) => string]> = [["maps.yaml", blockMaps], ["flow.yaml", flowLists], ["dash.yaml", dashLists], ["maps.json", jsonMaps]];
    for (const [name, make] of cases) {
      const enc = await encrypt(`ok-${name}`, make(MAX_DEPTH), true);
      expect(enc.stderr).toBe("");
      expect(enc.code).toBe(0);
      const encFile = write(`ok-enc-${name}`, enc.stdout);
      const dec = await runSecretsAsync(["decrypt", encFile], { env, timeoutMs: HANG_MS, process: true });
      expect(dec.stderr).toBe("");
      expect(dec.code).toBe(0);
      if (name.endsWith(".yaml")) expect(dec.stdout).toBe(make(MAX_DEPTH));
      else expect(JSON.parse(dec.stdout)).toEqual(JSON.parse(make(MAX_DEPTH)));
      expectClean(await encrypt(`over-${name}`, make(MAX_DEPTH + 1), true), "BAD_SYNTAX", 2, /nesting is deeper than/);
    }
  }, 16 * HANG_MS);

  it("TOML nested past the limit by dotted table names is refused cleanly", async () => {
    const r = await encrypt("deep.toml", `[${Array.from({ length: MAX_DEPTH + 5 }, () => "a").join(".")}]\nk = "v"\n`);
    expectClean(r, "BAD_SYNTAX", 2, /TOML nesting is deeper than/);
  }, HANG_MS);

  it("a YAML alias cycle is refused cleanly", async () => {
    expectClean(await encrypt("cycle-flow.yaml", "a: &a {b: *a}\n"), "BAD_SYNTAX", 2, /a cycle/);
    expectClean(await encrypt("cycle-block.yaml", "a: &a\n  b: *a\n"), "BAD_SYNTAX", 2, /a cycle/);
  }, 2 * HANG_MS);
});

describe("pathological YAML costs: alias expansion is limited as go-yaml limits it", () => {
  const mergeBomb = (anchors: number): string => {
    let s = "a0: &a0 {x: 1}\n";
    for (let i = 1; i < anchors; i++) {
      const prev = [];
      for (let j = Math.max(0, i - 5); j < i; j++) prev.push(`*a${j}`);
      s += `a${i}: &a${i}\n  <<: [${prev.join(", ")}]\n  k${i}: ${i}\n`;
    }
    return s;
  };

  it("50 anchors each merging the previous five (a 2.6 KB merge-key bomb) are refused cleanly", async () => {
    const text = mergeBomb(50);
    expect(text.length).toBeLessThan(3000);
    expectClean(await encrypt("merge50.yaml", text), "BAD_SYNTAX", 2, /excessive aliasing/);
  }, HANG_MS);

  it("2,000 such anchors are refused cleanly too", async () => {
    expectClean(await encrypt("merge2000.yaml", mergeBomb(2000)), "BAD_SYNTAX", 2, /excessive aliasing|too many alias/);
  }, 2 * HANG_MS);

  it("billion laughs is refused cleanly", async () => {
    let s = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
    for (let i = 1; i < 10; i++) s += `a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(", ")}]\n`;
    expectClean(await encrypt("lol.yaml", s), "BAD_SYNTAX", 2, /excessive aliasing|too many alias/);
  }, HANG_MS);

  it("ordinary anchors and merge keys still read", async () => {
    const r = await encrypt("anchors.yaml", "base: &base {user: app, pass: x}\nprod:\n  <<: *base\n  pass: y\nlist: [*base, *base]\n");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  }, HANG_MS);
});

describe("input size: no device is read without end", () => {
  it("decrypt /dev/zero and encrypt /dev/zero are refused at once", async () => {
    for (const args of [["decrypt", "/dev/zero"], ["encrypt", "--age", "RECIPIENT", "/dev/zero"]]) {
      const r = await runSecretsAsync(args.map((a) => (a === "RECIPIENT" ? recipient : a)), { env, timeoutMs: HANG_MS });
      console.log(`${args[0]} /dev/zero: exit ${r.code} in ${Math.round(r.ms)} ms`);
      expectClean(r, "CANNOT_READ_INPUT", 2, /not a regular file/);
    }
  }, 2 * HANG_MS);
});
