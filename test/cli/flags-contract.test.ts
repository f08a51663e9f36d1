// Issue 13 item 1: the command line as a contract. A misspelled flag or command is a usage error reported
// before anything acts: exit 2, nothing on stdout, no file created or changed, no child started, and a
// "did you mean" when a declared name is near. Every command and flag comes from the CLI's own declarations.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { baseEnv, runSecrets, runSecretsAsync, type RunResult } from "../helpers/cli.js";
import { makeRepo, sopsConfig, type TestRepo } from "../helpers/git-repo.js";
import { runInProcess } from "../helpers/in-process.js";
import { commandTable, GLOBAL_FLAGS, type CommandShape } from "../../src/cli/command-shape.js";
import type { CliContext } from "../../src/cli/context.js";

import { writeConflictFile } from "../../src/git/conflict-file.js";
const SECRET = "hunter2-canary-13"; // secrets:allow (a canary)
const HANG_MS = 60_000;

/** A command line per command that would act (write, print, or start a child) if it ran. */
const ACTING_LINES: Record<string, (r: TestRepo) => string[]> = {
  encrypt: () => ["encrypt", "-i", "plain.yaml"],
  decrypt: () => ["decrypt", "enc.yaml"],
  keygen: () => ["keygen", "-o", "../new-key.txt"],
  filestatus: () => ["filestatus", "enc.yaml"],
  edit: () => ["edit", "enc.yaml"],
  set: () => ["set", "enc.yaml", '["n"]', "42"],
  unset: () => ["unset", "enc.yaml", '["token"]'],
  rotate: () => ["rotate", "-i", "enc.yaml"],
  updatekeys: () => ["updatekeys", "-y", "enc.yaml"],
  status: () => ["status"],
  guard: () => ["guard", "--json", "plain.yaml"],
  "hook install": () => ["hook", "install"],
  "hook uninstall": () => ["hook", "uninstall"],
  exec: () => ["exec", "-f", "enc.env", "--", "sh", "-c", "touch ../MARKER; echo $TOKEN"],
  "exec-env": () => ["exec-env", "enc.env", "touch ../MARKER; echo $TOKEN"],
  "exec-file": () => ["exec-file", "enc.env", "touch ../MARKER; cat {}"],
  "git setup": () => ["git", "setup"],
  "git diff-text": () => ["git", "diff-text", "enc.yaml"],
  "git merge": () => ["git", "merge", "base.yaml", "ours.yaml", "theirs.yaml"],
  merge: () => ["merge", "--resolve", "conflict.yaml"],
  revoke: (r) => ["revoke", r.keys[1]!.recipient, "-y"],
  doctor: () => ["doctor", "enc.yaml"],
};

let template: TestRepo;

/** The template: a git repo with .sops.yaml, a plaintext file, encrypted files, and an editor that leaves a marker. */
function makeTemplate(): TestRepo {
  // Files are encrypted for keys 0 and 1, and .sops.yaml then adds key 2, so updatekeys has work to do.
  const r = makeRepo(3);
  r.write(".sops.yaml", sopsConfig(".*", r.keys.slice(0, 2).map((k) => k.recipient)));
  r.write("enc.yaml", `token: ${SECRET}\n`);
  r.write("enc.env", `TOKEN=${SECRET}\n`);
  for (const f of ["enc.yaml", "enc.env"]) {
    const e = runSecrets(["encrypt", "-i", f], { env: r.env(), cwd: r.dir });
    if (e.code !== 0) throw new Error(e.stderr);
  }
  for (const f of ["base.yaml", "ours.yaml", "theirs.yaml"]) r.write(f, r.read("enc.yaml"));
  // What the merge driver leaves on a conflict (here three equal versions, so the editor's edit is all there is to resolve).
  const enc = Buffer.from(r.read("enc.yaml"));
  r.write("conflict.yaml", Buffer.from(writeConflictFile("conflict.yaml", ["token"], { ours: enc, base: enc, theirs: enc })).toString("utf8"));
  r.write(".sops.yaml", sopsConfig(".*", r.keys.map((k) => k.recipient)));
  r.write("plain.yaml", `password: ${SECRET}\n`);
  // an older husky hook line: `hook install` has a line to update and `hook uninstall` one to remove
  r.write(".husky/pre-commit", "npx --no-install secrets guard --staged\n");
  r.commit("init");
  const editor = join(r.dir, "..", "editor.sh");
  writeFileSync(editor, `#!/bin/sh\ntouch "$(dirname "$0")/MARKER"\necho "extra: 1" >> "$1"\n`);
  chmodSync(editor, 0o755);
  return r;
}

