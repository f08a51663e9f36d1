// Acceptance (issue 5, points 1 and 3): the merge driver and the diff textconv driver in real temporary
// git repositories, installed with `secrets git setup` and run by git itself.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BIN, baseEnv, runSecrets, tempHome } from "../helpers/cli.js";
import { openSealedBytes, resealToBytes } from "../../src/ops/sealed-file.js";
import { makeKeyContext } from "../../src/ops/key-context.js";
import { closeDocument } from "../../src/document/index.js";
import { setAtPath } from "../../src/tree/index.js";
import { shellQuote } from "../../src/git/driver-command.js";
import { readConflictFile } from "../../src/git/conflict-file.js";

const home = tempHome();
const work = mkdtempSync(join(tmpdir(), "sealfile-drivers-"));
const keys = join(work, "keys.txt");
let env: Record<string, string> = {};
let noKeyEnv: Record<string, string> = {};
let useCliSet = false;

const FILE = "secrets.enc.yaml";
const PLAIN = `db:
    user: app
    password: original-db-password-1c9e
    host: db.internal
api:
    token: original-api-token-5b7d
    url: https://api.example.com
feature_flags:
    - alpha
    - beta
`;

function gitEnv(e: Record<string, string>): Record<string, string> {
  return { ...e, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1", GIT_AUTHOR_DATE: "2026-01-01T00:00:00Z", GIT_COMMITTER_DATE: "2026-01-01T00:00:00Z" };
}

function git(repo: string, args: string[], e: Record<string, string> = env): { code: number; stdout: string; stderr: string } {
  const r = spawnSync("git", args, { cwd: repo, env: gitEnv(e), encoding: "utf8" });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function gitOk(repo: string, args: string[], e: Record<string, string> = env): string {
  const r = git(repo, args, e);
  if (r.code !== 0) throw new Error(`git ${args.join(" ")} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

/** Changes one value: with `secrets set` when the CLI has it, else decrypting in memory and re-sealing. */
async function setValue(repo: string, path: string[], value: string): Promise<void> {
  const file = join(repo, FILE);
  if (useCliSet) {
    const r = runSecrets(["set", FILE, path.map((p) => `["${p}"]`).join(""), "--value-stdin"], { env, cwd: repo, input: JSON.stringify(value) });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    return;
  }
  const { doc, store } = await openSealedBytes(readFileSync(file), { format: "yaml", ctx: makeKeyContext(env), file });
  try {
    setAtPath(doc.plain, path, { kind: "str", value });
    writeFileSync(file, resealToBytes(doc, doc.plain, store));
  } finally {
    closeDocument(doc);
  }
}

function decrypt(repo: string): string {
  const r = runSecrets(["decrypt", FILE], { env, cwd: repo });
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return r.stdout;
}

/** The -/+ lines of `git diff -U0 --no-textconv a b -- FILE`, without the headers. */
function changedLines(repo: string, a: string, b: string): { removed: string[]; added: string[] } {
  const out = gitOk(repo, ["diff", "--no-textconv", "--no-ext-diff", "-U0", a, b, "--", FILE]);
  const lines = out.split("\n").filter((l) => !l.startsWith("---") && !l.startsWith("+++"));
  return { removed: lines.filter((l) => l.startsWith("-")).map((l) => l.slice(1)), added: lines.filter((l) => l.startsWith("+")).map((l) => l.slice(1)) };
}

function lineOf(text: string, startsWith: string): string {
  const found = text.split("\n").filter((l) => l.startsWith(startsWith));
  expect(found).toHaveLength(1);
  return found[0]!;
}

function lastmodifiedAndMac(text: string): string[] {
  return [lineOf(text, "    lastmodified: "), lineOf(text, "    mac: ")];
}

/** Every file below `dir` (work tree and .git), plus every git object decompressed, must not contain any of `values`. */
function assertNoPlaintext(repo: string, values: readonly string[]): void {
  const hits: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else {
        const bytes = readFileSync(p);
        for (const v of values) if (bytes.includes(v)) hits.push(`${p}: ${v}`);
      }
    }
  };
  walk(repo);
  const objects = spawnSync("git", ["cat-file", "--batch-all-objects", "--batch"], { cwd: repo, env: gitEnv(env), maxBuffer: 64 * 1024 * 1024 });
  expect(objects.status).toBe(0);
  for (const v of values) if (objects.stdout.includes(v)) hits.push(`git object: ${v}`);
  expect(hits).toEqual([]);
}

/** A repository with .sops.yaml, the encrypted file and the drivers installed through `secrets git setup`. */
function makeRepo(): string {
  const repo = mkdtempSync(join(work, "repo-"));
  gitOk(repo, ["init", "-q", "-b", "main"]);
  gitOk(repo, ["config", "user.name", "Test"]);
  gitOk(repo, ["config", "user.email", "test@example.invalid"]);
  gitOk(repo, ["config", "commit.gpgsign", "false"]);
  const recipient = readFileSync(keys, "utf8").match(/public key: (age1[0-9a-z]+)/)![1]!;
  writeFileSync(join(repo, ".sops.yaml"), `creation_rules:\n  - path_regex: \\.enc\\.yaml$\n    age: ${recipient}\n`);
  writeFileSync(join(repo, FILE), PLAIN);
  const enc = runSecrets(["encrypt", "-i", FILE], { env, cwd: repo });
  expect(enc.stderr).toBe("");
  expect(enc.code).toBe(0);
  const setup = runSecrets(["git", "setup", "--command", `${shellQuote(process.execPath)} ${shellQuote(BIN)}`], { env: gitEnv(env), cwd: repo });
  expect(setup.stderr).toBe("");
  expect(setup.code).toBe(0);
  gitOk(repo, ["add", "-A"]);
  gitOk(repo, ["commit", "-q", "-m", "initial"]);
  return repo;
}

beforeAll(() => {
  const r = runSecrets(["keygen", "-o", keys], { env: baseEnv(home.dir) });
  expect(r.code).toBe(0);
  env = baseEnv(home.dir, { SOPS_AGE_KEY_FILE: keys });
  noKeyEnv = baseEnv(home.dir);
  useCliSet = runSecrets(["set", "--help"], { env }).code === 0;
});
afterAll(() => {
  home.cleanup();
  rmSync(work, { recursive: true, force: true });
});

describe("secrets git setup", () => {
  it("writes the .gitattributes line and the driver config, and is idempotent", () => {
    const repo = makeRepo();
    const attrs = readFileSync(join(repo, ".gitattributes"), "utf8");
    expect(attrs.split("\n").filter((l) => l && !l.startsWith("#"))).toEqual(["*.enc.yaml diff=sealfile merge=sealfile"]);
    const cmd = `${shellQuote(process.execPath)} ${shellQuote(BIN)}`;
    expect(gitOk(repo, ["config", "--local", "--get", "diff.sealfile.textconv"]).trim()).toBe(`${cmd} git diff-text`);
    expect(gitOk(repo, ["config", "--local", "--get", "diff.sealfile.cachetextconv"]).trim()).toBe("false");
    expect(gitOk(repo, ["config", "--local", "--get", "merge.sealfile.driver"]).trim()).toBe(`${cmd} git merge %O %A %B %P`);
    expect(gitOk(repo, ["check-attr", "diff", "merge", "--", FILE, "other.yaml"])).toBe(
      `${FILE}: diff: sealfile\n${FILE}: merge: sealfile\nother.yaml: diff: unspecified\nother.yaml: merge: unspecified\n`,
    );
    const again = runSecrets(["git", "setup", "--command", cmd], { env: gitEnv(env), cwd: repo });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("already up to date");
    expect(readFileSync(join(repo, ".gitattributes"), "utf8")).toBe(attrs);
  });
});

describe("merge driver (acceptance 1)", () => {
  it("merges changes to different keys: both changes, MAC valid, each parent diff shows only the other side", async () => {
    const repo = makeRepo();
    gitOk(repo, ["checkout", "-q", "-b", "feature"]);
    await setValue(repo, ["db", "password"], "feature-db-password-9a41");
    await setValue(repo, ["db", "pool"], "feature-pool-size-77");
    gitOk(repo, ["commit", "-q", "-am", "feature: db"]);
    const featureText = readFileSync(join(repo, FILE), "utf8");
    gitOk(repo, ["checkout", "-q", "main"]);
    await setValue(repo, ["api", "token"], "main-api-token-3e08");
    gitOk(repo, ["commit", "-q", "-am", "main: api"]);
    const mainText = readFileSync(join(repo, FILE), "utf8");
    // lastmodified has one-second resolution: let the merge's be different from both parents'.
    await new Promise((r) => setTimeout(r, 1100));

    const merge = git(repo, ["merge", "--no-edit", "feature"]);
    expect(merge.stderr).not.toContain("CONFLICT");
    expect(merge.code).toBe(0);
    const mergedText = readFileSync(join(repo, FILE), "utf8");

    // Decrypting checks the MAC; both sides' changes are there.
    const plain = decrypt(repo);
    expect(plain).toContain("password: feature-db-password-9a41");
    expect(plain).toContain("pool: feature-pool-size-77");
    expect(plain).toContain("token: main-api-token-3e08");
    expect(plain).toContain("user: app");

    // Against main (first parent): only feature's lines, plus lastmodified and mac.
    const vsMain = changedLines(repo, "HEAD^1", "HEAD");
    expect(vsMain.removed.sort()).toEqual([lineOf(mainText, "    password: "), ...lastmodifiedAndMac(mainText)].sort());
    expect(vsMain.added.sort()).toEqual([lineOf(featureText, "    password: "), lineOf(featureText, "    pool: "), ...lastmodifiedAndMac(mergedText)].sort());
    // Against feature (second parent): only main's line, plus lastmodified and mac.
    const vsFeature = changedLines(repo, "HEAD^2", "HEAD");
    expect(vsFeature.removed.sort()).toEqual([lineOf(featureText, "    token: "), ...lastmodifiedAndMac(featureText)].sort());
    expect(vsFeature.added.sort()).toEqual([lineOf(mainText, "    token: "), ...lastmodifiedAndMac(mergedText)].sort());

    expect(gitOk(repo, ["status", "--porcelain"])).toBe("");
    assertNoPlaintext(repo, ["feature-db-password-9a41", "feature-pool-size-77", "main-api-token-3e08", "original-db-password-1c9e"]);
  });

  it("refuses a real conflict: names the key path, leaves the encrypted versions between markers, writes no plaintext", async () => {
    const repo = makeRepo();
    gitOk(repo, ["checkout", "-q", "-b", "feature"]);
    await setValue(repo, ["db", "password"], "feature-side-password-41ab");
    await setValue(repo, ["api", "url"], "https://feature.example.com");
    gitOk(repo, ["commit", "-q", "-am", "feature"]);
    gitOk(repo, ["checkout", "-q", "main"]);
    await setValue(repo, ["db", "password"], "main-side-password-82cd");
    gitOk(repo, ["commit", "-q", "-am", "main"]);
    const oursBefore = readFileSync(join(repo, FILE));

    const merge = git(repo, ["merge", "--no-edit", "feature"]);
    expect(merge.code).not.toBe(0);
    const said = merge.stdout + merge.stderr;
    expect(said).toContain("db.password");
    expect(said).toContain("CONFLICT");
    expect(said).not.toContain("api.url");
    // Issue 18 item 1: the work tree holds ours, base and theirs (ciphertext) between conflict markers.
    const left = readConflictFile(readFileSync(join(repo, FILE)));
    expect(left && Buffer.from(left.ours).equals(oursBefore)).toBe(true);
    expect(gitOk(repo, ["diff", "--name-only", "--diff-filter=U"]).trim()).toBe(FILE);
    expect(readdirSync(repo).filter((n) => n.includes("merge_file") || n.endsWith(".tmp"))).toEqual([]);
    assertNoPlaintext(repo, ["feature-side-password-41ab", "main-side-password-82cd", "original-db-password-1c9e", "https://feature.example.com"]);
  });

  it("fails the merge with a clear message when no key is available", async () => {
    const repo = makeRepo();
    gitOk(repo, ["checkout", "-q", "-b", "feature"]);
    await setValue(repo, ["db", "password"], "feature-password-nokey");
    gitOk(repo, ["commit", "-q", "-am", "feature"]);
    gitOk(repo, ["checkout", "-q", "main"]);
    await setValue(repo, ["api", "token"], "main-token-nokey");
    gitOk(repo, ["commit", "-q", "-am", "main"]);
    const oursBefore = readFileSync(join(repo, FILE));
    const merge = git(repo, ["merge", "--no-edit", "feature"], noKeyEnv);
    expect(merge.code).not.toBe(0);
    expect(merge.stdout + merge.stderr).toMatch(/cannot merge secrets\.enc\.yaml: the (ours|theirs|base) version cannot be opened/);
    expect(readFileSync(join(repo, FILE)).equals(oursBefore)).toBe(true);
  });
});

describe("diff textconv driver (acceptance 3)", () => {
  it("shows the plaintext change to a key holder, and the ciphertext diff without failing to others", async () => {
    const repo = makeRepo();
    await setValue(repo, ["db", "password"], "changed-password-6f2e");

    const withKey = git(repo, ["diff", FILE]);
    expect(withKey.code).toBe(0);
    expect(withKey.stderr).toBe("");
    const changed = withKey.stdout.split("\n").filter((l) => /^[-+] /.test(l));
    expect(changed).toEqual(["-    password: original-db-password-1c9e", "+    password: changed-password-6f2e"]);

    const noKey = git(repo, ["diff", FILE], noKeyEnv);
    expect(noKey.code).toBe(0);
    expect(noKey.stderr).toBe("");
    expect(noKey.stdout).not.toContain("changed-password-6f2e");
    expect(noKey.stdout).not.toContain("original-db-password-1c9e");
    const raw = changedLines(repo, "HEAD", "HEAD"); // sanity: the helper sees no change between equal commits
    expect(raw).toEqual({ removed: [], added: [] });
    const cipherLines = noKey.stdout.split("\n").filter((l) => /^[-+] /.test(l));
    expect(cipherLines.some((l) => l.startsWith("-    password: ENC[AES256_GCM,"))).toBe(true);
    expect(cipherLines.some((l) => l.startsWith("+    password: ENC[AES256_GCM,"))).toBe(true);
    expect(cipherLines.some((l) => l.startsWith("+    mac: ENC["))).toBe(true);

    // git log -p goes through the same driver.
    gitOk(repo, ["commit", "-q", "-am", "change"]);
    const log = gitOk(repo, ["log", "-p", "-1"]);
    expect(log).toContain("+    password: changed-password-6f2e");
    assertNoPlaintext(join(repo, ".git"), ["changed-password-6f2e"]);
  }, 120_000);
});
