// Issue 18 ("a team's day with sealfile"): acceptance in real temporary git repositories with three
// identities. git itself runs the merge driver, the textconv and the pre-commit guard (real processes);
// every `secrets` command the test runs itself goes through runInProcess.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { chmodSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { BIN } from "../helpers/cli.js";
import { makeRepo, pastLastModified, type TestRepo } from "../helpers/git-repo.js";
import { runInProcess } from "../helpers/in-process.js";
import { shellQuote } from "../../src/git/driver-command.js";

const FILE = "secrets.enc.yaml";
const PLAIN = `db:
    host: db.internal
    password: original-db-password-1c9e
api:
    token: original-api-token-5b7d
    url: https://api.example.com
`;
const CMD = `${shellQuote(process.execPath)} ${shellQuote(BIN)}`;

let repo: TestRepo;
/** alice, bob and carol named in `recipients:`; carol is in the rule only with `withCarol`. */
const teamConfig = (withCarol: boolean): string => {
  const [a, b, c] = repo.keys.map((k) => k.recipient);
  return `recipients:\n  alice: ${a}\n  bob: ${b}\n  carol: ${c}\ncreation_rules:\n  - path_regex: \\.enc\\.yaml$\n    age:\n      - alice\n      - bob\n${withCarol ? "      - carol\n" : ""}`;
};
// Commands run in-process read their files relative to the test process, so they get absolute paths.
const abs = (rel: string): string => join(repo.dir, rel);

function gitEnv(k = 0): Record<string, string> {
  return { ...repo.env(k), GIT_CONFIG_NOSYSTEM: "1", HOME: repo.home };
}

