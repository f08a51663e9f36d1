/**
 * Owns: the worker thread that runs `secrets` command lines for the tests (test/helpers/cli.ts), through the
 * same runCli as bin/secrets.js, bundled from src/ by test/helpers/cli-worker-build.ts. Each request gets
 * the environment it names as this thread's process.env, so code below runCli that reads the environment
 * itself (os.tmpdir(), os.homedir(), git, the cloud SDKs) sees what a real process would.
 */
import { parentPort } from "node:worker_threads";
import type { MessagePort } from "node:worker_threads";
import { runCommandLine } from "./cli-run.js";

export interface WorkerRequest {
  args: string[];
  env: Record<string, string>;
  cwd: string;
  input: Uint8Array;
  /** Set for synchronous callers: stored 1 and notified when the reply has been posted. */
  done?: Int32Array;
}

export interface WorkerReply {
  code: number;
  stdout: Uint8Array;
  stderr: string;
  ms: number;
}

function useEnvironment(env: Record<string, string>): void {
  for (const k of Object.keys(process.env)) delete process.env[k];
  // As src/cli/main.ts does for the lazily loaded AWS SDK (never in the env commands pass on).
  Object.assign(process.env, env, { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" });
}

type Write = typeof process.stdout.write;

/**
 * Runs `req`. Whatever code below runCli writes to this thread's own process.stdout or stderr (a library's
 * console.warn, say) would reach a real process's output: it is caught and reported as the run's stderr.
 */
async function run(req: WorkerRequest): Promise<WorkerReply> {
  useEnvironment(req.env);
  const stray: string[] = [];
  const catcher = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    stray.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    const done = rest.find((r): r is () => void => typeof r === "function");
    if (done) queueMicrotask(done);
    return true;
  }) as Write;
  const [out, err] = [process.stdout.write, process.stderr.write];
  process.stdout.write = process.stderr.write = catcher;
  try {
    const reply = await runCommandLine({ args: req.args, env: req.env, cwd: req.cwd, input: req.input });
    return stray.length === 0 ? reply : { ...reply, stderr: reply.stderr + stray.join("") };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

function answer(port: MessagePort, req: WorkerRequest, reply: WorkerReply): void {
  port.postMessage(reply);
  if (req.done) {
    Atomics.store(req.done, 0, 1);
    Atomics.notify(req.done, 0);
  }
}

parentPort!.once("message", (port: MessagePort) => {
  let current: WorkerRequest | undefined;
  // A real process would die here with a stack trace on stderr; the run reports just that, so tests see it.
  const crash = (e: unknown): void => {
    if (current) answer(port, current, { code: 1, stdout: new Uint8Array(), stderr: `uncaught in the command:\n${e instanceof Error ? e.stack : String(e)}\n`, ms: 0 });
    current = undefined;
  };
  process.on("uncaughtException", crash);
  process.on("unhandledRejection", crash);
  port.on("message", (req: WorkerRequest) => {
    current = req;
    void run(req).then((reply) => {
      if (current === req) answer(port, req, reply);
      current = undefined;
    }, crash);
  });
});