interface Sandbox {
  root: string;
  repo: string;
  env: Record<string, string>;
  cleanup(): void;
}

/** A private copy of the template (repo, HOME, keys, editor), so one case cannot disturb another. */
function sandbox(): Sandbox {
  const root = mkdtempSync(join(tmpdir(), "sealfile-flags-"));
  cpSync(join(template.dir, ".."), root, { recursive: true });
  const home = join(root, "home");
  const editor = join(root, "editor.sh");
  const env = baseEnv(home, { SOPS_AGE_KEY_FILE: join(root, "keys.0.txt"), EDITOR: editor, SOPS_EDITOR: editor, VISUAL: editor, GIT_CONFIG_NOSYSTEM: "1" });
  return { root, repo: join(root, "repo"), env, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** Path → content hash of every file under `dir` (the git database and HOME included). */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), createHash("sha256").update(readFileSync(p)).digest("hex"));
    }
  };
  walk(dir);
  return out;
}

function changedFiles(before: Map<string, string>, after: Map<string, string>): string[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names].filter((n) => before.get(n) !== after.get(n)).sort();
}

interface Outcome {
  result: RunResult;
  changed: string[];
  marker: boolean;
}

/**
 * Runs `secrets ARGS` in a fresh sandbox, as a real process or, for the bulk of the table, through the
 * same runCli in this process (test/helpers/in-process.ts); each command also gets real-process cases.
 */
async function runInSandbox(args: string[], input = "", how: "process" | "in-process" = "process"): Promise<Outcome> {
  const box = sandbox();
  try {
    const before = snapshot(box.root);
    const options = { env: box.env, cwd: box.repo, input, timeoutMs: HANG_MS };
    const result = how === "process" ? await runSecretsAsync(args, options) : await runInProcess(args, options);
    const marker = existsSync(join(box.root, "MARKER"));
    return { result, changed: changedFiles(before, snapshot(box.root)), marker };
  } finally {
    box.cleanup();
  }
}

/** Runs `jobs` at most `limit` at a time; `lane` (0 … limit-1) tells which of the parallel runners runs a job. */
async function pool<T, R>(items: readonly T[], limit: number, job: (item: T, index: number, lane: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (lane: number): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await job(items[i]!, i, lane);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, (_, lane) => worker(lane)));
  return results;
}

/**
 * Sandboxes for runs that should be refused, one per pool lane, each reused from case to case while the
 * cases leave it untouched. The state before a case is the snapshot taken after the previous one (the same
 * check as a fresh copy: any change is seen against it); a case that changes anything gets its sandbox
 * replaced by a fresh copy before the next case.
 */
class RefusalSandboxes {
  private readonly lanes = new Map<number, { box: Sandbox; state: Map<string, string> }>();

  async run(lane: number, args: string[], input: string, how: "process" | "in-process"): Promise<Outcome> {
    let held = this.lanes.get(lane);
    if (held === undefined) {
      const box = sandbox();
      held = { box, state: snapshot(box.root) };
      this.lanes.set(lane, held);
    }
    const { box, state } = held;
    const options = { env: box.env, cwd: box.repo, input, timeoutMs: HANG_MS };
    const result = how === "process" ? await runSecretsAsync(args, options) : await runInProcess(args, options);
    const marker = existsSync(join(box.root, "MARKER"));
    const after = snapshot(box.root);
    const changed = changedFiles(state, after);
    if (changed.length > 0 || marker) {
      box.cleanup();
      this.lanes.delete(lane);
    }
    return { result, changed, marker };
  }

