// Issue 12, item 2: a file's own `sops` block (not covered by the MAC) must not weaken what its creation
// rule encrypts. Driven through the built CLI in a temp git repo, as an attacker who can commit would.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSecrets } from "../helpers/cli.js";
import { makeRepo, sopsConfig, type TestRepo } from "../helpers/git-repo.js";

const FILE = "secrets/app.yaml";
const SECRET = "sk_live_canary_4242424242"; // secrets:allow (a canary)
/** `api_token` is an empty placeholder: sops never encrypts "", so the MAC stays valid whatever rule covers it. */
const PLAIN = 'db:\n    password: hunter2\napi_token: ""\n';

let repo: TestRepo;
let sealed: string;

const secrets = (args: string[], input?: string) => runSecrets(args, { env: repo.env(0), cwd: repo.dir, ...(input === undefined ? {} : { input }) });

/** The sealed file with its stored rule line replaced (the file was written under the default rule). */
function withRule(rule: string): string {
  const out = sealed.replace(/^ {4}unencrypted_suffix: _unencrypted$/m, `    ${rule}`);
  expect(out).not.toBe(sealed);
  return out;
}

function stageOnly(text: string): void {
  repo.write(FILE, text);
  repo.git("add", "-A");
}

beforeAll(() => {
  repo = makeRepo(1);
  repo.write(".sops.yaml", sopsConfig("^secrets/.*\\.yaml$", [repo.keys[0]!.recipient]));
  repo.write(FILE, PLAIN);
  const r = secrets(["encrypt", "-i", FILE]);
  expect(r.code, r.stderr).toBe(0);
  sealed = repo.read(FILE);
  expect(sealed).toMatch(/^ {4}unencrypted_suffix: _unencrypted$/m);
  repo.commit("sealed");
}, 60_000);
afterAll(() => repo.cleanup());

describe("Trusts the file's own encryption rule", () => {
  it("set refuses a file whose sops block narrows encrypted_regex, leaves it byte for byte, and --fix-rule repairs it", () => {
    const weak = withRule("encrypted_regex: ^db$");
    repo.write(FILE, weak);
    const refused = secrets(["set", FILE, '["api_token"]', "--value-stdin"], JSON.stringify(SECRET));
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("WEAK_ENCRYPTION_RULE");
    expect(refused.stderr).toContain(FILE);
    expect(refused.stderr).toContain("encrypted_regex");
    expect(refused.stderr).toContain("--fix-rule");
    expect(refused.stderr).not.toContain(SECRET);
    expect(repo.read(FILE)).toBe(weak);

    const fixed = secrets(["set", FILE, '["api_token"]', "--value-stdin", "--fix-rule"], JSON.stringify(SECRET));
    expect(fixed.code, fixed.stderr).toBe(0);
    const text = repo.read(FILE);
    expect(text).not.toContain(SECRET);
    expect(text).toMatch(/^api_token: ENC\[AES256_GCM,/m);
    expect(text).not.toContain("encrypted_regex");
    expect(text).toMatch(/^ {4}unencrypted_suffix: _unencrypted$/m);
    const back = secrets(["decrypt", "--extract", '["api_token"]', FILE]);
    expect(back.code, back.stderr).toBe(0); // MAC recomputed
    expect(back.stdout).toBe(SECRET);
    expect(secrets(["guard", "--staged"]).code).toBe(0);
    repo.git("checkout", "-q", "--", FILE);
  });

  it("set refuses a file whose sops block widens unencrypted_regex or sets mac_only_encrypted; nothing is written", () => {
    for (const rule of ["unencrypted_regex: .", "unencrypted_regex: ^api_token$", "mac_only_encrypted: true\n    unencrypted_suffix: _unencrypted"]) {
      const weak = withRule(rule);
      repo.write(FILE, weak);
      const r = secrets(["set", FILE, '["api_token"]', "--value-stdin"], JSON.stringify(SECRET));
      expect(r.code, rule).not.toBe(0);
      expect(repo.read(FILE), rule).toBe(weak);
    }
    repo.git("checkout", "-q", "--", FILE);
  });

  it("guard --staged and status --check report a weakened sops block, naming the file", () => {
    for (const rule of ["encrypted_regex: ^db$", "unencrypted_regex: .", "mac_only_encrypted: true\n    unencrypted_suffix: _unencrypted"]) {
      stageOnly(withRule(rule));
      const guard = secrets(["guard", "--staged"]);
      expect(guard.code, rule).toBe(1);
      expect(guard.stderr, rule).toContain(FILE);
      const status = secrets(["status", "--check"]);
      expect(status.code, rule).toBe(1);
      expect(status.stdout, rule).toMatch(new RegExp(`${FILE}: .*(WEAKER THAN ITS CREATION RULE|VALUES IN CLEAR)`));
    }
    repo.git("checkout", "-q", "HEAD", "--", FILE);
  });

  it("a plaintext file with a forged sops block (unencrypted_regex: ., mac: \"\") is not encrypted for guard and status", () => {
    const forged = [
      `api_token: ${SECRET}`,
      "sops:",
      "    age:",
      `        - recipient: ${repo.keys[0]!.recipient}`,
      "          enc: x",
      '    lastmodified: "2024-01-01T00:00:00Z"',
      '    mac: ""',
      "    unencrypted_regex: .",
      "    version: 3.9.0",
      "",
    ].join("\n");
    stageOnly(forged);
    const guard = secrets(["guard", "--staged"]);
    expect(guard.code).toBe(1);
    expect(guard.stderr).toContain(FILE);
    expect(guard.stderr).not.toContain(SECRET);
    const status = secrets(["status", "--check"]);
    expect(status.code).toBe(1);
    expect(status.stdout).toContain(`${FILE}: NOT ENCRYPTED`);
    repo.git("checkout", "-q", "HEAD", "--", FILE);
  });

  it("a sops block that encrypts at least what the creation rule does is fine", () => {
    const sealedAll = withRule("unencrypted_suffix: _never_used");
    // The MAC still holds: no key ends in either suffix, so the same values are encrypted.
    stageOnly(sealedAll);
    expect(secrets(["guard", "--staged"]).code).toBe(0);
    expect(secrets(["status", "--check"]).code).toBe(0);
    const r = secrets(["set", FILE, '["api_token"]', "--value-stdin"], JSON.stringify(SECRET));
    expect(r.code, r.stderr).toBe(0);
    expect(repo.read(FILE)).not.toContain(SECRET);
    repo.git("checkout", "-q", "HEAD", "--", FILE);
  });
});