function git(args: string[], k = 0): { code: number; out: string } {
  const r = spawnSync("git", args, { cwd: repo.dir, env: gitEnv(k), encoding: "utf8" });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

function gitOk(args: string[], k = 0): string {
  const r = git(args, k);
  if (r.code !== 0) throw new Error(`git ${args.join(" ")} failed: ${r.out}`);
  return r.out;
}

async function secrets(args: string[], opts: { k?: number; input?: string; env?: Record<string, string> } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return runInProcess(args, { env: { ...repo.env(opts.k ?? 0), ...(opts.env ?? {}) }, cwd: repo.dir, ...(opts.input === undefined ? {} : { input: opts.input }) });
}

async function setValue(path: string, value: string, k = 0): Promise<void> {
  const r = await secrets(["set", abs(FILE), path, "--value-stdin"], { k, input: JSON.stringify(value) });
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
}

/** The -/+ lines of the raw (no textconv) diff of the work tree against the given revision (none: the index). */
function rawChanged(...revs: string[]): { removed: string[]; added: string[] } {
  const out = gitOk(["diff", "--no-textconv", "-U0", ...revs, "--", FILE]).split("\n").filter((l) => !l.startsWith("---") && !l.startsWith("+++"));
  return { removed: out.filter((l) => l.startsWith("-")).map((l) => l.slice(1)), added: out.filter((l) => l.startsWith("+")).map((l) => l.slice(1)) };
}

function lineOf(text: string, start: string): string {
  const found = text.split("\n").filter((l) => l.startsWith(start));
  expect(found).toHaveLength(1);
  return found[0]!;
}

beforeAll(async () => {
  repo = makeRepo(3);
  repo.write(".sops.yaml", teamConfig(false));
  repo.write(FILE, PLAIN);
  const enc = await secrets(["encrypt", "-i", abs(FILE)]);
  expect(enc.stderr).toBe("");
  expect(enc.code).toBe(0);
  const setup = await secrets(["git", "setup", "--command", CMD], { env: { GIT_CONFIG_NOSYSTEM: "1" } });
  expect(setup.stderr).toBe("");
  expect(setup.code).toBe(0);
  // The team's pre-commit guard (what `secrets hook install` puts there, pointed at this checkout's CLI).
  const hook = join(repo.dir, ".git", "hooks", "pre-commit");
  writeFileSync(hook, `#!/bin/sh\nexec ${CMD} guard --staged\n`);
  chmodSync(hook, 0o755);
  gitOk(["add", "-A"]);
  gitOk(["commit", "-q", "-m", "initial"]);
}, 60_000);

afterAll(() => repo?.cleanup());

describe("issue 18 item 1: a real merge conflict cannot be skipped by accident", () => {
  it("leaves the file unmerged, refuses `git commit -a`, and `secrets merge --resolve` keeps both sides' other changes", async () => {
    gitOk(["checkout", "-q", "-b", "conflict-feature"]);
    await setValue('["db"]["password"]', "feature-side-password-41ab", 1);
    await setValue('["api"]["url"]', "https://feature.example.com", 1);
    gitOk(["commit", "-q", "-am", "feature"]);
    const theirsText = repo.read(FILE);
    gitOk(["checkout", "-q", "main"]);
    await setValue('["db"]["password"]', "main-side-password-82cd");
    await setValue('["api"]["token"]', "main-side-api-token-77e0");
    gitOk(["commit", "-q", "-am", "main"]);
    const oursText = repo.read(FILE);

    const merge = git(["merge", "--no-edit", "conflict-feature"]);
    expect(merge.code).not.toBe(0);
    expect(merge.out).toContain("db.password");
    expect(merge.out).toContain("secrets merge --resolve");
    expect(gitOk(["status", "--porcelain", "--", FILE])).toBe(`UU ${FILE}\n`);
    const conflicted = repo.read(FILE);
    expect(conflicted.startsWith("<<<<<<< ours (sealfile conflict in db.password;")).toBe(true);
    for (const v of ["feature-side-password-41ab", "main-side-password-82cd", "main-side-api-token-77e0"]) expect(conflicted).not.toContain(v);

    // `git commit -a` stages the file as it is; the guard refuses it, so nothing is committed.
    const head = gitOk(["rev-parse", "HEAD"]);
    const commitAll = git(["commit", "-a", "--no-edit"]);
    expect(commitAll.code).not.toBe(0);
    expect(commitAll.out).toContain("secrets merge --resolve");
    expect(gitOk(["rev-parse", "HEAD"])).toBe(head);

    // Resolve: the editor sees the plaintext with both sides marked, and keeps theirs.
    const editor = join(repo.dir, "..", "keep-theirs.mjs");
    writeFileSync(
      editor,
      `import { readFileSync, writeFileSync } from "node:fs";
const f = process.argv[2]; const t = readFileSync(f, "utf8");
writeFileSync(${JSON.stringify(join(repo.dir, "..", "seen.txt"))}, t.replace(/password: \\S+/g, (m) => m.includes("side") ? m.replace(/:.*/, ": <" + m.split("-")[0].slice(10) + ">") : m));
writeFileSync(f, t.replace(/<<<<<<< ours\\n[^]*?=======\\n([^]*?)>>>>>>> theirs\\n/g, "$1"));
`,
    );
    for (const side of [oursText, theirsText]) await pastLastModified(side); // so the resolution's lastmodified differs from both
    const resolved = await secrets(["merge", "--resolve", FILE], { env: { EDITOR: `${shellQuote(process.execPath)} ${shellQuote(editor)}` } });
    expect(resolved.stderr).toContain("resolved");
    expect(resolved.code).toBe(0);
    const seen = readFileSync(join(repo.dir, "..", "seen.txt"), "utf8");
    expect(seen).toContain("<<<<<<< ours\n    password: <main>\n=======\n    password: <feature>\n>>>>>>> theirs\n");
    expect(seen).toContain("url: https://feature.example.com");
    expect(seen).toContain("token: main-side-api-token-77e0");

    const plain = (await secrets(["decrypt", abs(FILE)])).stdout;
    expect(plain).toContain("password: feature-side-password-41ab");
    expect(plain).toContain("url: https://feature.example.com");
    expect(plain).toContain("token: main-side-api-token-77e0");
    expect(plain).toContain("host: db.internal");
    // Against theirs, only ours' other change: the conflicting value keeps theirs' exact ciphertext.
    const result = repo.read(FILE);
    const vsTheirs = rawChanged("MERGE_HEAD");
    expect(vsTheirs.removed.sort()).toEqual([lineOf(theirsText, "    token: "), lineOf(theirsText, "    lastmodified: "), lineOf(theirsText, "    mac: ")].sort());
    expect(vsTheirs.added.sort()).toEqual([lineOf(oursText, "    token: "), lineOf(result, "    lastmodified: "), lineOf(result, "    mac: ")].sort());
    // Against ours: the conflicting value's line, theirs' other change, mac and lastmodified.
    const vsOurs = rawChanged("HEAD");
    expect(vsOurs.added.sort()).toEqual([lineOf(theirsText, "    password: "), lineOf(theirsText, "    url: "), lineOf(result, "    lastmodified: "), lineOf(result, "    mac: ")].sort());

    const done = git(["commit", "-a", "--no-edit"]);
    expect(done.out).not.toContain("merge-conflict");
    expect(done.code).toBe(0);
    expect(gitOk(["status", "--porcelain"])).toBe("");
  }, 60_000);
});

describe("issue 18 item 3: a secret pasted in clear can be fixed with one command", () => {
  it("the guard points at `encrypt --clear-values`, which encrypts it under the data key: a 3-line raw diff, and the guard passes", async () => {
    gitOk(["checkout", "-q", "-b", "pasted", "main"]);
    const sealed = repo.read(FILE);
    const pasted = sealed.replace("sops:\n", "stripe_key: sk_live_51HqPastedInClear9f3K2mQ\nsops:\n");
    expect(pasted).not.toBe(sealed);
    repo.write(FILE, pasted);
    gitOk(["add", FILE]);
    const guard = await secrets(["guard", "--staged"]);
    expect(guard.code).not.toBe(0);
    expect(guard.stdout + guard.stderr).toContain(`secrets encrypt --clear-values ${FILE}`);
    // Before the fix, reading the file fails, and says what to run.
    const edit = await secrets(["decrypt", abs(FILE)]);
    expect(edit.code).toBe(25);
    expect(edit.stderr).toContain("secrets encrypt --clear-values");

    await pastLastModified(pasted); // lastmodified has whole seconds: the fix must land in a later one
    const fix = await secrets(["encrypt", "--clear-values", abs(FILE)]);
    expect(fix.stderr).toContain("stripe_key");
    expect(fix.code).toBe(0);
    const fixed = repo.read(FILE);
    expect(fixed).not.toContain("sk_live_51HqPastedInClear9f3K2mQ");
    const diff = rawChanged(); // the index holds the pasted version
    expect(diff.removed.sort()).toEqual(["stripe_key: sk_live_51HqPastedInClear9f3K2mQ", lineOf(pasted, "    lastmodified: "), lineOf(pasted, "    mac: ")].sort());
    expect(diff.added.sort()).toEqual([lineOf(fixed, "stripe_key: ENC[AES256_GCM,"), lineOf(fixed, "    lastmodified: "), lineOf(fixed, "    mac: ")].sort());
    expect((await secrets(["decrypt", abs(FILE)])).stdout).toContain("stripe_key: sk_live_51HqPastedInClear9f3K2mQ");
    gitOk(["add", FILE]);
    const again = await secrets(["guard", "--staged"]);
    expect(again.stderr).not.toContain("clear-value");
    expect(again.code).toBe(0);
  });

  it("refuses when something besides the clear values changed (the MAC matches neither way)", async () => {
    const sealed = repo.read(FILE);
    const tampered = sealed.replace(/^( {4}host: )ENC\[[^\n]*$/m, "$1other.internal");
    expect(tampered).not.toBe(sealed);
    repo.write(FILE, tampered.replace("sops:\n", "pasted_key: another-clear-secret-8d1\nsops:\n"));
    const fix = await secrets(["encrypt", "--clear-values", abs(FILE)]);
    expect(fix.stderr).toContain("MAC_MISMATCH");
    expect(fix.code).toBe(51);
    repo.write(FILE, sealed);
  });
});

describe("issue 18 item 2: access changes are visible in review", () => {
  it("git log -p shows the recipient lines that changed, by name, and when the data key changed", async () => {
    gitOk(["checkout", "-q", "-f", "-b", "access", "main"]);
    const [, bobKey, carolKey] = repo.keys.map((k) => k.recipient);
    const accessLines = (rev: string): { removed: string[]; added: string[] } => {
      const out = gitOk(["log", "-p", "-1", "--format=", rev, "--", FILE]).split("\n");
      const pick = (sign: string) => out.filter((l) => l.startsWith(`${sign}# `)).map((l) => l.slice(1));
      return { removed: pick("-"), added: pick("+") };
    };
    const dataKeyLine = (lines: string[]) => lines.filter((l) => l.startsWith("# data key: "));

    // Add carol (updatekeys): one recipient line added, same data key.
    repo.write(".sops.yaml", teamConfig(true));
    expect((await secrets(["updatekeys", "-y", abs(FILE)])).code).toBe(0);
    gitOk(["commit", "-q", "-am", "add carol"]);
    const added = accessLines("HEAD");
    expect(added.added).toEqual([`# recipient: carol age ${carolKey}`]);
    expect(added.removed).toEqual([]);

    // Revoke bob: his line goes, and the data key is renewed. revoke also takes his name out of .sops.yaml;
    // his line still names him, from the .sops.yaml of the commits before.
    const revoke = await secrets(["revoke", "-y", "bob"]);
    expect(revoke.code).toBe(0);
    expect(readFileSync(abs(".sops.yaml"), "utf8")).not.toContain("bob");
    gitOk(["commit", "-q", "-am", "revoke bob"]);
    const revoked = accessLines("HEAD");
    expect(revoked.removed.filter((l) => l.startsWith("# recipient: "))).toEqual([`# recipient: bob age ${bobKey}`]);
    expect(revoked.added.filter((l) => l.startsWith("# recipient: "))).toEqual([]);
    expect(dataKeyLine(revoked.removed)).toHaveLength(1);
    expect(dataKeyLine(revoked.added)).toHaveLength(1);

    // Rotate: only the data key line changes.
    expect((await secrets(["rotate", "-i", abs(FILE)])).code).toBe(0);
    gitOk(["commit", "-q", "-am", "rotate"]);
    const rotated = accessLines("HEAD");
    expect(rotated.removed).toEqual(dataKeyLine(revoked.added));
    expect(rotated.added).toHaveLength(1);
    expect(dataKeyLine(rotated.added)).toHaveLength(1);

    // Going back in history, every commit's recipient lines carry names: the revoked person's too.
    const recipientLines = gitOk(["log", "-p", "--format=", "main..HEAD", "--", FILE]).split("\n").filter((l) => /^[-+ ]# recipient: /.test(l));
    expect(recipientLines.length).toBeGreaterThan(0);
    expect(recipientLines.filter((l) => !/^[-+ ]# recipient: (alice|bob|carol) age /.test(l))).toEqual([]);
    expect(recipientLines.filter((l) => l.includes("bob"))).not.toEqual([]);
  }, 60_000);
});

describe("issue 18 item 5: a resumed revoke lists every value of every touched file", () => {
  it("the second run's 'values to change' covers the files the first run re-keyed too", async () => {
    gitOk(["checkout", "-q", "-f", "-b", "revoke-resume", "main"]);
    repo.write(".sops.yaml", teamConfig(true));
    const other = "more/other.enc.yaml";
    repo.write(other, "smtp:\n    password: smtp-password-3d9a\nwebhook_secret: whsec-4b1c\n");
    expect((await secrets(["encrypt", "-i", abs(other)])).code).toBe(0);
    expect((await secrets(["updatekeys", "-y", abs(FILE)])).code).toBe(0);
    gitOk(["add", "-A"]);
    gitOk(["commit", "-q", "-m", "carol joins"]);

    // Another writer holds the second file: the first run re-keys FILE and stops there.
    const lock = join(repo.dir, "more", ".other.enc.yaml.sealfile-lock");
    writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname(), started: Date.now(), token: "held-by-test" }));
    const first = await secrets(["revoke", "-y", "carol"], { env: { SEALFILE_LOCK_WAIT_MS: "200" } });
    expect(first.stderr).toContain("FILE_LOCKED");
    expect(first.code).not.toBe(0);
    expect(repo.read(".sops.yaml")).toContain("carol");
    rmSync(lock);

    const second = await secrets(["revoke", "-y", "carol"]);
    expect(second.stderr).not.toContain("error[");
    expect(second.code).toBe(0);
    const listed = second.stdout.split("Values to change:")[1] ?? "";
    expect(listed).toContain(`${FILE}: db.host, db.password, api.token, api.url`);
    expect(listed).toContain(`${other}: smtp.password, webhook_secret`);
    expect(second.stdout).not.toMatch(/smtp-password-3d9a|whsec-4b1c/);
    // Done: the record is gone, so a later revoke of someone else starts afresh.
    expect(readdirSync(join(repo.dir, ".git", "sealfile")).filter((n) => n.startsWith("revoke-"))).toEqual([]);
  }, 60_000);
});
