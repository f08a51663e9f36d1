// Acceptance 4 and 5: updatekeys after .sops.yaml changes, rotate of one file and of 200 (also killed mid-way).
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { BIN, runSecrets } from "../helpers/cli.js";
import { copyRepo, makeRepo, sopsConfig, type TestRepo } from "../helpers/git-repo.js";
import { hasPty, runOnPty } from "../helpers/pty.js";
import { noteMissing } from "../helpers/tools.js";

noteMissing("python3", hasPty, "the pseudo-terminal test (test/helpers/pty-drive.py)");
import { AgeKey } from "../../src/keys/age.js";
import { makeKeyContext } from "../../src/ops/key-context.js";
import { openSealedBytes, sealPlainBytes } from "../../src/ops/sealed-file.js";
import { storeFor } from "../../src/formats/index.js";

let repo: TestRepo | undefined;
afterEach(() => repo?.cleanup());

/** Every `ENC[…]` value of a sealed YAML text (the sops block's mac included). */
const envelopes = (text: string): string[] => text.match(/ENC\[AES256_GCM,[^\]]*\]/g) ?? [];
const valueLines = (text: string): string => text.slice(0, text.indexOf("\nsops:"));
const rotatedAt = (text: string): string | undefined => /sealfile_rotated_at: "?([^"\n]+)/.exec(text)?.[1];

function setup(nKeys: number, recipients: number[], files: Record<string, string>): TestRepo {
  const r = makeRepo(nKeys);
  r.write(".sops.yaml", sopsConfig("secrets/.*", recipients.map((i) => r.keys[i]!.recipient)));
  for (const [name, text] of Object.entries(files)) {
    r.write(name, text);
    const e = runSecrets(["encrypt", "-i", name], { env: r.env(), cwd: r.dir });
    if (e.code !== 0) throw new Error(e.stderr);
  }
  r.commit("init");
  return r;
}

/** Many files, encrypted in-process (200 CLI start-ups would dominate the test); the CLI does the rotating. */
async function setupMany(files: Record<string, string>): Promise<TestRepo> {
  const r = makeRepo(1);
  r.write(".sops.yaml", sopsConfig("secrets/.*", [r.keys[0]!.recipient]));
  const ctx = makeKeyContext({});
  for (const [name, text] of Object.entries(files)) {
    const sealed = await sealPlainBytes(Buffer.from(text), { format: "yaml", ctx, keyGroups: [[AgeKey.fromRecipient(r.keys[0]!.recipient)]] });
    r.write(name, Buffer.from(sealed).toString("utf8"));
  }
  r.commit("init");
  return r;
}

/** Decrypts in-process with the repo's first key (the engine the CLI uses). */
async function openText(r: TestRepo, name: string): Promise<string> {
  const { doc } = await openSealedBytes(Buffer.from(r.read(name)), { format: "yaml", ctx: makeKeyContext({ SOPS_AGE_KEY_FILE: r.keys[0]!.file, HOME: r.home }) });
  return Buffer.from(storeFor("yaml").emitPlain(doc.plain)).toString("utf8");
}

