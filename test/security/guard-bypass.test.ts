/**
 * Issue 12, item 6 — guard bypasses: the pre-commit guard run as a real process in real temporary repositories,
 * against files and configuration an attacker (or an accident) could leave in a working tree.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { baseEnv, runSecrets, tempHome, type RunResult } from "../helpers/cli.js";
import { makeRepo, type TempRepo } from "../git/_repo.js";

// Assembled at run time so this source file holds no token-shaped literal.
const GH_TOKEN = ["gh", "p_", "R8xK2mQ9vT4wL7nB3cY6", "hJ1fD5sA0gZ8eU2iO4pW"].join("");
const AWS_KEY = ["AK", "IA", "Q3ZJ7XH2MNB5", "R7TW"].join("");
const AGE_KEY = ["AGE-SECRET-", "KEY-1", "QYZ8V6DJ3LW4KQ9XH7N2PRS5TGMU0CFAE", "8JLD3Q6WXZ9K7NHR2V5PT4MGS8YCFU"].join("");
const DOTENV_KEY = ["9f8e7d6c5b4a", "39281706f5e4d3c2b1a0", "9f8e7d6c5b4a39281706f5e4d3c2b1a0f"].join("").slice(0, 64);
const PASSWORD = ["Tr0ub", "4dor&3"].join("");

const home = tempHome();
const env = baseEnv(home.dir, { GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" });
afterAll(() => home.cleanup());
const repos: TempRepo[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.cleanup();
});

function repo(): TempRepo {
  const r = makeRepo("sealfile-guard-bypass-");
  repos.push(r);
  r.write("README.md", "a project\n");
  r.git("add", ".");
  r.git("commit", "-qm", "start", "--no-verify");
  return r;
}

const guard = (r: TempRepo, ...args: string[]): RunResult => runSecrets(["guard", ...args], { env, cwd: r.dir });

interface JsonFinding {
  path: string;
  rule: string;
  fingerprint: string;
}
const findingsOf = (res: RunResult): JsonFinding[] => (JSON.parse(res.stdout) as { findings: JsonFinding[] }).findings;

function utf16le(text: string, bom: boolean): Buffer {
  return Buffer.concat([bom ? Buffer.from([0xff, 0xfe]) : Buffer.alloc(0), Buffer.from(text, "utf16le")]);
}
function utf16be(text: string): Buffer {
  return Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, "utf16le").swap16()]);
}
/** Bytes that look like nothing but binary: every value, repeated, with a token buried in the middle. */
function binaryWith(token: string): Buffer {
  const noise = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 73 + 11) % 256));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), noise, Buffer.from(`\x00\x01${token}\x02\x00`), noise]);
}

