// Issue 14, item 8 (leftovers after kill -9), acceptance 4: every writer killed with SIGKILL at a random moment
// leaves its file old or new (and the new one opens), and the next sealfile command in the folder leaves no
// temp file and no plaintext behind. 50 trials per writer with SLOW=1; fewer by default (a shared machine).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { baseEnv, runSecrets, runSecretsAsync } from "../helpers/cli.js";
import { decrypt } from "../../src/index.js";

const TRIALS = process.env.SLOW === "1" ? 50 : 4;
const AT_ONCE = 4;
const MARKER = "marker-plaintext-9f3c";
const PLAIN = `a: ${MARKER}\nb: two\nc: three\n`;

const root = mkdtempSync(join(tmpdir(), "sealfile-kill9-"));
const home = join(root, "home");
const fx = join(root, "fixtures");
const keyFiles = [join(root, "k0.txt"), join(root, "k1.txt")];
const recipients: string[] = [];
const envFor = (k: number, extra: Record<string, string> = {}): Record<string, string> => baseEnv(home, { SOPS_AGE_KEY_FILE: keyFiles[k]!, ...extra });

interface Writer {
  readonly name: string;
  /** Files copied from the fixtures into the trial folder, as [fixture, name]; the target is always s.yaml. */
  readonly files: ReadonlyArray<[string, string]>;
  readonly args: string[];
  readonly input?: string;
  /** Key used to run the writer, and to open the result. */
  readonly key?: number;
  readonly env?: (dir: string) => Record<string, string>;
  /** Whether the bytes are the writer's finished result. */
  isNew(bytes: Buffer, dir: string): Promise<boolean>;
}

async function opens(bytes: Buffer, key: number, want: Record<string, unknown>): Promise<boolean> {
  try {
    return JSON.stringify(await decrypt(bytes, { env: envFor(key), cwd: root })) === JSON.stringify(want);
  } catch {
    return false;
  }
}

const ORIGINAL = { a: MARKER, b: "two", c: "three" };
const sealedFiles: ReadonlyArray<[string, string]> = [["sealed.yaml", "s.yaml"]];

const WRITERS: Writer[] = [
  { name: "set", files: sealedFiles, args: ["set", "s.yaml", '["b"]', "--value-stdin"], input: '"set-b"', isNew: (b) => opens(b, 0, { ...ORIGINAL, b: "set-b" }) },
  { name: "unset", files: sealedFiles, args: ["unset", "s.yaml", '["b"]'], isNew: (b) => opens(b, 0, { a: MARKER, c: "three" }) },
  { name: "encrypt -i", files: [["plain.yaml", "s.yaml"]], args: ["encrypt", "-i", "s.yaml"], isNew: (b) => opens(b, 0, ORIGINAL) },
  { name: "decrypt -i", files: sealedFiles, args: ["decrypt", "-i", "s.yaml"], isNew: (b) => Promise.resolve(b.toString("utf8") === PLAIN) },
  { name: "rotate -i", files: sealedFiles, args: ["rotate", "-i", "s.yaml"], isNew: async (b) => !b.equals(readFileSync(join(fx, "sealed.yaml"))) && (await opens(b, 0, ORIGINAL)) },
  { name: "updatekeys", files: [...sealedFiles, ["two-keys.sops.yaml", ".sops.yaml"]], args: ["updatekeys", "-y", "s.yaml"], isNew: (b) => opens(b, 1, ORIGINAL) },
  {
    name: "edit",
    files: sealedFiles,
    args: ["edit", "s.yaml"],
    env: (dir) => ({ EDITOR: join(fx, "editor.sh"), TMPDIR: join(dir, "..", `${dir.split("/").pop()}-tmp`) }),
    isNew: (b) => opens(b, 0, { ...ORIGINAL, c: "edited" }),
  },
  {
    name: "git merge driver",
    files: [["base.yaml", "base.yaml"], ["ours.yaml", "s.yaml"], ["theirs.yaml", "theirs.yaml"]],
    args: ["git", "merge", "base.yaml", "s.yaml", "theirs.yaml", "s.yaml"],
    isNew: (b) => opens(b, 0, { a: "ours-a", b: "two", c: "theirs-c" }),
  },
];

