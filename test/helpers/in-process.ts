/**
 * Owns: running one `secrets` command line inside the test process, through the same `runCli` that
 * bin/secrets.js runs (src/cli/main.ts builds the same context from the real streams). A run costs
 * milliseconds instead of a Node start-up, so table-driven tests can cover every command and flag.
 *
 * Use the real process (`runSecrets`, `runSecretsAsync` in ./cli.ts) where the process itself is the
 * subject: exit statuses seen by a shell, signals, pipes, terminals, `exec`'s child, lazy module loading,
 * the code cache. Everything else may run here.
 */
import { Readable, Writable } from "node:stream";
import { newRunState, runCli } from "../../src/cli/run.js";
import type { CliContext } from "../../src/cli/context.js";
import { redactingStream } from "../../src/cli/redacting-stream.js";
import { makeRedactor } from "../../src/redact.js";
import { ROOT, runSecretsAsync, type RunResult } from "./cli.js";

// src/cli/main.ts sets this on the process for the lazily loaded AWS SDK; the test process needs the same.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

/** A Writable that keeps every byte written to it. */
function collector(): { stream: Writable; bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      cb();
    },
  });
  return { stream, bytes: () => Buffer.concat(chunks) };
}

export interface InProcessOptions {
  env: Record<string, string>;
  cwd?: string;
  input?: string | Buffer;
  /** Passed to runCli as the terminal's width (help pages). */
  columns?: number;
}

/** `secrets ARGS` run in this process with its own streams, state, environment and working folder. */
export async function runInProcess(args: string[], opts: InProcessOptions): Promise<RunResult & { ms: number }> {
  if (process.env.SEALFILE_TEST_PROCESS === "1") return runSecretsAsync(args, { ...opts, process: true });
  const out = collector();
  const err = collector();
  const redact = makeRedactor(opts.env);
  const { state, setExitCode } = newRunState();
  const input = opts.input ?? "";
  const ctx: CliContext = {
    cwd: opts.cwd ?? ROOT,
    env: { ...opts.env },
    stdin: Readable.from([typeof input === "string" ? Buffer.from(input) : input]),
    stdout: redactingStream(out.stream, redact),
    stderr: redactingStream(err.stream, redact),
    payload: out.stream,
    interactive: false,
    setExitCode,
  };
  const started = performance.now();
  const code = await runCli(args, ctx, state, opts.columns);
  // Writes queued in the redacting streams go out before the run counts as over, as they do before a process exits.
  await Promise.all([ctx.stdout, ctx.stderr].map((s) => new Promise<void>((done) => s.end(done))));
  const stdoutBytes = out.bytes();
  return { code, stdout: stdoutBytes.toString("utf8"), stderr: err.bytes().toString("utf8"), stdoutBytes, ms: performance.now() - started };
}
