// Acceptance (issue 8, point 3) through the built CLI: `secrets revoke` in a real git repository with 50
// files under 3 rules. Afterwards the revoked key opens none of them, every other recipient opens all of its
// files, `.sops.yaml` differs only in removed lines, and a SIGKILL in the middle leaves every file either old
// or new (each one opens, with its MAC, under exactly one of the two recipient sets).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BIN, runSecrets } from "../helpers/cli.js";
import { diffLines, makeRepo, type TestRepo } from "../helpers/git-repo.js";
import { hasPty, runOnPty } from "../helpers/pty.js";
import { noteMissing } from "../helpers/tools.js";

noteMissing("python3", hasPty, "the pseudo-terminal test (test/helpers/pty-drive.py)");
import { loadConfig, matchRule } from "../../src/config.js";
import { keyFromSpec } from "../../src/keys/registry.js";
import { makeKeyContext } from "../../src/ops/key-context.js";
import { openSealedBytes, parseSealed, sealPlainBytes } from "../../src/ops/sealed-file.js";
import { closeDocument } from "../../src/document/index.js";
import { formatFromPath } from "../../src/formats/index.js";
import { isSealError } from "../../src/errors.js";

let repo: TestRepo;
let files: string[];
const VALUES = 300;
// keys: 0 alice, 1 bob (revoked), 2 carol, 3 ci (unnamed)
const recipientsOf = (rel: string): number[] => (rel.startsWith("prod/") ? [0, 1, 2] : rel.startsWith("dev/") ? [1, 3] : [0, 1, 3]);

function configText(k: string[]): string {
  return `# Team keys: names for people, raw keys for machines.
recipients:
  alice: &alice ${k[0]}
  bob: &bob ${k[1]}   # Bob's laptop
  carol: &carol ${k[2]}

creation_rules:
  # production: people only
  - path_regex: ^prod/
    age:
      - *alice
      - *bob
      - *carol
  - path_regex: ^dev/
    age:
      - *bob
      - ${k[3]}   # ci
  - path_regex: ^shared/
    key_groups:
      - age:
          - *alice
          - *bob
          - ${k[3]}
`;
}

function plain(rel: string, i: number): string {
  if (rel.endsWith(".json")) {
    const o: Record<string, string> = {};
    for (let v = 0; v < VALUES; v++) o[`key_${v}`] = `value-${i}-${v}-secret`;
    return `${JSON.stringify(o, null, 2)}\n`;
  }
  if (rel.endsWith(".env")) return Array.from({ length: VALUES }, (_, v) => `KEY_${v}=value-${i}-${v}-secret\n`).join("");
  return `db:\n  password: hunter2-${i}\n  user: app\n${Array.from({ length: VALUES }, (_, v) => `k${v}: value-${i}-${v}-secret\n`).join("")}`;
}

/** Opens a file with one key; returns whether it opened (MAC verified), throwing on any other failure. */
async function opens(rel: string, keyIndex: number): Promise<boolean> {
  const ctx = makeKeyContext({ HOME: repo.home, SOPS_AGE_KEY_FILE: repo.keys[keyIndex]!.file }, { promptPassphrase: false });
  try {
    const { doc } = await openSealedBytes(readFileSync(join(repo.dir, rel)), { format: formatFromPath(rel), ctx, file: rel });
    closeDocument(doc);
    return true;
  } catch (e) {
    if (isSealError(e, "NO_USABLE_KEY")) return false;
    throw e;
  }
}

function lists(rel: string, keyIndex: number): boolean {
  const md = parseSealed(readFileSync(join(repo.dir, rel)), formatFromPath(rel)).metadata;
  return md.keyGroups.some((g) => g.some((r) => r.entry.recipient === repo.keys[keyIndex]!.recipient));
}

const operatorEnv = (): Record<string, string> => {
  const both = join(repo.dir, "..", "operator.txt");
  writeFileSync(both, readFileSync(repo.keys[0]!.file, "utf8") + readFileSync(repo.keys[3]!.file, "utf8"));
  return repo.env(0, { SOPS_AGE_KEY_FILE: both });
};

