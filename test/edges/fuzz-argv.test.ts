// Command lines as a stranger's script might write them: for each command (taken from the CLI's own
// declarations), random declared flags with values of every kind and random arguments, run in-process in
// a fresh copy of a small repository. Each run succeeds or gives `error[CODE]` with a hint — never a stack
// trace, error[INTERNAL], a hang, or exit 0 with an error printed. Seeded (FUZZ_SEED replays, FUZZ_N sets
// how many).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cpSync, lstatSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { baseEnv, runSecrets } from "../helpers/cli.js";
import { makeRepo, sopsConfig, type TestRepo } from "../helpers/git-repo.js";
import { runInProcess } from "../helpers/in-process.js";
import { mulberry32 } from "../helpers/seeded.js";
import { commandTable, type CommandShape } from "../../src/cli/command-shape.js";
import type { CliContext } from "../../src/cli/context.js";

const N = process.env.FUZZ_N ? Number(process.env.FUZZ_N) : 400;
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 20_261_204;
const HANG_MS = 20_000;
// Commands that start an editor or a child, or install into git's hooks, are left to their own tests.
const SKIP = new Set(["edit", "exec", "exec-env", "exec-file", "hook", "merge", "completion", "keygen"]);

const ARGS = ["enc.yaml", "enc.env", "plain.yaml", "missing.yaml", "-", ".", "", "..", "sub", "../outside.yaml", '["token"]', '["a"][0]', "[", '["x"][99]', "42", '"s"', "{}", "null", "true", "--", "-x", "age1xq3ypj0ful9m3usyjkm9vswddrljwdz8xzpvx225dhersl5wpfhszyky9l"];
const GOOD_ARGS = ["enc.yaml", "enc.env", "plain.yaml", "sub/a.yaml", '["token"]', '["list"][1]', "42", '"v"'];
const VALUES = ["", "0", "-1", "1e9", "NaN", "3.5", "abc", "yaml", "json", "dotenv", "binary", "ini", "toml", "age", "pgp", "kms", ",", "x,y", "age1", '["token"]', "[", "*", ".*", "(", "\\", "2h", "../x", "/dev/null", "arn:aws:kms:us-east-1:1:key/k", "\u0000", "\ud800", "x".repeat(3000)];

let template: TestRepo;
let table: CommandShape[];

beforeAll(async () => {
  template = makeRepo(2);
  template.write(".sops.yaml", sopsConfig(".*", template.keys.map((k) => k.recipient)));
  template.write("enc.yaml", "token: abc\nlist: [1, 2]\n");
  template.write("enc.env", "TOKEN=abc\n");
  for (const f of ["enc.yaml", "enc.env"]) {
    const e = runSecrets(["encrypt", "-i", f], { env: template.env(), cwd: template.dir });
    if (e.code !== 0) throw new Error(e.stderr);
  }
  template.write("plain.yaml", "password: x\n");
  template.write("sub/a.yaml", "a: 1\n");
  template.commit("init");
  const flatten = (cs: readonly CommandShape[]): CommandShape[] => cs.flatMap((c) => (c.subcommands.length > 0 ? flatten(c.subcommands) : [c]));
  table = flatten(await commandTable({} as CliContext)).filter((c) => !SKIP.has(c.path[0]!));
});
afterAll(() => rmSync(join(template.dir, ".."), { recursive: true, force: true }));

