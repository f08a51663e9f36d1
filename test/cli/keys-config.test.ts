// age identity sources, post-quantum recipients, age-only key groups with Shamir, and .sops.yaml handling.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { baseEnv, runSecrets, tempHome } from "../helpers/cli.js";

const home = tempHome();
const dir = mkdtempSync(join(tmpdir(), "sealfile-keys-"));
const ids: Array<{ file: string; recipient: string; identity: string }> = [];
afterAll(() => {
  home.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

beforeAll(() => {
  for (let i = 0; i < 3; i++) {
    const file = join(dir, `k${i}.txt`);
    const r = runSecrets(["keygen", "-o", file], { env: baseEnv(home.dir) });
    expect(r.code).toBe(0);
    const identity = readFileSync(file, "utf8").split("\n").find((l) => l.startsWith("AGE-SECRET-KEY-"))!;
    ids.push({ file, recipient: r.stdout.trim(), identity });
  }
});

function sealed(text: string, args: string[], name = "f.yaml"): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  const r = runSecrets(["encrypt", ...args, p], { env: baseEnv(home.dir), cwd: dir });
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  const out = join(dir, `enc.${name}`);
  writeFileSync(out, r.stdout);
  return out;
}

describe("where identities come from", () => {
  it("SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, SOPS_AGE_KEY_CMD and the default keys.txt each work, and are combined", () => {
    const enc = sealed("a: secret\n", ["--age", ids[0]!.recipient]);
    const fromKey = runSecrets(["decrypt", enc], { env: baseEnv(home.dir, { SOPS_AGE_KEY: `${ids[1]!.identity}\n${ids[0]!.identity}` }) });
    expect(fromKey.stdout).toBe("a: secret\n");
    const fromCmd = runSecrets(["decrypt", enc], { env: baseEnv(home.dir, { SOPS_AGE_KEY_CMD: `cat '${ids[0]!.file}'` }) });
    expect(fromCmd.stdout).toBe("a: secret\n");
    const otherHome = mkdtempSync(join(dir, "home-"));
    mkdirSync(join(otherHome, ".config/sops/age"), { recursive: true });
    writeFileSync(join(otherHome, ".config/sops/age/keys.txt"), readFileSync(ids[0]!.file));
    const fromDefault = runSecrets(["decrypt", enc], { env: { PATH: process.env.PATH!, HOME: otherHome } });
    expect(fromDefault.stdout).toBe("a: secret\n");
    // A wrong key in one source does not hide the right key in another.
    const combined = runSecrets(["decrypt", enc], { env: baseEnv(home.dir, { SOPS_AGE_KEY_FILE: ids[1]!.file, SOPS_AGE_KEY: ids[0]!.identity }) });
    expect(combined.code).toBe(0);
  });

  it("post-quantum hybrid recipients (keygen --pq) encrypt and decrypt", () => {
    const pqFile = join(dir, "pq.txt");
    const r = runSecrets(["keygen", "--pq", "-o", pqFile], { env: baseEnv(home.dir) });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^age1pq1/);
    const enc = sealed("pq: value\n", ["--age", r.stdout.trim()], "pq.yaml");
    expect(runSecrets(["decrypt", enc], { env: baseEnv(home.dir, { SOPS_AGE_KEY_FILE: pqFile }) }).stdout).toBe("pq: value\n");
  });
});

describe("key groups and Shamir (age only)", () => {
  it("a 2-of-3 file opens with any two groups and not with one", () => {
    const proj = mkdtempSync(join(dir, "groups-"));
    writeFileSync(
      join(proj, ".sops.yaml"),
      `creation_rules:\n  - path_regex: \\.yaml$\n    shamir_threshold: 2\n    key_groups:\n${ids.map((k) => `      - age:\n          - ${k.recipient}\n`).join("")}`,
    );
    writeFileSync(join(proj, "s.yaml"), "token: t0k3n\n");
    const enc = runSecrets(["encrypt", "s.yaml"], { env: baseEnv(home.dir), cwd: proj });
    expect(enc.code).toBe(0);
    expect(enc.stdout).toContain("key_groups:");
    expect(enc.stdout).toContain("shamir_threshold: 2");
    writeFileSync(join(proj, "s.enc.yaml"), enc.stdout);
    const pairs = [[0, 1], [0, 2], [1, 2]] as const;
    for (const [a, b] of pairs) {
      const r = runSecrets(["decrypt", "s.enc.yaml"], { env: baseEnv(home.dir, { SOPS_AGE_KEY: `${ids[a]!.identity}\n${ids[b]!.identity}` }), cwd: proj });
      expect(r.stdout, `groups ${a}+${b}`).toBe("token: t0k3n\n");
    }
    const one = runSecrets(["decrypt", "s.enc.yaml"], { env: baseEnv(home.dir, { SOPS_AGE_KEY: ids[0]!.identity }), cwd: proj });
    expect(one.code).toBe(128);
    expect(one.stderr).toContain("1 of the 2 key groups");
  });
});