beforeAll(async () => {
  repo = makeRepo(4);
  const k = repo.keys.map((x) => x.recipient);
  repo.write(".sops.yaml", configText(k));
  files = [
    ...Array.from({ length: 20 }, (_, i) => `prod/app-${i}.yaml`),
    ...Array.from({ length: 15 }, (_, i) => `dev/svc-${i}.env`),
    ...Array.from({ length: 15 }, (_, i) => `shared/cfg-${i}.json`),
  ];
  // Encrypted in-process through the library (the same code as `secrets encrypt`), for speed.
  const config = loadConfig({ cwd: repo.dir, env: {} })!;
  const ctx = makeKeyContext({ HOME: repo.home }, { promptPassphrase: false });
  for (const [i, rel] of files.entries()) {
    const path = repo.write(rel, plain(rel, i));
    const rule = matchRule(config, path, repo.dir)!;
    const keyGroups = await Promise.all(rule.keyGroups.map((g) => Promise.all(g.map(keyFromSpec))));
    writeFileSync(path, await sealPlainBytes(readFileSync(path), { format: formatFromPath(rel), ctx, keyGroups, file: rel }));
  }
  repo.commit("50 sealed files");
}, 120_000);
afterAll(() => repo.cleanup());

describe("secrets revoke (acceptance 3)", () => {
  it("starts from 50 files that bob and every other recipient open", async () => {
    expect(files).toHaveLength(50);
    for (const rel of files) expect(lists(rel, 1)).toBe(true);
    for (const rel of ["prod/app-0.yaml", "dev/svc-0.env", "shared/cfg-0.json"]) expect(await opens(rel, 1)).toBe(true);
  });

  it("refuses without -y and without a terminal, changing nothing", () => {
    const r = runSecrets(["revoke", "bob"], { env: operatorEnv(), cwd: repo.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("refusing to revoke without confirmation");
    expect(r.stderr).toMatch(/50 files to re-key/);
    expect(r.stderr).toContain(`before: alice (age ${repo.keys[0]!.recipient}), bob (age ${repo.keys[1]!.recipient}), carol (age ${repo.keys[2]!.recipient})`);
    expect(r.stderr).toContain(`after:  alice (age ${repo.keys[0]!.recipient}), carol (age ${repo.keys[2]!.recipient})`);
    expect(repo.git("status", "--porcelain")).toBe("");
  });

  it("survives a SIGKILL in the middle: every file is old or new, none broken", async () => {
    const committed = new Map(files.map((rel) => [rel, repo.read(rel)]));
    const child = spawn(process.execPath, [BIN, "revoke", "bob", "-y"], { cwd: repo.dir, env: operatorEnv(), stdio: "ignore" });
    const exited = new Promise<void>((res) => child.on("exit", () => res()));
    let changed = 0;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && child.exitCode === null) {
      changed = files.filter((rel) => repo.read(rel) !== committed.get(rel)).length;
      if (changed >= 3) break;
      await new Promise((r) => setTimeout(r, 2));
    }
    child.kill("SIGKILL");
    await exited;
    let oldCount = 0;
    let newCount = 0;
    for (const rel of files) {
      const isOld = lists(rel, 1);
      if (isOld) oldCount++;
      else newCount++;
      expect(await opens(rel, 1)).toBe(isOld);
      for (const k of recipientsOf(rel).filter((x) => x !== 1)) expect(await opens(rel, k)).toBe(true);
    }
    console.info(`SIGKILL after ${changed} rewritten files seen: ${newCount} new, ${oldCount} old, 0 broken`);
    expect(newCount).toBeGreaterThan(0);
    expect(oldCount).toBeGreaterThan(0);
    // No half-written file is left where a secrets file should be, only temp files and the locks of the files in
    // flight (the next run recovers them: their pid is gone); .sops.yaml is written last, so it still names bob.
    for (const d of ["prod", "dev", "shared"]) expect(readdirSync(join(repo.dir, d)).filter((n) => !files.includes(`${d}/${n}`)).every((n) => n.endsWith(".tmp") || n.endsWith(".sealfile-lock"))).toBe(true);
    expect(repo.read(".sops.yaml")).toContain("bob");
  }, 120_000);

  it("a second run resumes: bob opens none of the 50 files, every other recipient opens all of its files", async () => {
    const r = runSecrets(["revoke", "bob", "-y"], { env: operatorEnv(), cwd: repo.dir });
    expect(r.stderr).not.toContain("error[");
    expect(r.code).toBe(0);
    // The killed run's locks were recovered and its temp files removed.
    for (const d of ["prod", "dev", "shared"]) expect(readdirSync(join(repo.dir, d)).filter((n) => n.endsWith(".tmp") || n.endsWith(".sealfile-lock"))).toEqual([]);
    // data key renewed: every file rewritten (one `git diff` for all of them)
    const rewritten = new Set(repo.git("diff", "--numstat", "--", ...files).split("\n").filter(Boolean).map((l) => l.split("\t")[2]));
    for (const rel of files) {
      expect(lists(rel, 1)).toBe(false);
      expect(await opens(rel, 1)).toBe(false);
      for (const k of recipientsOf(rel).filter((x) => x !== 1)) expect(await opens(rel, k)).toBe(true);
      expect(rewritten.has(rel), rel).toBe(true);
    }
    // Through the CLI as well: bob's key gets exit 128 naming him; carol still reads prod.
    const denied = runSecrets(["decrypt", "prod/app-3.yaml"], { env: repo.env(1), cwd: repo.dir });
    expect(denied.code).toBe(128);
    const allowed = runSecrets(["decrypt", "prod/app-3.yaml"], { env: repo.env(2), cwd: repo.dir });
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toContain("password: hunter2-3");
  }, 120_000);

  it("changes .sops.yaml only by removing bob's lines", () => {
    const d = diffLines(repo, ".sops.yaml");
    expect(d.added).toEqual([]);
    expect(d.removed).toEqual([`-  bob: &bob ${repo.keys[1]!.recipient}   # Bob's laptop`, "-      - *bob", "-      - *bob", "-          - *bob"]);
    const after = loadConfig({ cwd: repo.dir, env: {} })!;
    expect(after.recipients).toEqual({ alice: repo.keys[0]!.recipient, carol: repo.keys[2]!.recipient });
    // Once done, the key is named nowhere and no file lists it: nothing to do, said plainly.
    const again = runSecrets(["revoke", repo.keys[1]!.recipient, "-y"], { env: operatorEnv(), cwd: repo.dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("is not named in");
    expect(again.stderr).toContain("no file lists it");
  });

  it("ends by saying what revocation cannot do and listing value paths, never values", () => {
    // Run on a fresh copy of the situation: revoke carol, who can read prod only.
    const r = runSecrets(["revoke", "carol", "-y"], { env: operatorEnv(), cwd: repo.dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("may still hold old versions");
    expect(r.stdout).toContain("changed at its source");
    expect(r.stdout).toMatch(/prod\/app-0\.yaml: db\.password, db\.user, k0, k1/);
    expect(r.stdout).not.toMatch(/hunter2|-secret/);
    expect(r.stderr).not.toMatch(/hunter2|-secret|AGE-SECRET-KEY/);
    expect(r.stdout).not.toContain("dev/");
  }, 120_000);

  it.skipIf(!hasPty)("on a terminal: asks first, answers no → nothing changes; yes → progress bar, then the re-key", () => {
    const small = makeRepo(2);
    try {
      const [a, b] = small.keys.map((x) => x.recipient);
      small.write(".sops.yaml", `recipients:\n  ann: ${a}\n  ben: ${b}\ncreation_rules:\n  - age: [ann, ben]\n`);
      for (let i = 0; i < 3; i++) {
        small.write(`s${i}.yaml`, `v: tty-${i}\n`);
        expect(runSecrets(["encrypt", "-i", `s${i}.yaml`], { env: small.env(0), cwd: small.dir }).code).toBe(0);
      }
      small.commit();
      const onTty = (answer: string): { exit: number; tty: string } => {
        const env = Object.entries(small.env(0)).map(([n, v]) => `${n}=${v}`);
        return runOnPty(["env", "-i", ...env, process.execPath, BIN, "revoke", "ben"], { answers: [{ after: "[y/N]", endsWith: "[y/N]", send: `${answer}\r` }], timeout: 120 }, { cwd: small.dir });
      };
      const no = onTty("n");
      expect(no.tty).toContain("Revoke ben and re-key 3 files? [y/N]");
      expect(no.tty).toContain("nothing changed");
      expect(no.exit).toBe(0);
      expect(small.git("status", "--porcelain")).toBe("");
      const yes = onTty("y");
      expect(yes.exit).toBe(0);
      expect(yes.tty).toMatch(/\[#{28}\] 3\/3/);
      expect(yes.tty).toContain("may still hold old versions");
      expect(small.read(".sops.yaml")).toBe(`recipients:\n  ann: ${a}\ncreation_rules:\n  - age: [ann]\n`);
    } finally {
      small.cleanup();
    }
  }, 60_000);
});