  cleanup(): void {
    for (const { box } of this.lanes.values()) box.cleanup();
    this.lanes.clear();
  }
}

/** Every command that runs (a leaf of the command tree), with its own and the global flags. */
function leaves(shapes: readonly CommandShape[]): CommandShape[] {
  return shapes.flatMap((s) => (s.subcommands.length > 0 ? leaves(s.subcommands) : [s]));
}

/** Every name a leaf accepts as `--name`. */
function longNames(shape: CommandShape): Set<string> {
  return new Set([...GLOBAL_FLAGS, ...shape.flags].flatMap((f) => [f.name, ...f.aliases]).filter((n) => n.length > 1));
}

/** A misspelling of `name` not declared anywhere in `taken`: two neighbours swapped, or one letter dropped. */
function misspell(name: string, kind: "swap" | "drop", taken: ReadonlySet<string>): string {
  const how = name.length <= 2 ? "swap" : kind;
  const tries: string[] = [];
  for (let i = 0; i < name.length; i++) {
    if (how === "swap" && i + 1 < name.length && name[i] !== name[i + 1]) tries.push(name.slice(0, i) + name[i + 1] + name[i] + name.slice(i + 2));
    if (how === "drop") tries.push(name.slice(0, i) + name.slice(i + 1));
  }
  // Prefer changes away from the first letter, as typing slips usually are.
  const ok = [...tries.slice(1), tries[0]].filter((t): t is string => t !== undefined && /^[a-z]/i.test(t) && !taken.has(t) && !taken.has(t.replace(/^no-/, "")));
  if (ok[0] === undefined) throw new Error(`no misspelling of ${name}`);
  return ok[0];
}

function expectRefused(o: Outcome): void {
  expect(o.result.code).toBe(2);
  expect(o.result.stdout).toBe("");
  expect(o.changed).toEqual([]);
  expect(o.marker).toBe(false);
  expect(o.result.stderr).toMatch(/^error\[USAGE\]: /);
  expect(o.result.stderr).not.toContain(SECRET);
}

let table: CommandShape[];

beforeAll(async () => {
  template = makeTemplate();
  table = await commandTable({} as CliContext);
}, 120_000);

afterAll(() => template?.cleanup());

