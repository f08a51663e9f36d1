/**
 * Owns: one `secrets` command line run through runCli with its own streams, state, environment and working
 * folder — the context src/cli/main.ts builds from the real process, built here from given values. Used in
 * the test process (in-process.ts) and in the worker thread (cli-worker.ts).
 */
import { Readable, Writable } from "node:stream";
import { newRunState, runCli } from "../../src/cli/run.js";
import type { CliContext } from "../../src/cli/context.js";
import { redactingStream } from "../../src/cli/redacting-stream.js";
import { makeRedactor } from "../../src/redact.js";

export interface CliRun {
  args: string[];
  env: Record<string, string>;
  cwd: string;
  input: Uint8Array;
  /** The terminal's width for help pages. */
  columns?: number;
}

export interface CliOutcome {
  code: number;
  stdout: Buffer;
  stderr: string;
  ms: number;
}

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

export async function runCommandLine(run: CliRun): Promise<CliOutcome> {
  const out = collector();
  const err = collector();
  const redact = makeRedactor(run.env);
  const { state, setExitCode } = newRunState();
  const ctx: CliContext = {
    cwd: run.cwd,
    env: { ...run.env },
    stdin: Readable.from([Buffer.from(run.input)]),
    stdout: redactingStream(out.stream, redact),
    stderr: redactingStream(err.stream, redact),
    payload: out.stream,
    interactive: false,
    setExitCode,
  };
  const started = performance.now();
  const code = await runCli(run.args, ctx, state, () => run.columns);
  // Writes queued in the redacting streams go out before the run counts as over, as they do before a process exits.
  await Promise.all([ctx.stdout, ctx.stderr].map((s) => new Promise<void>((done) => s.end(done))));
  return { code, stdout: out.bytes(), stderr: err.bytes().toString("utf8"), ms: performance.now() - started };
}