beforeAll(() => {
  mkdirSync(fx);
  for (const f of keyFiles) {
    const r = runSecrets(["keygen", "-o", f], { env: baseEnv(home) });
    expect(r.code).toBe(0);
    recipients.push(r.stdout.trim());
  }
  const seal = (name: string, plain: string): void => {
    writeFileSync(join(fx, name), plain);
    const r = runSecrets(["encrypt", "--age", recipients[0]!, "-i", name], { env: envFor(0), cwd: fx });
    expect(r.stderr).toBe("");
  };
  writeFileSync(join(fx, "plain.yaml"), PLAIN);
  seal("sealed.yaml", PLAIN);
  seal("base.yaml", PLAIN);
  // The merge driver's three versions share one data key, as after `secrets set` on two branches.
  copyFileSync(join(fx, "base.yaml"), join(fx, "ours.yaml"));
  copyFileSync(join(fx, "base.yaml"), join(fx, "theirs.yaml"));
  expect(runSecrets(["set", "ours.yaml", '["a"]', "--value-stdin"], { env: envFor(0), cwd: fx, input: '"ours-a"' }).code).toBe(0);
  expect(runSecrets(["set", "theirs.yaml", '["c"]', "--value-stdin"], { env: envFor(0), cwd: fx, input: '"theirs-c"' }).code).toBe(0);
  writeFileSync(join(fx, "two-keys.sops.yaml"), `creation_rules:\n  - path_regex: "s\\\\.yaml$"\n    age: "${recipients.join(",")}"\n`);
  writeFileSync(join(fx, "editor.sh"), `#!/bin/sh\nsed -i 's/^c: .*/c: edited/' "$1"\n`, { mode: 0o755 });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

let serial = 0;

/** A fresh folder holding the writer's files, plus `other.yaml` for the next command to read. */
function prepare(w: Writer): { dir: string; env: Record<string, string>; old: Buffer } {
  const dir = join(root, `t${serial++}`);
  mkdirSync(dir);
  for (const [from, to] of w.files) copyFileSync(join(fx, from), join(dir, to));
  copyFileSync(join(fx, "sealed.yaml"), join(dir, "other.yaml"));
  const extra = w.env?.(dir) ?? {};
  if (extra.TMPDIR) mkdirSync(extra.TMPDIR);
  const env = envFor(w.key ?? 0, { SOPS_AGE_RECIPIENTS: recipients[0]!, ...extra });
  return { dir, env, old: readFileSync(join(dir, "s.yaml")) };
}

/** Files that hold the plaintext marker in clear, other than the target (which `decrypt -i` makes plaintext). */
function plaintextLeftovers(dir: string, tmp: string | undefined): string[] {
  const found: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (p !== join(dir, "s.yaml") && readFileSync(p, "utf8").includes(MARKER)) found.push(p);
    }
  };
  walk(dir);
  if (tmp) walk(tmp);
  return found;
}

type Outcome = { state: "old" | "new" | "broken"; leftBefore: number; detail: string };

async function trial(w: Writer, maxDelay: number): Promise<Outcome> {
  const { dir, env, old } = prepare(w);
  const delay = Math.floor(Math.random() * maxDelay);
  const r = await runSecretsAsync(w.args, { env, cwd: dir, timeoutMs: delay, process: true, ...(w.input !== undefined ? { input: w.input } : {}) });
  const now = readFileSync(join(dir, "s.yaml"));
  const state = now.equals(old) ? "old" : (await w.isNew(now, dir)) ? "new" : "broken";
  const tmp = env.TMPDIR;
  const leftBefore = readdirSync(dir).filter((n) => n.endsWith(".tmp")).length + (tmp ? readdirSync(tmp).length : 0);
  // The next command in the folder: an edit for the edit writer (its folder is in TMPDIR), else a read.
  const next = w.name === "edit"
    ? await runSecretsAsync(["edit", "other.yaml"], { env: { ...env, EDITOR: "true" }, cwd: dir, timeoutMs: 60_000 })
    : await runSecretsAsync(["decrypt", "other.yaml"], { env, cwd: dir, timeoutMs: 60_000 });
  const tmpAfter = readdirSync(dir).filter((n) => n.endsWith(".tmp"));
  const clear = plaintextLeftovers(dir, tmp);
  const detail = `delay ${delay} ms, exit ${r.code}, next exit ${next.code}, temp files after: ${tmpAfter.join(",")}, plaintext: ${clear.join(",")}${tmp ? `, TMPDIR: ${readdirSync(tmp).join(",")}` : ""}`;
  if (tmpAfter.length > 0 || clear.length > 0 || (tmp && readdirSync(tmp).length > 0) || ![0, 200].includes(next.code)) return { state: "broken", leftBefore, detail };
  return { state, leftBefore, detail };
}