function commandLine(c: CommandShape, r: () => number): string[] {
  const int = (n: number): number => Math.floor(r() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const out = [...c.path];
  for (let k = int(3); k > 0; k--) {
    const f = pick(c.flags);
    if (!f) break;
    const name = f.aliases.length > 0 && int(3) === 0 ? (f.aliases[0]!.length === 1 ? `-${f.aliases[0]}` : `--${f.aliases[0]}`) : `--${f.name}`;
    if (f.boolean) out.push(int(4) === 0 && name.startsWith("--") ? `--no-${f.name}` : name);
    else {
      const value = f.choices.length > 0 && int(3) > 0 ? pick(f.choices) : pick(VALUES);
      out.push(...(int(2) === 0 && name.startsWith("--") ? [`${name}=${value}`] : [name, value]));
    }
  }
  // Mostly the arguments the command takes, from a pool that often makes sense, so runs get past parsing.
  for (let k = c.required + int(2); k > 0; k--) out.push(r() < 0.7 ? pick(GOOD_ARGS) : pick(ARGS));
  return out;
}

function problemsOf(r: { code: number; stdout: string; stderr: string }): string[] {
  const out: string[] = [];
  if (/error\[INTERNAL\]/.test(r.stderr)) out.push("error[INTERNAL]");
  if (/\n\s+at .+:\d+:\d+\)?\n/.test(r.stderr) || /(TypeError|RangeError|ReferenceError|SyntaxError):/.test(r.stderr)) out.push("a stack trace or a raw JS error");
  const report = r.code === 1 && r.stdout.trim() !== "" && r.stderr === "";
  if (r.code !== 0 && !report && !/^error\[[A-Z_]+\]: /m.test(r.stderr)) out.push(`exit ${r.code} without error[CODE]`);
  if (/^error\[/m.test(r.stderr) && !/^hint: /m.test(r.stderr)) out.push("an error without a hint");
  if (r.code === 0 && /^error\[/m.test(r.stderr)) out.push("exit 0 with an error printed");
  return out;
}

describe("command-line fuzzing", () => {
  it(`${N} random command lines over the declared commands and flags (seed ${SEED})`, async () => {
    const r = mulberry32(SEED);
    const findings: string[] = [];
    const codes = new Map<string, number>();
    for (let n = 0; n < N; n++) {
      const c = table[Math.floor(r() * table.length)]!;
      const args = commandLine(c, r);
      const root = mkdtempSync(join(tmpdir(), "sealfile-fuzz-argv-"));
      try {
        cpSync(join(template.dir, ".."), root, { recursive: true });
        const env = baseEnv(join(root, "home"), { SOPS_AGE_KEY_FILE: join(root, "keys.0.txt"), GIT_CONFIG_NOSYSTEM: "1", EDITOR: "false" });
        const input = r() < 0.5 ? "" : "a: 1\n";
        const run = runInProcess(args, { env, cwd: join(root, "repo"), input });
        const res = await Promise.race([run, new Promise<undefined>((done) => setTimeout(done, HANG_MS, undefined))]);
        if (res === undefined) findings.push(`#${n} ${JSON.stringify(args)}: no answer in ${HANG_MS} ms`);
        // A run once replaced the machine's /dev/null with a file (`--output /dev/null`, as root).
        if (!lstatSync("/dev/null").isCharacterDevice()) throw new Error(`#${n} ${JSON.stringify(args)} replaced /dev/null`);
        else {
          const code = res.code === 0 ? "exit 0" : (/^error\[([A-Z_]+)\]/m.exec(res.stderr)?.[1] ?? `exit ${res.code}`);
          codes.set(code, (codes.get(code) ?? 0) + 1);
        }
        if (res !== undefined) for (const p of problemsOf(res)) findings.push(`#${n} ${JSON.stringify(args)}: ${p}\n${res.stderr.slice(0, 500)}`);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    }
    // The outcomes, so a run that only ever reaches USAGE errors shows.
    console.log(`argv fuzz (seed ${SEED}): ${[...codes].sort((x, y) => y[1] - x[1]).map(([k, v]) => `${k} ${v}`).join(", ")}`);
    if (process.env.FUZZ_FINDINGS) writeFileSync(process.env.FUZZ_FINDINGS, findings.join("\n\n"));
    expect(findings.slice(0, 5).join("\n\n"), `${findings.length} findings (seed ${SEED})`).toBe("");
  }, 600_000);
});
