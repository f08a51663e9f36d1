// Issue 12, item 5: `decrypt -i`, edit, `encrypt -i` reuses HEAD's data key to avoid churn, but never after
// `.sops.yaml` removed a recipient: the removed person must not be able to read the new secret.
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSecrets } from "../helpers/cli.js";
import { makeRepo, pastLastModified, sopsConfig, type TestRepo } from "../helpers/git-repo.js";

const FILE = "secrets/app.yaml";
const PLAIN = "db:\n    password: hunter2\n    user: app\napi_token: old-token\n";
const NEW_SECRET = "new-token-after-bob-left";

let repo: TestRepo;
const as = (key: number, args: string[]) => runSecrets(args, { env: repo.env(key), cwd: repo.dir });
const sealedLines = (text: string): string[] => text.split("\n").filter((l) => l.includes("ENC[") && !/^\s*mac:/.test(l));

/** decrypt -i, replace the api_token value with sed, encrypt -i — as alice (key 0). */
async function decryptEditEncrypt(value: string): Promise<{ code: number; stderr: string }> {
  await pastLastModified(repo.read(FILE));
  const d = as(0, ["decrypt", "-i", FILE]);
  expect(d.code, d.stderr).toBe(0);
  execFileSync("sed", ["-i", `s/^api_token: .*/api_token: ${value}/`, FILE], { cwd: repo.dir });
  return as(0, ["encrypt", "-i", FILE]);
}

beforeAll(() => {
  repo = makeRepo(2);
  const [alice, bob] = repo.keys.map((k) => k.recipient);
  repo.write(".sops.yaml", sopsConfig("^secrets/.*\\.yaml$", [alice!, bob!]));
  repo.write(FILE, PLAIN);
  const r = as(0, ["encrypt", "-i", FILE]);
  expect(r.code, r.stderr).toBe(0);
  expect(as(1, ["decrypt", FILE]).code).toBe(0); // bob can read it while he is a recipient
  repo.commit("sealed for alice and bob");
}, 60_000);
afterAll(() => repo.cleanup());

describe("Keeps removed people silently", () => {
  it("after .sops.yaml drops a recipient, encrypt -i uses a new data key without them and says why", async () => {
    const [alice, bob] = repo.keys.map((k) => k.recipient);
    repo.write(".sops.yaml", sopsConfig("^secrets/.*\\.yaml$", [alice!]));
    repo.commit("bob left");
    const head = repo.read(FILE);

    const r = await decryptEditEncrypt(NEW_SECRET);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/recipients changed since HEAD:secrets\/app\.yaml/);
    expect(r.stderr).toContain(`removed: ${bob}`);
    expect(r.stderr).toMatch(/new data key/);

    const text = repo.read(FILE);
    expect(text).not.toContain(bob);
    expect(text).not.toContain(NEW_SECRET);
    const old = new Set(sealedLines(head));
    expect(sealedLines(text).filter((l) => old.has(l))).toHaveLength(0);

    const byBob = as(1, ["decrypt", FILE]);
    expect(byBob.code).not.toBe(0);
    expect(byBob.stdout).not.toContain(NEW_SECRET);
    const byAlice = as(0, ["decrypt", "--extract", '["api_token"]', FILE]);
    expect(byAlice.code, byAlice.stderr).toBe(0);
    expect(byAlice.stdout).toBe(NEW_SECRET);
    repo.commit("new token");
  }, 60_000);

  it("with recipients unchanged since HEAD, unchanged values keep their ciphertext and nothing is said", async () => {
    const head = repo.read(FILE);
    const r = await decryptEditEncrypt("third-token");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    const text = repo.read(FILE);
    const old = new Set(sealedLines(head));
    const changed = sealedLines(text).filter((l) => !old.has(l));
    expect(changed).toHaveLength(1);
    expect(changed[0]).toMatch(/^api_token: ENC\[/);
  }, 60_000);
});
