import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isSealError } from "../../src/errors.js";
import { runChild } from "../../src/exec/run-child.js";
import { alive, bundleExec, child, startRunner } from "./_harness.js";
import { hasPty, runOnPty } from "../helpers/pty.js";
import { noteMissing } from "../helpers/tools.js";

noteMissing("python3", hasPty, "the pseudo-terminal Ctrl-C test (test/helpers/pty-drive.py)");

const node = process.execPath;
const env = { PATH: process.env.PATH ?? "/usr/bin:/bin" };

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const parts: Buffer[] = [];
  stream.on("data", (d: Buffer) => parts.push(d));
  return { stream, text: () => Buffer.concat(parts).toString("utf8") };
}

describe("runChild in process", () => {
  it("hands back the child's exit code", async () => {
    expect(await runChild({ command: [node, "-e", "process.exit(3)"], shell: false, env, cwd: process.cwd(), stdio: "inherit" })).toEqual({ exitCode: 3 });
    expect((await runChild({ command: ["true"], shell: false, env, cwd: process.cwd(), stdio: "inherit" })).exitCode).toBe(0);
  });

  it("reports 128+N for a child killed by signal N", async () => {
    const kill = await runChild({ command: [node, child("kill-self.mjs"), "SIGKILL"], shell: false, env, cwd: process.cwd(), stdio: "inherit" });
    expect(kill.exitCode).toBe(137);
    const term = await runChild({ command: [node, child("kill-self.mjs"), "SIGTERM"], shell: false, env, cwd: process.cwd(), stdio: "inherit" });
    expect(term.exitCode).toBe(143);
  });

  it("passes argv without a shell, and uses /bin/sh -c only with shell", async () => {
    const out = collect();
    const stdio = { mask: [], stdout: out.stream, stderr: out.stream };
    await runChild({ command: ["printf", "%s|", "$HOME", "a b", "*"], shell: false, env: { ...env, HOME: "/h" }, cwd: process.cwd(), stdio });
    expect(out.text()).toBe("$HOME|a b|*|");
    const sh = collect();
    const r = await runChild({
      command: ["printf", "%s", "$HOME", "|", "tr", "h", "H;", "exit", "5"],
      shell: true,
      env: { ...env, HOME: "/h" },
      cwd: process.cwd(),
      stdio: { mask: [], stdout: sh.stream, stderr: sh.stream },
    });
    expect(sh.text()).toBe("/H");
    expect(r.exitCode).toBe(5);
  });

  it("fails with COMMAND_NOT_FOUND (127) naming the command, not the environment", async () => {
    const err = await runChild({
      command: ["sealfile-no-such-command-xyz", "arg"],
      shell: false,
      env: { ...env, SECRET: "CANARY-VALUE" },
      cwd: process.cwd(),
      stdio: "inherit",
    }).catch((e: unknown) => e);
    expect(isSealError(err, "COMMAND_NOT_FOUND")).toBe(true);
    if (!isSealError(err)) return;
    expect(err.exitCode).toBe(127);
    expect(err.message).toContain("sealfile-no-such-command-xyz");
    expect(`${err.message} ${err.hint ?? ""}`).not.toContain("CANARY-VALUE");
  });

  it("tells a missing working directory from a missing command", async () => {
    const err = await runChild({ command: ["true"], shell: false, env, cwd: "/no/such/dir/sealfile", stdio: "inherit" }).catch((e: unknown) => e);
    expect(isSealError(err, "FILE_NOT_FOUND")).toBe(true);
  });

  it("refuses an environment value with a NUL byte without quoting it", async () => {
    const err = await runChild({ command: ["true"], shell: false, env: { ...env, K: "CANARY\0" }, cwd: process.cwd(), stdio: "inherit" }).catch(
      (e: unknown) => e,
    );
    expect(isSealError(err)).toBe(true);
    expect(String((err as Error).message)).not.toContain("CANARY");
  });

  it("masks secret values written one byte at a time to stdout and stderr", async () => {
    const out = collect();
    const err = collect();
    const r = await runChild({
      command: [node, child("slow-echo.mjs"), "token=hunter2 ok", "pw=pässwörd✓!"],
      shell: false,
      env,
      cwd: process.cwd(),
      stdio: { mask: ["hunter2", "pässwörd✓"], stdout: out.stream, stderr: err.stream },
    });
    expect(r.exitCode).toBe(0);
    expect(out.text()).toBe("token=*** ok");
    expect(err.text()).toBe("pw=***!");
  });

  it("removes its signal handlers afterwards", async () => {
    const before = process.listenerCount("SIGTERM");
    await runChild({ command: ["true"], shell: false, env, cwd: process.cwd(), stdio: "inherit" });
    await runChild({ command: ["sealfile-no-such-command-xyz"], shell: false, env, cwd: process.cwd(), stdio: "inherit" }).catch(() => {});
    expect(process.listenerCount("SIGTERM")).toBe(before);
    expect(process.listenerCount("SIGUSR1")).toBe(0);
  });
});

