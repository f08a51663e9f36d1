/**
 * Owns: the `secrets` process — the CliContext built from the real streams (stdout and stderr redacted),
 * the listeners on those streams, and the exit status. The only place that touches process globals.
 *
 * Every stream is built on first use: building one loads Node's stream, socket and terminal code, several
 * milliseconds that a command which only writes document bytes (`decrypt`, textconv) does not need.
 */
import type { Writable } from "node:stream";
import type { CliContext } from "./context.js";
import { makeRedactor, type Redactor } from "../redact.js";
import { redactingStream } from "./redacting-stream.js";
import { newRunState, runCli } from "./run.js";
import { stdoutSink } from "./stdout-sink.js";
import { terminals } from "../io/terminal.lazy.js";

const { state, setExitCode } = newRunState();

/** Records a failed write to stdout or stderr; a closed reader (EPIPE) ends the command quietly. */
function writeFailed(toStdout: boolean, code: unknown): void {
  if (code === "EPIPE") state.outputClosed = true;
  else if (toStdout) state.stdoutWriteError = typeof code === "string" ? code : "write failed";
}

// Without a listener, a write to a closed pipe is an uncaught 'error' event: a stack trace and status 1.
// The write's own callback still gets the error, so the command stops where it awaited that write.
let stdoutStream: Writable | undefined;
let stderrStream: Writable | undefined;
function stdout(): Writable {
  if (!stdoutStream) {
    stdoutStream = process.stdout;
    stdoutStream.on("error", (e: unknown) => writeFailed(true, (e as { code?: unknown } | null)?.code));
  }
  return stdoutStream;
}
function stderr(): Writable {
  if (!stderrStream) {
    stderrStream = process.stderr;
    stderrStream.on("error", (e: unknown) => writeFailed(false, (e as { code?: unknown } | null)?.code));
  }
  return stderrStream;
}

const env = { ...process.env };
// The AWS SDK warns on stderr about Node < 22 unless this is set; it must not reach users' terminals.
// It is set on the process only (for the lazily loaded SDK), not in `env`, so `exec` children never see it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

// Everything sealfile itself prints passes through the redactor; only asked-for document bytes bypass it.
// It is made when the first such line is written: a quiet run never needs it.
let redactor: Redactor | undefined;
const redact: Redactor = (text) => (redactor ??= makeRedactor(env))(text);
let redactedStdout: Writable | undefined;
let redactedStderr: Writable | undefined;
let interactive: boolean | undefined;
const ctx: CliContext = {
  cwd: process.cwd(),
  env,
  get stdin() {
    return process.stdin;
  },
  get stdout() {
    return (redactedStdout ??= redactingStream(stdout(), redact));
  },
  get stderr() {
    return (redactedStderr ??= redactingStream(stderr(), redact));
  },
  payload: stdoutSink({ stream: stdout, streamBuilt: () => stdoutStream !== undefined, failed: (code) => writeFailed(true, code) }),
  get interactive() {
    return (interactive ??= terminals().isatty(0) && terminals().isatty(2));
  },
  setExitCode,
};

const columns = (): number | undefined => (terminals().isatty(1) ? (stdout() as NodeJS.WriteStream).columns : undefined);
void runCli(process.argv.slice(2), ctx, state, columns).then((code) => {
  process.exitCode = code;
  // Nothing went through Node's streams (document bytes were written to the descriptor), so nothing is
  // left to flush: exit now rather than at the event loop's end, where V8 may still run a young-generation
  // collection it scheduled during the command (some milliseconds on every decrypt and textconv).
  if (stdoutStream === undefined && stderrStream === undefined) process.exit(code);
});
