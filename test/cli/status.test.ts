// `secrets status`: encrypted or not, recipients vs the rule, data key age vs rotate_after; --check for CI.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baseEnv, runSecrets } from "../helpers/cli.js";
import { makeRepo, sopsConfig, type TestRepo } from "../helpers/git-repo.js";

let repo: TestRepo;
const noKeys = (): Record<string, string> => baseEnv(repo.home);

beforeAll(() => {
  repo = makeRepo(2);
  const [k0, k1] = [repo.keys[0]!.recipient, repo.keys[1]!.recipient];
  repo.write(".sops.yaml", sopsConfig("secrets/.*", [k0]));
  for (const f of ["secrets/ok.yaml", "secrets/old.yaml", "secrets/stale.json"]) {
    repo.write(f, f.endsWith(".json") ? '{"a": "b"}' : "a: b\n");
    expect(runSecrets(["encrypt", "-i", f], { env: repo.env(), cwd: repo.dir }).code).toBe(0);
  }
  // sealfile_rotated_at is outside the MAC (sops ignores it), so back-dating it keeps the file valid.
  repo.write("secrets/old.yaml", repo.read("secrets/old.yaml").replace(/sealfile_rotated_at: "?[^"\n]+"?/, 'sealfile_rotated_at: "2020-01-01T00:00:00Z"'));
  repo.write("secrets/plain.env", "TOKEN=abc\n");
  repo.write("other/notes.txt", "not covered by a rule\n");
  repo.write(".sops.yaml", `${sopsConfig("secrets/.*\\.(yaml|env)$", [k0], "    rotate_after: 90d\n")}  - path_regex: "secrets/.*\\\\.json$"\n    age: "${k0},${k1}"\n`);
  repo.commit("init");
});
afterAll(() => repo.cleanup());

describe("secrets status", () => {
  it("reports each covered file without any key, and --check fails", () => {
    const r = runSecrets(["status", "--check"], { env: noKeys(), cwd: repo.dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("CHECK_FAILED");
    const lines = r.stdout.split("\n");
    expect(lines.find((l) => l.startsWith("secrets/ok.yaml:"))).toMatch(/encrypted, recipients up to date, data key 0d old, rotate_after 90d$/);
    expect(lines.find((l) => l.startsWith("secrets/old.yaml:"))).toMatch(/ROTATION OVERDUE/);
    expect(lines.find((l) => l.startsWith("secrets/plain.env:"))).toMatch(/NOT ENCRYPTED/);
    expect(lines.find((l) => l.startsWith("secrets/stale.json:"))).toContain(`RECIPIENTS OUT OF DATE (+age ${repo.keys[1]!.recipient})`);
    expect(r.stdout).not.toContain("notes.txt");
    expect(r.stdout).toContain("4 files, 3 need attention");
  });

  it("--json gives the same facts as data", () => {
    const r = runSecrets(["status", "--json"], { env: noKeys(), cwd: repo.dir });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { files: Array<{ path: string; encrypted: boolean; overdue?: boolean; keyAgeSource?: string; problems: string[] }> };
    const by = new Map(out.files.map((f) => [f.path, f]));
    expect(by.get("secrets/plain.env")?.encrypted).toBe(false);
    expect(by.get("secrets/old.yaml")?.overdue).toBe(true);
    expect(by.get("secrets/old.yaml")?.keyAgeSource).toBe("sealfile_rotated_at");
    expect(by.get("secrets/ok.yaml")?.problems).toEqual([]);
  });

  it("--check passes once everything is fixed (rotate, updatekeys, encrypt)", () => {
    const env = repo.env();
    expect(runSecrets(["rotate", "-i", "secrets/old.yaml"], { env, cwd: repo.dir }).code).toBe(0);
    expect(runSecrets(["updatekeys", "-y", "secrets/stale.json"], { env, cwd: repo.dir }).code).toBe(0);
    expect(runSecrets(["encrypt", "-i", "secrets/plain.env"], { env, cwd: repo.dir }).code).toBe(0);
    const r = runSecrets(["status", "--check", "secrets"], { env: noKeys(), cwd: repo.dir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("4 files, 0 need attention");
  });
});