describe("issue 12 item 6 — guard bypasses", () => {
  it("(a) UTF-16 (with and without BOM), NUL-sprinkled and binary files are scanned, not skipped as binary", { timeout: 120_000 }, () => {
    const r = repo();
    r.write("notes/ps-redirect.txt", utf16le(`$env:GITHUB_TOKEN\r\n${GH_TOKEN}\r\n`, true));
    r.write("notes/no-bom.txt", utf16le(`aws_access_key_id = ${AWS_KEY}\n`, false));
    r.write("notes/big-endian.txt", utf16be(`token: ${GH_TOKEN}\n`));
    r.write("logs/with-nuls.log", Buffer.from(`start\0\0\0\nkey ${AWS_KEY}\0\nend\0\n`, "latin1"));
    r.write("assets/blob.bin", binaryWith(GH_TOKEN));
    r.git("add", ".");
    const res = guard(r, "--staged", "--json");
    expect(res.code, res.stderr).toBe(1);
    const found = findingsOf(res).map((f) => `${f.path} ${f.rule}`);
    expect(found).toEqual(
      expect.arrayContaining([
        "notes/ps-redirect.txt github-token",
        "notes/no-bom.txt aws-access-key",
        "notes/big-endian.txt github-token",
        "logs/with-nuls.log aws-access-key",
        "assets/blob.bin github-token",
      ]),
    );
    const human = guard(r, "--staged");
    expect(human.code).toBe(1);
    expect(human.stderr).toContain("notes/ps-redirect.txt:2:1  github-token");
    expect(human.stderr).toContain("notes/no-bom.txt:1:");
    expect(`${res.stdout}${human.stderr}`).not.toContain(GH_TOKEN);
  });

  it("(b) an untracked or unstaged .secretsignore does not silence a staged secret; a committed one does", { timeout: 120_000 }, () => {
    const r = repo();
    r.write("src/app.js", `const gh = "${GH_TOKEN}";\n`);
    r.git("add", "src/app.js");

    r.write(".secretsignore", "*\n");
    for (const args of [["--staged"], ["--all"], ["src/app.js"]]) {
      const res = guard(r, ...args);
      expect(res.code, `guard ${args.join(" ")}: ${res.stderr}`).toBe(1);
      expect(res.stderr).toContain("src/app.js:1:");
      expect(res.stderr).toMatch(/warning: \.secretsignore is not committed or staged, so it is not used/);
    }

    r.write(".secretsignore", "docs/**\n");
    r.git("add", ".secretsignore");
    r.git("commit", "-qm", "ignore docs", "--no-verify", "--", ".secretsignore");
    r.write(".secretsignore", "*\n"); // modified, not staged
    const modified = guard(r, "--staged");
    expect(modified.code, modified.stderr).toBe(1);
    expect(modified.stderr).toContain("src/app.js:1:");
    expect(modified.stderr).toMatch(/warning: \.secretsignore has changes that are not staged/);

    r.write(".secretsignore", "src/app.js\n");
    r.git("add", ".secretsignore");
    r.git("commit", "-qm", "ignore the app", "--no-verify", "--", ".secretsignore");
    const committed = guard(r, "--staged");
    expect(committed.code, committed.stderr).toBe(0);
    expect(committed.stderr).toMatch(/1 ignored by \.secretsignore/);
  });

  it("(c) key files are reported although .secretsignore lists them and a baseline holds their findings", { timeout: 120_000 }, () => {
    const r = repo();
    r.write("keys.txt", `# created: 2024-01-01T00:00:00Z\n# public key: age1example\n${AGE_KEY}\n`);
    r.write(".env.keys", `DOTENV_PRIVATE_KEY_PRODUCTION="${DOTENV_KEY}"\n`);
    r.git("add", ".");
    guard(r, "--staged", "--baseline-update");
    r.git("add", "-f", ".secrets-baseline.json");
    const baselined = guard(r, "--staged");
    expect(baselined.code, baselined.stderr).toBe(1);
    expect(baselined.stderr).toMatch(/keys\.txt:3:1 {2}key-file/);
    expect(baselined.stderr).toMatch(/\.env\.keys:1:\d+ {2}key-file/);

    r.write(".secretsignore", "keys.txt\n.env.keys\n");
    r.git("add", ".secretsignore");
    r.git("commit", "-qm", "ignore the keys", "--no-verify", "--", ".secretsignore");
    for (const args of [["--staged"], ["--all"]]) {
      const res = guard(r, ...args);
      expect(res.code, `guard ${args.join(" ")}: ${res.stderr}`).toBe(1);
      expect(res.stderr).toMatch(/keys\.txt:3:1 {2}key-file/);
      expect(res.stderr).toMatch(/\.env\.keys:1:\d+ {2}key-file/);
    }
    expect(readFileSync(join(r.dir, "keys.txt"), "utf8")).toContain(AGE_KEY); // the guard changed nothing
  });

  it("(d) baseline fingerprints are salted per baseline and slow, never a plain SHA-256 of a secret; they are honoured", { timeout: 180_000 }, () => {
    const content = `DB_PASSWORD = "${PASSWORD}"\nGITHUB = "${GH_TOKEN}"\n`;
    const baselines: string[] = [];
    let findings: JsonFinding[] = [];
    for (let i = 0; i < 2; i++) {
      const r = repo();
      r.write("src/settings.py", content);
      r.git("add", ".");
      findings = findingsOf(guard(r, "--staged", "--json"));
      expect(findings.map((f) => f.rule).sort()).toEqual(["generic-secret", "github-token"]);
      const upd = guard(r, "--staged", "--baseline-update");
      expect(upd.code, upd.stderr).toBe(0);
      const text = readFileSync(join(r.dir, ".secrets-baseline.json"), "utf8");
      baselines.push(text);

      // honoured once staged, and a new secret is still blocked
      r.git("add", ".secrets-baseline.json");
      const ok = guard(r, "--staged");
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stderr).toMatch(/2 findings accepted by the baseline/);
      r.write("src/more.py", `OTHER = "${GH_TOKEN.replace("R8", "Q7")}"\n`);
      r.git("add", "src/more.py");
      expect(guard(r, "--staged").code).toBe(1);
    }

    const secrets: Array<[string, string]> = [["generic-secret", PASSWORD], ["github-token", GH_TOKEN]];
    for (const text of baselines) {
      for (const [rule, secret] of secrets) {
        for (const input of [secret, `${rule}\0src/settings.py\0${secret}`]) {
          const digest = createHash("sha256").update(input, "utf8").digest();
          expect(text).not.toContain(digest.toString("hex"));
          expect(text).not.toContain(digest.toString("base64"));
          expect(text).not.toContain(digest.toString("base64url"));
        }
        expect(text).not.toContain(secret);
      }
    }
    const fps = baselines.map((t) => (JSON.parse(t) as { fingerprints: string[] }).fingerprints);
    expect(fps[0]).toHaveLength(2);
    expect(fps[1]).toHaveLength(2);
    expect(fps[0]?.some((f) => fps[1]?.includes(f))).toBe(false);

    // an old-format baseline (unsalted SHA-256) is still honoured, with a warning to rewrite it
    const r = repo();
    r.write("src/settings.py", content);
    const legacy = secrets.map(([rule, secret]) => createHash("sha256").update(`${rule}\0src/settings.py\0${secret}`, "utf8").digest("hex"));
    r.write(".secrets-baseline.json", `${JSON.stringify({ version: 1, fingerprints: legacy.sort() })}\n`);
    r.git("add", ".");
    const old = guard(r, "--staged");
    expect(old.code, old.stderr).toBe(0);
    expect(old.stderr).toMatch(/warning: \.secrets-baseline\.json is an old-format baseline.*secrets guard --all --baseline-update/s);
  });
});
