/** Owns: running the built `secrets` CLI as a real process, with an isolated HOME and no inherited keys. */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../..");
export const BIN = join(ROOT, "bin/secrets.js");
export const FIXTURES = join(ROOT, "test/fixtures/sops");

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  stdoutBytes: Buffer;
}

/** A fresh empty HOME so no default keys.txt or config leaks into a test. */
export function tempHome(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "sealfile-home-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function baseEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, XDG_CONFIG_HOME: join(home, ".config"), ...extra };
}

export function runSecrets(args: string[], opts: { env: Record<string, string>; cwd?: string; input?: string | Buffer }): RunResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    env: opts.env,
    cwd: opts.cwd ?? ROOT,
    input: opts.input ?? "",
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: r.status ?? -1, stdout: r.stdout.toString("utf8"), stderr: r.stderr.toString("utf8"), stdoutBytes: r.stdout };
}

/**
 * Like `runSecrets`, but without blocking this process's event loop, so fakes served from the test process
 * keep answering while the CLI runs. `timeoutMs` kills a CLI that never exits (code -1 then).
 */
export function runSecretsAsync(
  args: string[],
  opts: { env: Record<string, string>; cwd?: string; input?: string | Buffer; timeoutMs?: number },
): Promise<RunResult & { ms: number }> {
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: opts.env, cwd: opts.cwd ?? ROOT, stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => err.push(c));
    const timer = opts.timeoutMs === undefined ? undefined : setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      const stdoutBytes = Buffer.concat(out);
      resolvePromise({ code: code ?? -1, stdout: stdoutBytes.toString("utf8"), stderr: Buffer.concat(err).toString("utf8"), stdoutBytes, ms: Date.now() - started });
    });
    child.stdin.end(opts.input ?? "");
  });
}