describe(".sops.yaml", () => {
  it("is found from the file's folder upward, and the first matching rule wins", () => {
    const proj = mkdtempSync(join(dir, "rules-"));
    mkdirSync(join(proj, "deep/er"), { recursive: true });
    writeFileSync(join(proj, ".sops.yaml"), `creation_rules:\n  - path_regex: prod/.*\n    age: ${ids[1]!.recipient}\n  - path_regex: deep/.*\\.yaml$\n    age: ${ids[0]!.recipient}\n    encrypted_regex: ^pass\n`);
    writeFileSync(join(proj, "deep/er/x.yaml"), "user: admin\npassword: p\n");
    const r = runSecrets(["encrypt", join(proj, "deep/er/x.yaml")], { env: baseEnv(home.dir), cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("user: admin");
    expect(r.stdout).toMatch(/password: ENC\[/);
    expect(r.stdout).toContain(ids[0]!.recipient);
    expect(r.stdout).toContain("encrypted_regex: ^pass");
  });

  it("an invalid config names the position; both it and no matching rule exit 1, as in sops", () => {
    const proj = mkdtempSync(join(dir, "bad-"));
    writeFileSync(join(proj, ".sops.yaml"), "creation_rules:\n  - path_regex: 12\n");
    writeFileSync(join(proj, "a.yaml"), "a: 1\n");
    const bad = runSecrets(["encrypt", "a.yaml"], { env: baseEnv(home.dir), cwd: proj });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("creation_rules[0].path_regex");
    writeFileSync(join(proj, ".sops.yaml"), `creation_rules:\n  - path_regex: \\.json$\n    age: ${ids[0]!.recipient}\n`);
    const none = runSecrets(["encrypt", "a.yaml"], { env: baseEnv(home.dir), cwd: proj });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("no creation rule");
  });

  it("invalid metadata is reported with its path, not a crash", () => {
    const enc = sealed("a: 1\n", ["--age", ids[0]!.recipient], "meta.yaml");
    const broken = readFileSync(enc, "utf8").replace(/lastmodified: .*/, "lastmodified: yesterday");
    writeFileSync(enc, broken);
    const r = runSecrets(["decrypt", enc], { env: baseEnv(home.dir, { SOPS_AGE_KEY_FILE: ids[0]!.file }) });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error\[BAD_METADATA\]: invalid metadata: sops\.lastmodified/);
  });
});

describe("comment rules", () => {
  it("encrypted_comment_regex applies to the item its comment is on or above, and the marker stays readable", () => {
    const enc = sealed("user: admin\npassword: hunter2 # sops:enc\n# sops:enc\ntoken: t0k\nplain: visible\n", ["--age", ids[0]!.recipient, "--encrypted-comment-regex", "sops:enc"], "cr.yaml");
    const text = readFileSync(enc, "utf8");
    expect(text).toContain("user: admin");
    expect(text).toContain("plain: visible");
    expect(text).toMatch(/password: ENC\[/);
    expect(text).toMatch(/token: ENC\[/);
    expect(text).toContain("# sops:enc");
    const dec = runSecrets(["decrypt", enc], { env: baseEnv(home.dir, { SOPS_AGE_KEY_FILE: ids[0]!.file }) });
    expect(dec.stdout).toBe("user: admin\npassword: hunter2 # sops:enc\n# sops:enc\ntoken: t0k\nplain: visible\n");
  });
});