describe("the command line as a contract (issue 13 item 1)", () => {
  it("every command has an acting command line here, and each of them acts when spelled right", async () => {
    const paths = leaves(table).map((s) => s.path.join(" "));
    expect(paths.sort()).toEqual(Object.keys(ACTING_LINES).sort());
    // The harness must be able to see a command act, or the refusals below would prove nothing.
    const outcomes = await pool(Object.entries(ACTING_LINES), 4, async ([path, line]) => ({ path, o: await runInSandbox(line(template)) }));
    const idle = outcomes.filter(({ o }) => o.result.stdout === "" && o.changed.length === 0 && !o.marker).map(({ path }) => path);
    expect(idle).toEqual([]);
  }, 600_000);

  it("a misspelled flag on any command: exit 2, nothing on stdout, nothing written, no child, and a did-you-mean", async () => {
    const cases = leaves(table).flatMap((shape) => {
      const taken = longNames(shape);
      const line = ACTING_LINES[shape.path.join(" ")]!(template);
      const flags = [...shape.flags, ...GLOBAL_FLAGS].flatMap((f) => [f.name, ...f.aliases]).filter((n) => n.length > 1);
      return flags.map((flag, i) => {
        const typo = misspell(flag, i % 2 === 0 ? "swap" : "drop", taken);
        const at = shape.path.length;
        // The first case of each command runs as a real process; the rest in-process, on the same code path.
        const how = i === 0 ? ("process" as const) : ("in-process" as const);
        return { shape, flag, typo, how, args: [...line.slice(0, at), `--${typo}`, ...line.slice(at)] };
      });
    });
    const spawned = cases.filter((c) => c.how === "process").length;
    console.log(`flags-contract: ${cases.length} misspelled-flag cases over ${leaves(table).length} commands (${spawned} as real processes)`);
    expect(cases.length).toBeGreaterThan(100);
    const boxes = new RefusalSandboxes();
    const outcomes = await pool(cases, 4, async (c, _i, lane) => ({ c, o: await boxes.run(lane, c.args, "", c.how) })).finally(() => boxes.cleanup());
    const failures = outcomes.flatMap(({ c, o }) => {
      const problems: string[] = [];
      if (o.result.code !== 2) problems.push(`exit ${o.result.code}`);
      if (o.result.stdout !== "") problems.push("stdout not empty");
      if (o.changed.length > 0) problems.push(`changed ${o.changed.join(", ")}`);
      if (o.marker) problems.push("a child ran");
      if (!o.result.stderr.startsWith(`error[USAGE]: unknown option --${c.typo}\n`)) problems.push(`stderr ${JSON.stringify(o.result.stderr.slice(0, 160))}`);
      const hint = /^hint: did you mean (.*)\? See 'secrets (.*) --help'\.$/m.exec(o.result.stderr);
      if (!hint || !hint[1]!.split(" or ").includes(`--${c.flag}`)) problems.push(`no did-you-mean --${c.flag}`);
      else if (hint[2] !== c.shape.path.join(" ")) problems.push(`help for ${hint[2]}`);
      return problems.length > 0 ? [`secrets ${c.args.join(" ")}: ${problems.join("; ")}`] : [];
    });
    expect(failures).toEqual([]);
  }, 1_800_000);

  it("a misspelled command or subcommand: exit 2, nothing on stdout, nothing written, and a did-you-mean", async () => {
    const cases = leaves(table).map((shape) => {
      const line = ACTING_LINES[shape.path.join(" ")]!(template);
      const at = shape.path.length - 1;
      const siblings = new Set(shape.path.length === 1 ? table.flatMap((s) => s.names) : table.find((s) => s.names.includes(shape.path[0]!))!.subcommands.flatMap((s) => s.names));
      const typo = misspell(shape.names[0]!, "swap", siblings);
      return { shape, typo, args: [...line.slice(0, at), typo, ...line.slice(at + 1)] };
    });
    console.log(`flags-contract: ${cases.length} misspelled-command cases (every fourth as a real process)`);
    const boxes = new RefusalSandboxes();
    const outcomes = await pool(cases, 4, async (c, i, lane) => ({ c, o: await boxes.run(lane, c.args, "", i % 4 === 0 ? "process" : "in-process") })).finally(() => boxes.cleanup());
    for (const { c, o } of outcomes) {
      expectRefused(o);
      const shown = [...c.shape.path.slice(0, -1), c.typo].join(" ");
      expect(o.result.stderr).toContain(`error[USAGE]: unknown command ${shown}\n`);
      expect(o.result.stderr).toMatch(new RegExp(`^hint: did you mean (\\S+ or )*${c.shape.names[0]}[ ?]`, "m"));
    }
  }, 600_000);
});

