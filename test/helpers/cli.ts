/**
 * Owns: running the built `secrets` CLI for tests, with an isolated HOME and no inherited keys — in a worker
 * thread through runCli (the code path bin/secrets.js runs) by default, or as a real process where the
 * process itself is the subject.
 *
 * A real process costs a Node start-up (~150 ms of CPU); a run in the worker costs milliseconds. Runs go to
 * a real process when: the command starts a child or an editor (`exec`, `exec-env`, `exec-file`, `edit`) or
 * writes the path of the running CLI into git (`hook install`, `git setup`),
 * the environment sets NODE_OPTIONS (module tracing), the caller passes `process: true`, or the test run
 * sets SEALFILE_TEST_PROCESS=1 (every CLI test as a real process).
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from "node:worker_threads";
import type { WorkerReply, WorkerRequest } from "./cli-worker.js";
import { WORKER_BUNDLE } from "./cli-worker-build.js";

export const ROOT = resolve(import.meta.dirname, "../..");
export const BIN = join(ROOT, "bin/secrets.js");
export const FIXTURES = join(ROOT, "test/fixtures/sops");

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  stdoutBytes: Buffer;
}

export interface RunOptions {
  env: Record<string, string>;
  cwd?: string;
  input?: string | Buffer;
  /** Run as a real process even when the worker could run it. */
  process?: boolean;
}

/** A fresh empty HOME so no default keys.txt or config leaks into a test. */
export function tempHome(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "sealfile-home-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function baseEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, XDG_CONFIG_HOME: join(home, ".config"), ...extra };
}

/** Commands that start a child or an editor, or write their own path into git's config or hooks. */
const PROCESS_COMMANDS = new Set(["exec", "exec-env", "exec-file", "edit", "hook", "setup"]);
/** A run that hangs is cut off after this long (only a hang comes near it). */
const WORKER_HANG_MS = 120_000;

function needsProcess(args: readonly string[], opts: RunOptions): boolean {
  if (opts.process || process.env.SEALFILE_TEST_PROCESS === "1" || opts.env.NODE_OPTIONS !== undefined) return true;
  const end = args.indexOf("--");
  return (end === -1 ? args : args.slice(0, end)).some((a) => PROCESS_COMMANDS.has(a));
}

function request(args: string[], opts: RunOptions): WorkerRequest {
  const input = opts.input ?? "";
  return { args, env: opts.env, cwd: opts.cwd ?? ROOT, input: typeof input === "string" ? Buffer.from(input) : input };
}

function resultOf(reply: WorkerReply): RunResult & { ms: number } {
  const stdoutBytes = Buffer.from(reply.stdout);
  return { code: reply.code, stdout: stdoutBytes.toString("utf8"), stderr: reply.stderr, stdoutBytes, ms: reply.ms };
}

interface CliWorker {
  worker: Worker;
  port: MessagePort;
}

function startWorker(): CliWorker {
  const worker = new Worker(WORKER_BUNDLE);
  const { port1, port2 } = new MessageChannel();
  worker.postMessage(port2, [port2]);
  worker.unref();
  port1.unref();
  return { worker, port: port1 };
}

let syncWorker: CliWorker | undefined;

function runInWorkerSync(args: string[], opts: RunOptions): RunResult {
  syncWorker ??= startWorker();
  const done = new Int32Array(new SharedArrayBuffer(4));
  syncWorker.port.postMessage({ ...request(args, opts), done });
  if (Atomics.wait(done, 0, 0, WORKER_HANG_MS) === "timed-out") {
    void syncWorker.worker.terminate();
    syncWorker = undefined;
    return { code: -1, stdout: "", stderr: "test harness: the command did not finish", stdoutBytes: Buffer.alloc(0) };
  }
  return resultOf(receiveMessageOnPort(syncWorker.port)!.message as WorkerReply);
}

/** Idle workers for asynchronous runs; each runs one command line at a time (it owns its process.env). */
const idle: CliWorker[] = [];

async function runInWorker(args: string[], opts: RunOptions & { timeoutMs?: number }): Promise<RunResult & { ms: number }> {
  const w = idle.pop() ?? startWorker();
  return new Promise((resolvePromise) => {
    const timer = setTimeout(() => {
      void w.worker.terminate();
      resolvePromise({ code: -1, stdout: "", stderr: "test harness: the command was cut off", stdoutBytes: Buffer.alloc(0), ms: opts.timeoutMs ?? WORKER_HANG_MS });
    }, opts.timeoutMs ?? WORKER_HANG_MS);
    w.port.once("message", (reply: WorkerReply) => {
      clearTimeout(timer);
      idle.push(w);
      resolvePromise(resultOf(reply));
    });
    w.port.postMessage(request(args, opts));
  });
}

export function runSecrets(args: string[], opts: RunOptions): RunResult {
  if (!needsProcess(args, opts)) return runInWorkerSync(args, opts);
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
 * keep answering while the CLI runs. `timeoutMs` cuts off a CLI that never exits (code -1 then).
 */
export function runSecretsAsync(args: string[], opts: RunOptions & { timeoutMs?: number }): Promise<RunResult & { ms: number }> {
  if (!needsProcess(args, opts)) return runInWorker(args, opts);
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
