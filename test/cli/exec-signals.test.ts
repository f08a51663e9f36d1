// Acceptance (issue 4, point 2): signals reach the child through a real `secrets exec`, and its status
// comes back: a SIGTERM-trapping child's 42, a SIGKILLed child's 137, one Ctrl-C under a pseudo-terminal.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { BIN, ROOT } from "../helpers/cli.js";
import { keyedDir, startSecrets, type KeyedDir } from "../helpers/exec-cli.js";
import { hasPty, runOnPty } from "../helpers/pty.js";
import { noteMissing } from "../helpers/tools.js";

noteMissing("python3", hasPty, "the pseudo-terminal test (test/helpers/pty-drive.py)");

const CHILDREN = join(ROOT, "test/exec/children");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let k: KeyedDir;
beforeAll(() => {
  k = keyedDir();
  k.seal("app.enc.yaml", "db:\n  password: sig-secret-123\n");
});
afterAll(() => {
  k.cleanup();
  rmSync(k.dir, { recursive: true, force: true });
});

describe("signals", () => {
  it("forwards SIGTERM (and SIGINT/SIGUSR1/SIGHUP before it); a child that traps it and exits 42 makes secrets exit 42", async () => {
    const s = startSecrets(["exec", "-f", "app.enc.yaml", "--", process.execPath, join(CHILDREN, "trap-term.mjs")], { env: k.env, cwd: k.dir });
    await s.waitFor("ready");
    for (const sig of ["SIGINT", "SIGUSR1", "SIGHUP"] as const) {
      s.proc.kill(sig);
      await sleep(100);
    }
    s.proc.kill("SIGTERM");
    const end = await s.done;
    expect(end).toEqual({ code: 42, signal: null });
    expect(s.stdout()).toContain("got:SIGINT,SIGUSR1,SIGHUP\n");
  }, 20_000);

  it("a child killed by SIGKILL makes secrets exit 137", async () => {
    const s = startSecrets(["exec", "-f", "app.enc.yaml", "--", process.execPath, join(CHILDREN, "kill-self.mjs"), "SIGKILL"], { env: k.env, cwd: k.dir });
    expect(await s.done).toEqual({ code: 137, signal: null });
  }, 20_000);

  it.skipIf(!hasPty)("Ctrl-C under a pseudo-terminal reaches the child once, not twice", () => {
    const argv = [process.execPath, BIN, "exec", "-f", "app.enc.yaml", "--", process.execPath, join(CHILDREN, "count-sigint.mjs")];
    const res = runOnPty(argv, { answers: [{ after: "ready", send: "\x03" }], timeout: 20 }, { env: k.env, cwd: k.dir });
    expect(res.answered).toBe(1);
    expect(res.tty).toContain("sigint-count:1");
    expect(res.exit).toBe(7);
  }, 40_000);
});