describe("the cases reported in issue 13 item 1", () => {
  it("exec --maks neither runs the child nor prints the token", async () => {
    const o = await runInSandbox(["exec", "--maks", "-f", "enc.env", "--", "sh", "-c", "touch ../MARKER; echo $TOKEN"]);
    expectRefused(o);
    expect(o.result.stderr).toBe("error[USAGE]: unknown option --maks\nhint: did you mean --mask? See 'secrets exec --help'.\n");
  }, HANG_MS * 2);

  it("updatekeys --all -y --dry-run and rotate --all --dry-run rewrite nothing", async () => {
    for (const args of [["updatekeys", "--all", "-y", "--dry-run"], ["rotate", "--all", "--dry-run"]]) {
      const o = await runInSandbox(args);
      expectRefused(o);
      expect(o.result.stderr).toContain("unknown option --dry-run");
    }
  }, HANG_MS * 2);

  it("decrypt --extrct prints no plaintext", async () => {
    const o = await runInSandbox(["decrypt", "--extrct", '["token"]', "enc.yaml"]);
    expectRefused(o);
    expect(o.result.stderr).toContain("did you mean --extract?");
  }, HANG_MS * 2);

  it("encrypt --in-plac does not encrypt stdin instead", async () => {
    const o = await runInSandbox(["encrypt", "--in-plac", "plain.yaml"], "a: b\n");
    expectRefused(o);
    expect(o.result.stderr).toContain("did you mean --in-place?");
  }, HANG_MS * 2);

  it("set --valu-stdin is a usage error, not an internal one", async () => {
    const o = await runInSandbox(["set", "--valu-stdin", "enc.yaml", '["token"]'], '"changed"');
    expectRefused(o);
    expect(o.result.stderr).not.toContain("INTERNAL");
    expect(o.result.stderr).toContain("did you mean --value-stdin?");
  }, HANG_MS * 2);

  it("rotate -i --yes FILE is refused (rotate has no --yes), and a boolean flag never swallows the next word", async () => {
    const o = await runInSandbox(["rotate", "-i", "--yes", "enc.yaml"]);
    expectRefused(o);
    expect(o.result.stderr).toContain("unknown option --yes");
    // updatekeys declares --yes boolean: the file after it is a file, not the flag's value.
    const ok = await runInSandbox(["updatekeys", "--yes", "enc.yaml"]);
    expect(ok.result.code).toBe(0);
    expect(ok.result.stderr).toContain("enc.yaml");
  }, HANG_MS * 2);

  it("decrpyt gets a did-you-mean", async () => {
    const o = await runInSandbox(["decrpyt", "enc.yaml"]);
    expectRefused(o);
    expect(o.result.stderr).toBe("error[USAGE]: unknown command decrpyt\nhint: did you mean decrypt? See 'secrets --help'.\n");
  }, HANG_MS * 2);

  it("sops spellings given at the top level get a pointer to the secrets command", async () => {
    const cases: Array<[string[], string]> = [
      // -d, -e, --set, exec-env and exec-file are carried out as sops does (test/interop/sops-cli-forms.test.ts).
      [["-r", "-i", "enc.yaml"], "secrets rotate"],
      [["--rotate", "enc.yaml"], "secrets rotate"],
      [["-s", "enc.yaml"], "secrets edit -s"],
      [["--unset", '["token"]', "enc.yaml"], "secrets unset"],
    ];
    for (const [args, pointer] of cases) {
      const o = await runInSandbox(args);
      expectRefused(o);
      expect(o.result.stderr).toMatch(new RegExp(`^hint: sops's ${args[0]} is \`${pointer}`, "m"));
    }
  }, HANG_MS * 8);

  it("everything after -- reaches the child untouched, flag-like words included", async () => {
    const box = sandbox();
    try {
      const r = runSecrets(["exec", "-f", "enc.env", "--", "sh", "-c", 'printf "%s|" "$TOKEN" "$@"', "sh", "--maks", "-q", "--", "--no-such-flag-x"], { env: box.env, cwd: box.repo });
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`${SECRET}|--maks|-q|--|--no-such-flag-x|`);
    } finally {
      box.cleanup();
    }
  }, HANG_MS);

  it("decrypt --no-such-flag-x /dev/null exits 2 with nothing on stdout", () => {
    const home = mkdtempSync(join(tmpdir(), "sealfile-home-"));
    try {
      const r = runSecrets(["decrypt", "--no-such-flag-x", "/dev/null"], { env: baseEnv(home) });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toBe("error[USAGE]: unknown option --no-such-flag-x\nhint: see 'secrets decrypt --help'.\n");
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }, HANG_MS);
});