describe("secrets updatekeys", () => {
  it("-y after adding a recipient: the new key decrypts, values/mac/lastmodified byte-identical", () => {
    repo = setup(3, [0], { "secrets/a.yaml": "db:\n    password: hunter2\n    port: 5432\n" });
    const before = repo.read("secrets/a.yaml");
    expect(runSecrets(["decrypt", "secrets/a.yaml"], { env: repo.env(1), cwd: repo.dir }).code).toBe(128);
    repo.write(".sops.yaml", sopsConfig("secrets/.*", [repo.keys[0]!.recipient, repo.keys[1]!.recipient]));
    const r = runSecrets(["updatekeys", "-y", "secrets/a.yaml"], { env: repo.env(), cwd: repo.dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`+ age ${repo.keys[1]!.recipient}`);
    const after = repo.read("secrets/a.yaml");
    expect(valueLines(after)).toBe(valueLines(before));
    for (const field of ["mac", "lastmodified", "sealfile_rotated_at"]) {
      const re = new RegExp(`\\n\\s*${field}: .*`);
      expect(re.exec(after)?.[0]).toBe(re.exec(before)?.[0]);
    }
    const dec = runSecrets(["decrypt", "secrets/a.yaml"], { env: repo.env(1), cwd: repo.dir });
    expect(dec.code).toBe(0);
    expect(dec.stdout).toContain("password: hunter2");
    // Nothing left to do: a second run writes nothing.
    const again = runSecrets(["updatekeys", "-y", "secrets/a.yaml"], { env: repo.env(), cwd: repo.dir });
    expect(again.stderr).toContain("already up to date");
    expect(repo.read("secrets/a.yaml")).toBe(after);
  });

  it("without -y and without a terminal it refuses and writes nothing", () => {
    repo = setup(2, [0], { "secrets/a.yaml": "k: v\n" });
    const before = repo.read("secrets/a.yaml");
    repo.write(".sops.yaml", sopsConfig("secrets/.*", [repo.keys[0]!.recipient, repo.keys[1]!.recipient]));
    const r = runSecrets(["updatekeys", "secrets/a.yaml"], { env: repo.env(), cwd: repo.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("pass -y");
    expect(repo.read("secrets/a.yaml")).toBe(before);
  });

  for (const [answer, applied] of [["y", true], ["n", false]] as const) {
    it.skipIf(!hasPty)(`on a terminal it asks once; answering ${answer} ${applied ? "applies" : "changes nothing"}`, () => {
      repo = setup(2, [0], { "secrets/a.yaml": "k: v\n", "secrets/b.yaml": "k: w\n" });
      repo.write(".sops.yaml", sopsConfig("secrets/.*", [repo.keys[0]!.recipient, repo.keys[1]!.recipient]));
      const before = repo.read("secrets/a.yaml");
      const out = runOnPty([process.execPath, BIN, "updatekeys", "--all"], { answers: [{ after: "[y/N]", send: `${answer}\n` }] }, { cwd: repo.dir, env: repo.env() });
      expect(out.answered).toBe(1);
      expect(out.exit).toBe(0);
      expect(out.tty).toContain("Apply these changes to 2 files?");
      expect(runSecrets(["decrypt", "secrets/b.yaml"], { env: repo.env(1), cwd: repo.dir }).code).toBe(applied ? 0 : 128);
      if (!applied) expect(repo.read("secrets/a.yaml")).toBe(before);
      else expect(out.tty).toMatch(/\[#{28}\] 2\/2/);
    });
  }

  it("--rotate after removing a recipient: the removed key fails, the data key is new", () => {
    repo = setup(2, [0, 1], { "secrets/a.yaml": "token: abc\nn: 1\n" });
    const before = repo.read("secrets/a.yaml");
    expect(runSecrets(["decrypt", "secrets/a.yaml"], { env: repo.env(1), cwd: repo.dir }).code).toBe(0);
    repo.write(".sops.yaml", sopsConfig("secrets/.*", [repo.keys[0]!.recipient]));
    const r = runSecrets(["updatekeys", "-y", "--rotate", "secrets/a.yaml"], { env: repo.env(), cwd: repo.dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`- age ${repo.keys[1]!.recipient}`);
    const after = repo.read("secrets/a.yaml");
    expect(after).not.toContain(repo.keys[1]!.recipient);
    const oldValues = new Set(envelopes(valueLines(before)));
    expect(envelopes(valueLines(after)).some((e) => oldValues.has(e))).toBe(false);
    expect(runSecrets(["decrypt", "secrets/a.yaml"], { env: repo.env(1), cwd: repo.dir }).code).toBe(128);
    expect(runSecrets(["decrypt", "secrets/a.yaml"], { env: repo.env(0), cwd: repo.dir }).stdout).toBe("token: abc\nn: 1\n");
  });
});

describe("secrets rotate", () => {
  it("one file without -i prints the rotated file; -i with --rm-age/--add-age re-keys it", () => {
    repo = setup(3, [0, 1], { "secrets/a.yaml": "x: secret-x\n" });
    const before = repo.read("secrets/a.yaml");
    const out = runSecrets(["rotate", "secrets/a.yaml"], { env: repo.env(), cwd: repo.dir });
    expect(out.code).toBe(0);
    expect(out.stdout).toContain("x: ENC[AES256_GCM,");
    expect(repo.read("secrets/a.yaml")).toBe(before);
    const r = runSecrets(["rotate", "-i", "--rm-age", repo.keys[1]!.recipient, "--add-age", repo.keys[2]!.recipient, "secrets/a.yaml"], { env: repo.env(), cwd: repo.dir });
    expect(r.code).toBe(0);
    const after = repo.read("secrets/a.yaml");
    expect(envelopes(valueLines(after))[0]).not.toBe(envelopes(valueLines(before))[0]);
    expect(rotatedAt(after)).toBeDefined();
    expect(runSecrets(["decrypt", "secrets/a.yaml"], { env: repo.env(1), cwd: repo.dir }).code).toBe(128);
    expect(runSecrets(["decrypt", "secrets/a.yaml"], { env: repo.env(2), cwd: repo.dir }).stdout).toBe("x: secret-x\n");
  });

  function twoHundred(): Record<string, string> {
    const files: Record<string, string> = {};
    for (let i = 0; i < 200; i++) files[`secrets/f${String(i).padStart(3, "0")}.yaml`] = `id: ${i}\nsecret: value-${i}\nnested:\n    deep: d${i}\n`;
    return files;
  }

  /** Rotated: the file decrypts to its plaintext, and its values and data key entry all differ from before. */
  async function checkOldOrNew(r: TestRepo, names: string[], before: Map<string, string>): Promise<{ old: number; fresh: number }> {
    let old = 0;
    let fresh = 0;
    for (const name of names) {
      const text = r.read(name);
      const prev = before.get(name)!;
      const i = Number(/f(\d+)/.exec(name)![1]);
      expect(await openText(r, name), name).toBe(`id: ${i}\nsecret: value-${i}\nnested:\n    deep: d${i}\n`);
      if (text === prev) {
        old++;
        continue;
      }
      const prevEnv = new Set(envelopes(prev));
      expect(envelopes(text).every((e) => !prevEnv.has(e)), name).toBe(true);
      fresh++;
    }
    return { old, fresh };
  }

  // The 200 sealed files are made once; each test below works on its own copy of that repository.
  let many: TestRepo | undefined;
  const manyCopy = async (files: Record<string, string>): Promise<TestRepo> => copyRepo((many ??= await setupMany(files)));
  afterAll(() => many?.cleanup());

  it("--all over 200 files in a repo: every file decrypts, every data key is new", async () => {
    const files = twoHundred();
    repo = await manyCopy(files);
    const names = Object.keys(files);
    const before = new Map(names.map((n) => [n, repo!.read(n)]));
    const r = runSecrets(["rotate", "--all"], { env: repo.env(), cwd: join(repo.dir, "secrets") });
    expect(r.code).toBe(0);
    expect(r.stderr.split("\n").filter((l) => l.startsWith("rotated "))).toHaveLength(200);
    expect(await checkOldOrNew(repo, names, before)).toEqual({ old: 0, fresh: 200 });
  }, 120_000);

  it("SIGKILL in the middle of --all leaves each file old or new, never broken", async () => {
    const files = twoHundred();
    repo = await manyCopy(files);
    const names = Object.keys(files);
    const before = new Map(names.map((n) => [n, repo!.read(n)]));
    const child = spawn(process.execPath, [BIN, "rotate", "--all"], { cwd: repo.dir, env: repo.env(), stdio: ["ignore", "ignore", "pipe"] });
    let done = 0;
    const exited = new Promise<NodeJS.Signals | null>((res) => child.on("exit", (_c, s) => res(s)));
    child.stderr.on("data", (c: Buffer) => {
      done += (c.toString().match(/^rotated /gm) ?? []).length;
      if (done >= 60) child.kill("SIGKILL");
    });
    expect(await exited).toBe("SIGKILL");
    const { old, fresh } = await checkOldOrNew(repo, names, before);
    expect(old + fresh).toBe(200);
    expect(fresh).toBeGreaterThanOrEqual(60);
    expect(old).toBeGreaterThan(0);
    // git sees only whole-file changes; leftover atomic-write temp files (if any) are untracked and ignored by --all.
    const status = repo.git("status", "--porcelain").split("\n").filter(Boolean);
    expect(status.filter((l) => l.startsWith(" M")).length).toBe(fresh);
  }, 120_000);
});
