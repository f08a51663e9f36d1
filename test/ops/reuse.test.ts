// Acceptance (issue 9, point 4): `decrypt -i`, a one-value edit with sed, `encrypt -i` in a real git repo
// changes exactly 3 lines of the sealed file (the value, mac, lastmodified); plus the reuse sources and the
// fallbacks (no key for the old version, --no-reuse, --reuse FILE, a sealed --output target).
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURES, baseEnv, runSecrets, tempHome } from "../helpers/cli.js";
import { makeRepo } from "../git/_repo.js";

const KEYS = join(FIXTURES, "modern/keys.txt");
const RECIPIENT = "age1xq3ypj0ful9m3usyjkm9vswddrljwdz8xzpvx225dhersl5wpfhszyky9l";
const N = 1000;
const home = tempHome();
const repo = makeRepo("sealfile-reuse-");
const env = baseEnv(home.dir, { SOPS_AGE_KEY_FILE: KEYS, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" });
afterAll(() => {
  repo.cleanup();
  home.cleanup();
});

const pad = (i: number): string => String(i).padStart(4, "0");
const PLAIN: Record<string, string> = {
  "secrets.json": `{\n${Array.from({ length: N }, (_, i) => `\t"key_${pad(i)}": "value-${pad(i)}"`).join(",\n")}\n}\n`,
  "secrets.env": `# app secrets\n\n${Array.from({ length: N }, (_, i) => `KEY_${pad(i)}=value-${pad(i)}`).join("\n")}\n`,
  "secrets.yaml": `# app secrets\n${Array.from({ length: N }, (_, i) => `key_${pad(i)}: value-${pad(i)}`).join("\n")}\n`,
};

function secrets(args: string[], extraEnv: Record<string, string> = env) {
  return runSecrets(args, { env: extraEnv, cwd: repo.dir });
}

/** `git diff -U0` of one file: the removed and added lines. */
function changedLines(file: string): { removed: string[]; added: string[] } {
  const diff = repo.git("diff", "-U0", "--", file).split("\n");
  return {
    removed: diff.filter((l) => l.startsWith("-") && !l.startsWith("---")),
    added: diff.filter((l) => l.startsWith("+") && !l.startsWith("+++")),
  };
}

beforeAll(async () => {
  for (const [file, text] of Object.entries(PLAIN)) {
    repo.write(file, text);
    const r = secrets(["encrypt", "--age", RECIPIENT, "-i", file]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  }
  repo.git("add", ".");
  repo.git("commit", "-q", "-m", "sealed");
  // lastmodified has whole seconds: make sure the re-encryption lands in a later second.
  await new Promise((res) => setTimeout(res, 1100));
}, 60_000);

describe("decrypt -i, sed, encrypt -i: only the value, mac and lastmodified change", () => {
  for (const file of Object.keys(PLAIN)) {
    it(file, () => {
      expect(secrets(["decrypt", "-i", file]).code).toBe(0);
      expect(readFileSync(join(repo.dir, file), "utf8")).toContain("value-0500");
      execFileSync("sed", ["-i", "s/value-0500/changed-0500/", file], { cwd: repo.dir });
      const r = secrets(["encrypt", "-i", file]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const { removed, added } = changedLines(file);
      expect(removed).toHaveLength(3);
      expect(added).toHaveLength(3);
      expect(added.some((l) => /key_0500|KEY_0500/.test(l))).toBe(true);
      expect(added.some((l) => /lastmodified/.test(l))).toBe(true);
      expect(added.some((l) => /\bmac\b|sops_mac/.test(l))).toBe(true);
      const back = secrets(["decrypt", "--extract", file.endsWith(".env") ? '["KEY_0500"]' : '["key_0500"]', file]);
      expect(back.stdout).toBe("changed-0500");
      repo.git("checkout", "-q", "--", file);
    }, 30_000);
  }
});

describe("where the sealed version comes from, and when it cannot be used", () => {
  const plainJson = PLAIN["secrets.json"]!.replace("value-0001", "edited");
  const sealedLines = (text: string): string[] => text.split("\n").filter((l) => l.includes("ENC["));

  it("without a key for the old version: says so and encrypts fresh", () => {
    repo.write("secrets.json", plainJson);
    const noKey = baseEnv(home.dir, { GIT_CONFIG_GLOBAL: "/dev/null" });
    const r = secrets(["encrypt", "--age", RECIPIENT, "secrets.json"], noKey);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/cannot open HEAD:secrets.json \(NO_USABLE_KEY\); encrypting with a new data key/);
    const old = new Set(sealedLines(repo.git("show", "HEAD:secrets.json")));
    expect(sealedLines(r.stdout).filter((l) => old.has(l))).toHaveLength(0);
    repo.git("checkout", "-q", "--", "secrets.json");
  });

  it("--no-reuse encrypts fresh; the default reuses HEAD for stdout output too", () => {
    repo.write("secrets.json", plainJson);
    const old = new Set(sealedLines(repo.git("show", "HEAD:secrets.json")));
    const fresh = secrets(["encrypt", "--no-reuse", "--age", RECIPIENT, "secrets.json"]);
    expect(fresh.code).toBe(0);
    expect(sealedLines(fresh.stdout).filter((l) => old.has(l))).toHaveLength(0);
    const reused = secrets(["encrypt", "secrets.json"]);
    expect(reused.code).toBe(0);
    expect(sealedLines(reused.stdout).filter((l) => !old.has(l))).toHaveLength(2); // key_0001 and mac
    repo.git("checkout", "-q", "--", "secrets.json");
  });

  it("--reuse FILE and a sealed --output target are used, outside any repository too", () => {
    const sealed = repo.git("show", "HEAD:secrets.json");
    const outside = home.dir;
    writeFileSync(join(outside, "old.json"), sealed);
    writeFileSync(join(outside, "plain.json"), plainJson);
    const viaFlag = runSecrets(["encrypt", "--reuse", "old.json", "plain.json"], { env, cwd: outside });
    expect(viaFlag.code).toBe(0);
    const old = new Set(sealedLines(sealed));
    expect(sealedLines(viaFlag.stdout).filter((l) => !old.has(l))).toHaveLength(2);
    const viaOutput = runSecrets(["encrypt", "--output", "old.json", "plain.json"], { env, cwd: outside });
    expect(viaOutput.code).toBe(0);
    expect(sealedLines(readFileSync(join(outside, "old.json"), "utf8")).filter((l) => !old.has(l))).toHaveLength(2);
    const missing = runSecrets(["encrypt", "--reuse", "nope.json", "plain.json"], { env, cwd: outside });
    expect(missing.code).toBe(100);
  });

  it("recipient flags are ignored when reusing, with a note", () => {
    repo.write("secrets.json", plainJson);
    const r = secrets(["encrypt", "--age", RECIPIENT, "secrets.json"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("kept the recipients of HEAD:secrets.json");
    repo.git("checkout", "-q", "--", "secrets.json");
  });
});