describe("item 8: leftovers after kill -9", () => {
  for (const w of WRITERS) {
    it(`${w.name}: SIGKILL at a random moment leaves the file old or new, and the next command leaves no temp file or plaintext`, async () => {
      // Full runs first, as many at once as the trials run: each result must count as new (so "new" is a real
      // check), and their time under that load bounds the delays, so kills fall before, in and after the write.
      const full = await Promise.all(Array.from({ length: AT_ONCE }, async () => {
        const t = prepare(w);
        const r = await runSecretsAsync(w.args, { env: t.env, cwd: t.dir, timeoutMs: 60_000, process: true, ...(w.input !== undefined ? { input: w.input } : {}) });
        expect(r.code, r.stderr).toBe(0);
        expect(await w.isNew(readFileSync(join(t.dir, "s.yaml")), t.dir)).toBe(true);
        return r.ms;
      }));
      const maxDelay = Math.max(50, Math.round(Math.max(...full) * 1.5));
      const counts = { old: 0, new: 0, broken: 0, leftovers: 0 };
      const bad: string[] = [];
      let started = 0;
      const worker = async (): Promise<void> => {
        while (started < TRIALS) {
          started++;
          const o = await trial(w, maxDelay);
          counts[o.state]++;
          if (o.leftBefore > 0) counts.leftovers++;
          if (o.state === "broken") bad.push(o.detail);
        }
      };
      await Promise.all(Array.from({ length: AT_ONCE }, worker));
      console.log(`kill -9 ${w.name}, ${TRIALS} trials (delays 0-${maxDelay} ms): old ${counts.old}, new ${counts.new}, broken ${counts.broken}; trials that left a temp file the next command removed: ${counts.leftovers}`);
      expect(bad).toEqual([]);
      expect(counts.old + counts.new).toBe(TRIALS);
    }, 600_000);
  }
});

describe("item 8: a leftover is recognised by its writer's pid", () => {
  it("the next command removes a temp file whose writer is gone, and keeps a live writer's", () => {
    const dir = join(root, "planted");
    mkdirSync(dir);
    copyFileSync(join(fx, "sealed.yaml"), join(dir, "s.yaml"));
    const dead = spawnSync(process.execPath, ["-e", ""]).pid;
    const deadName = `.s.yaml.sealfile-${dead}-0123456789ab.tmp`;
    const liveName = `.s.yaml.sealfile-${process.pid}-0123456789ab.tmp`;
    writeFileSync(join(dir, deadName), PLAIN);
    writeFileSync(join(dir, liveName), "being written");
    const r = runSecrets(["decrypt", "s.yaml"], { env: envFor(0), cwd: dir });
    expect(r.code).toBe(0);
    expect(existsSync(join(dir, deadName))).toBe(false);
    expect(existsSync(join(dir, liveName))).toBe(true);
  });

  it("the next edit removes the private folder of an edit that was killed, and keeps a running edit's", () => {
    const dir = join(root, "planted-edit");
    const tmp = join(root, "planted-edit-tmp");
    mkdirSync(dir);
    mkdirSync(tmp);
    copyFileSync(join(fx, "sealed.yaml"), join(dir, "s.yaml"));
    const dead = join(tmp, `sealfile-edit-${spawnSync(process.execPath, ["-e", ""]).pid}-AbC123`);
    const live = join(tmp, `sealfile-edit-${process.pid}-XyZ789`);
    for (const d of [dead, live]) {
      mkdirSync(d);
      writeFileSync(join(d, "s.yaml"), PLAIN);
    }
    const r = runSecrets(["edit", "s.yaml"], { env: envFor(0, { EDITOR: "true", TMPDIR: tmp }), cwd: dir });
    expect(r.code).toBe(200);
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(join(live, "s.yaml"))).toBe(true);
  });
});
