// Acceptance (issue 4, point 3): no plaintext on disk. The temp folder `secrets` uses (TMPDIR) and the
// working tree are snapshotted before and after `exec` and `--file-env` runs — also when `secrets` gets
// SIGTERM mid-way — and no file may hold any secret value afterwards.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, runSecrets } from "../helpers/cli.js";
import { filesHolding, keyedDir, snapshot, startSecrets, type KeyedDir } from "../helpers/exec-cli.js";

const READ_FILE = join(ROOT, "test/exec/children/read-secret-file.mjs");
const PRINT_ENV = join(ROOT, "test/exec/children/print-env.mjs");
const SECRETS = ["disk-canary-password-9f3a", "disk-canary-token-77c1", "line-one\nline-two ✓"];

let k: KeyedDir;
let tmp: string;
let env: Record<string, string>;
beforeAll(() => {
  k = keyedDir();
  tmp = mkdtempSync(join(tmpdir(), "sealfile-tmpdir-"));
  env = { ...k.env, TMPDIR: tmp };
  k.seal("app.enc.yaml", `db:\n  password: ${SECRETS[0]}\napi:\n  token: ${SECRETS[1]}\nnote: ${JSON.stringify(SECRETS[2])}\n`);
});
afterAll(() => {
  k.cleanup();
  rmSync(k.dir, { recursive: true, force: true });
  rmSync(tmp, { recursive: true, force: true });
});

function both(): Map<string, string | Buffer> {
  return new Map([...snapshot(tmp), ...snapshot(k.dir)]);
}

function expectClean(before: Map<string, string | Buffer>): void {
  const after = both();
  expect(filesHolding(after, SECRETS)).toEqual([]);
  expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
}

describe("no plaintext on disk", () => {
  it("exec with the secrets in the environment", () => {
    const before = both();
    const r = runSecrets(["exec", "-f", "app.enc.yaml", "--", process.execPath, PRINT_ENV, "DB_PASSWORD"], { env, cwd: k.dir });
    expect(JSON.parse(r.stdout)).toEqual({ DB_PASSWORD: SECRETS[0] }); // the run did see the secret
    expectClean(before);
  });

  for (const fifo of [true, false]) {
    it(`--file-env (${fifo ? "FIFO" : "--no-fifo"}) to completion`, () => {
      const before = both();
      const r = runSecrets(["exec", ...(fifo ? [] : ["--no-fifo"]), "--file-env", "CREDS=app.enc.yaml", "--", process.execPath, READ_FILE, "CREDS"], { env, cwd: k.dir });
      expect(r.code).toBe(0);
      const seen = JSON.parse(r.stdout) as { path: string; first: string };
      expect(seen.path.startsWith(tmp)).toBe(true); // it really used the TMPDIR we watch
      expect(seen.first).toContain(SECRETS[1]);
      expectClean(before);
    });

    it(`--file-env (${fifo ? "FIFO" : "--no-fifo"}) when secrets gets SIGTERM mid-way`, async () => {
      const before = both();
      const s = startSecrets(["exec", ...(fifo ? [] : ["--no-fifo"]), "-f", "app.enc.yaml", "--file-env", "CREDS=app.enc.yaml", "--", process.execPath, READ_FILE, "CREDS", "hang"], { env, cwd: k.dir });
      await s.waitFor("ready");
      const seen = JSON.parse(s.stdout().split("\n")[0]!) as { path: string; first: string };
      expect(seen.first).toContain(SECRETS[0]);
      s.proc.kill("SIGTERM");
      const end = await s.done;
      expect(end.code).toBe(128 + 15); // the child died of the forwarded SIGTERM
      expectClean(before);
    }, 20_000);
  }

  it("--no-fifo: the file is gone as soon as secrets gets SIGTERM, even while the child ignores it", async () => {
    const before = both();
    const s = startSecrets(["exec", "--no-fifo", "--file-env", "CREDS=app.enc.yaml", "--", process.execPath, READ_FILE, "CREDS", "hang", "ignore:SIGTERM"], { env, cwd: k.dir });
    await s.waitFor("ready");
    const pid = Number(/ready (\d+)/.exec(s.stdout())![1]);
    s.proc.kill("SIGTERM");
    await s.waitFor("child-ignored-SIGTERM");
    expect(filesHolding(both(), SECRETS)).toEqual([]);
    process.kill(pid, "SIGKILL");
    expect((await s.done).code).toBe(137);
    expectClean(before);
  }, 20_000);
});
