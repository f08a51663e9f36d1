// Issue 14, item 9: `secrets exec` at its edges — SIGTERM takes the child's whole process group with it
// (no orphaned grandchild), an environment too large to start a program is a clear error with a hint,
// and a command that is not executable has its own code and exit 126, as in shells.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runSecrets } from "../helpers/cli.js";
import { keyedDir, startSecrets, type KeyedDir, type Live } from "../helpers/exec-cli.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let k: KeyedDir;
beforeAll(() => {
  k = keyedDir();
  k.seal("app.enc.yaml", "TOKEN: edge-secret-123\n");
  k.seal("huge.enc.yaml", `HUGE: ${"h".repeat(200 * 1024)}\n`);
}, 60_000);
afterAll(() => {
  k.cleanup();
  rmSync(k.dir, { recursive: true, force: true });
});

/** True while `pid` is a live process (a zombie waiting to be reaped counts as gone). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, "latin1"));
  } catch {
    return false;
  }
}

async function waitUntil(what: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(100)) if (what()) return true;
  return what();
}

/**
 * Resolves when the secrets process itself exits. Not on 'close': an orphaned grandchild holding the
 * inherited stdout would keep that from ever coming, turning a failure into a hang.
 */
function exited(live: Live): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    if (live.proc.exitCode !== null || live.proc.signalCode !== null) resolve({ code: live.proc.exitCode, signal: live.proc.signalCode });
    else live.proc.once("exit", (code, signal) => resolve({ code, signal }));
  });
}

async function readPid(path: string): Promise<number> {
  expect(await waitUntil(() => existsSync(path) && /^\d+\n/.test(readFileSync(path, "utf8")), 20_000)).toBe(true);
  return Number(readFileSync(path, "utf8").trim());
}

describe("exec edges", () => {
  it("SIGTERM to secrets exec ends a background grandchild (sleep 300 & wait), not only the shell", async () => {
    const pidFile = join(k.dir, "grandchild.pid");
    rmSync(pidFile, { force: true });
    const s = startSecrets(["exec", "-f", "app.enc.yaml", "--", "sh", "-c", "sleep 300 & echo $! > grandchild.pid; wait"], { env: k.env, cwd: k.dir });
    const pid = await readPid(pidFile);
    expect(alive(pid)).toBe(true);
    s.proc.kill("SIGTERM");
    const end = await exited(s);
    try {
      expect(end).toEqual({ code: 143, signal: null });
      expect(await waitUntil(() => !alive(pid), 10_000)).toBe(true);
    } finally {
      if (alive(pid)) process.kill(pid, "SIGKILL");
    }
  }, 40_000);

  it("SIGTERM reaches a `sleep 300` the shell waits for in the foreground", async () => {
    const shPidFile = join(k.dir, "sh.pid");
    rmSync(shPidFile, { force: true });
    const s = startSecrets(["exec", "-f", "app.enc.yaml", "--", "sh", "-c", "echo $$ > sh.pid; sleep 300; :"], { env: k.env, cwd: k.dir });
    const shPid = await readPid(shPidFile);
    const childrenOf = (): number[] => {
      try {
        return readFileSync(`/proc/${shPid}/task/${shPid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
      } catch {
        return [];
      }
    };
    expect(await waitUntil(() => childrenOf().length > 0, 20_000)).toBe(true);
    const sleepPid = childrenOf()[0]!;
    expect(readFileSync(`/proc/${sleepPid}/cmdline`, "latin1")).toContain("sleep");
    s.proc.kill("SIGTERM");
    await exited(s);
    try {
      expect(await waitUntil(() => !alive(sleepPid), 10_000)).toBe(true);
    } finally {
      if (alive(sleepPid)) process.kill(sleepPid, "SIGKILL");
    }
  }, 40_000);

  it("an environment too large to start the command (E2BIG) is a clear error with a hint, naming the variable only", () => {
    const r = runSecrets(["exec", "-f", "huge.enc.yaml", "--", "true"], { env: k.env, cwd: k.dir });
    expect(r.code).toBe(126);
    expect(r.stderr).toMatch(/^error\[COMMAND_TOO_LARGE\]: .*HUGE.*\nhint: .*--file-env/);
    expect(r.stderr).not.toContain("hhhhhhhh");
    expect(r.stdout).toBe("");
  }, 30_000);

  it("a command that is not executable has its own code, COMMAND_NOT_EXECUTABLE, and exits 126", () => {
    const script = join(k.dir, "not-executable.sh");
    writeFileSync(script, "#!/bin/sh\necho ran\n");
    chmodSync(script, 0o644);
    const r = runSecrets(["exec", "-f", "app.enc.yaml", "--", "./not-executable.sh"], { env: k.env, cwd: k.dir });
    expect(r.code).toBe(126);
    expect(r.stderr).toMatch(/^error\[COMMAND_NOT_EXECUTABLE\]: .*not-executable\.sh.*\nhint: /);
    expect(r.stdout).toBe("");
  }, 30_000);
});