describe("runChild as the parent process receives signals", () => {
  let bundle = "";
  let dispose = (): void => {};
  beforeAll(async () => ({ bundle, dispose } = await bundleExec()));
  afterAll(() => dispose());

  it("forwards SIGTERM; a child that traps it and exits 42 makes the runner exit 42", async () => {
    const r = startRunner(bundle, { command: [node, child("trap-term.mjs")] });
    await r.waitFor("ready");
    r.proc.kill("SIGTERM");
    expect(await r.done).toEqual({ code: 42, signal: null });
    expect(r.stdout()).toContain("got:\n");
  });

  it("forwards SIGHUP, SIGUSR1, SIGUSR2, and SIGINT/SIGQUIT when no terminal sent them, each once", async () => {
    const r = startRunner(bundle, { command: [node, child("trap-term.mjs")] });
    await r.waitFor("ready");
    for (const s of ["SIGHUP", "SIGUSR1", "SIGUSR2", "SIGINT", "SIGQUIT"] as const) {
      r.proc.kill(s);
      await new Promise((res) => setTimeout(res, 100));
    }
    r.proc.kill("SIGTERM");
    expect((await r.done).code).toBe(42);
    expect(r.stdout()).toContain("got:SIGHUP,SIGUSR1,SIGUSR2,SIGINT,SIGQUIT\n");
    expect(r.stderr()).not.toContain("Debugger");
  });

  it("exits 137 when the child is killed by SIGKILL", async () => {
    const r = startRunner(bundle, { command: [node, child("kill-self.mjs"), "SIGKILL"] });
    expect((await r.done).code).toBe(137);
  });

  it("exits 127 with a clear message when the command is not found", async () => {
    const r = startRunner(bundle, { command: ["sealfile-no-such-command-xyz"], secrets: { S: "CANARY-VALUE" } });
    expect((await r.done).code).toBe(127);
    expect(r.stderr()).toBe("error[COMMAND_NOT_FOUND]: command not found: sealfile-no-such-command-xyz\n");
  });

  it("does not leave the child behind when the runner is told to stop", async () => {
    const r = startRunner(bundle, { command: [node, child("trap-term.mjs")] });
    await r.waitFor("ready");
    const pid = Number(/ready (\d+)/.exec(r.stdout())![1]);
    r.proc.kill("SIGTERM");
    await r.done;
    expect(alive(pid)).toBe(false);
  });

  it.skipIf(!hasPty)("delivers a terminal Ctrl-C to the child exactly once (pseudo-terminal)", () => {
    const env = { ...process.env, SEALFILE_EXEC_BUNDLE: bundle, SEALFILE_RUNNER_CONFIG: JSON.stringify({ command: [node, child("count-sigint.mjs")] }) };
    const out = runOnPty([node, child("runner.mjs")], { answers: [{ after: "ready", send: "\x03" }], timeout: 20 }, { env });
    expect(out.answered).toBe(1);
    expect(out.tty).toContain("sigint-count:1");
    expect(out.exit).toBe(7);
  });
});
