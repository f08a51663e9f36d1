// Issue 17: `exec` with inherited stdio starts its child through Node's process handle (src/exec/_process-handle.ts)
// instead of child_process, which would load streams, net and dgram. The child must not be able to tell: the
// same argv, environment, working folder, session, exit status and start errors as child_process gives.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { StartFailure, startInherited, type InheritedChild } from "../../src/exec/_process-handle.js";

const dir = mkdtempSync(join(tmpdir(), "sealfile-process-handle-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const node = process.execPath;
// The child writes what it sees to a file: its stdio is the test worker's own.
const REPORT = [
  "const fs = require('fs');",
  "const stat = fs.readFileSync('/proc/self/stat', 'latin1');",
  "const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');",
  "fs.writeFileSync(process.argv[1], JSON.stringify({ argv: process.argv.slice(2), env: process.env, cwd: process.cwd(), pid: process.pid, pgrp: +f[2], session: +f[3] }));",
].join("\n");

type Seen = { argv: string[]; env: Record<string, string>; cwd: string; pid: number; pgrp: number; session: number };
type Ended = { code: number | null; signal: NodeJS.Signals | null };

/** The same start through child_process, as run-child.ts did before. */
function viaChildProcess(file: string, args: string[], opts: { cwd: string; env: Record<string, string>; detached: boolean }): Promise<Ended> {
  return new Promise((resolve, reject) => {
    const c = spawn(file, args, { ...opts, stdio: "inherit" });
    c.once("error", reject);
    c.once("close", (code, signal) => resolve({ code, signal }));
  });
}

function started(c: InheritedChild | undefined): InheritedChild {
  expect(c, "Node's process handle is available on this platform").toBeDefined();
  return c!;
}

describe("issue 17: a child started through Node's process handle", () => {
  it.each([false, true])("sees the argv, environment, folder and session child_process gives it (detached: %s)", async (detached) => {
    const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", TOKEN: "s3cr=et value\nline two", EMPTY: "", "DOTTED.NAME": "ü" };
    const args = ["-e", REPORT];
    const words = ["a b", "$HOME", "*", "", "é"];
    const ours = join(dir, `ours-${detached}.json`);
    const theirs = join(dir, `theirs-${detached}.json`);
    const child = started(startInherited(node, [...args, ours, ...words], { cwd: dir, env, detached }));
    expect(await child.exit).toEqual({ code: 0, signal: null });
    expect(child.running()).toBe(false);
    expect(await viaChildProcess(node, [...args, theirs, ...words], { cwd: dir, env, detached })).toEqual({ code: 0, signal: null });

    const a = JSON.parse(readFileSync(ours, "utf8")) as Seen;
    const b = JSON.parse(readFileSync(theirs, "utf8")) as Seen;
    expect(a.argv).toEqual(words);
    expect(a.env).toEqual(env);
    expect(a.cwd).toBe(b.cwd);
    expect(a.pid).toBe(child.pid);
    // detached: a session and process group of its own, led by the child; otherwise ours, as with child_process
    expect(a.pgrp === a.pid).toBe(detached);
    expect(b.pgrp === b.pid).toBe(detached);
    expect(a.session === a.pid).toBe(detached);
  });

  it("hands back an exit code, or the signal that ended the child", async () => {
    const env = { PATH: process.env.PATH ?? "/usr/bin:/bin" };
    const exit3 = started(startInherited(node, ["-e", "process.exit(3)"], { cwd: dir, env, detached: false }));
    expect(await exit3.exit).toEqual({ code: 3, signal: null });
    const selfKilled = started(startInherited(node, ["-e", "process.kill(process.pid, 'SIGKILL')"], { cwd: dir, env, detached: false }));
    expect(await selfKilled.exit).toEqual({ code: null, signal: "SIGKILL" });
  });

  it("passes a signal on with kill(), and ignores kill() once the child is gone", async () => {
    const sleeper = started(startInherited("sleep", ["30"], { cwd: dir, env: { PATH: process.env.PATH ?? "/usr/bin:/bin" }, detached: false }));
    expect(sleeper.running()).toBe(true);
    sleeper.kill("SIGTERM");
    expect(await sleeper.exit).toEqual({ code: null, signal: "SIGTERM" });
    expect(() => sleeper.kill("SIGTERM")).not.toThrow();
  });

  it("reports start errors by the same names child_process uses, without quoting the environment", async () => {
    const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", LEAK_CHECK: "CANARY-VALUE" };
    const notExecutable = join(dir, "plain.txt");
    writeFileSync(notExecutable, "not a program\n", { mode: 0o644 });
    const cases: Array<[string, string[], { cwd: string; env: Record<string, string> }]> = [
      ["sealfile-no-such-command-xyz", [], { cwd: dir, env }],
      [notExecutable, [], { cwd: dir, env }],
      ["true", [], { cwd: join(dir, "no-such-folder"), env }],
      ["true", [], { cwd: dir, env: { ...env, BIG: "x".repeat(200 * 1024) } }],
    ];
    for (const [file, args, opts] of cases) {
      let ours: unknown;
      try {
        startInherited(file, args, { ...opts, detached: false });
      } catch (e) {
        ours = e;
      }
      const theirs = await viaChildProcess(file, args, { ...opts, detached: false }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(ours).toBeInstanceOf(StartFailure);
      expect((ours as StartFailure).code).toBe((theirs as { code?: string }).code);
      expect(String((ours as Error).message)).not.toContain("CANARY");
    }
  });
});
