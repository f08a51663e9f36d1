/**
 * Owns: the `secrets` process — the CliContext built from the real streams (stdout and stderr redacted),
 * the listeners on those streams, and the exit status. The only place that touches process globals.
 */
import { isatty } from "node:tty";
import type { CliContext } from "./context.js";
import { makeRedactor } from "../redact.js";
import { redactingStream } from "./redacting-stream.js";
import { newRunState, runCli } from "./run.js";

const { state, setExitCode } = newRunState();

// Without a listener, a write to a closed pipe is an uncaught 'error' event: a stack trace and status 1.
// The write's own callback still gets the error, so the command stops where it awaited that write.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: unknown) => {
    const code = (e as { code?: unknown } | null)?.code;
    if (code === "EPIPE") state.outputClosed = true;
    else if (stream === process.stdout) state.stdoutWriteError = typeof code === "string" ? code : "write failed";
  });
}

const env = { ...process.env };
// The AWS SDK warns on stderr about Node < 22 unless this is set; it must not reach users' terminals.
// It is set on the process only (for the lazily loaded SDK), not in `env`, so `exec` children never see it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

// Everything sealfile itself prints passes through the redactor; only asked-for document bytes bypass it.
const redact = makeRedactor(env);
const ctx: CliContext = {
  cwd: process.cwd(),
  env,
  // process.stdin is built on first use (some milliseconds of stream set-up): most commands never read it.
  get stdin() {
    return process.stdin;
  },
  stdout: redactingStream(process.stdout, redact),
  stderr: redactingStream(process.stderr, redact),
  payload: process.stdout,
  interactive: isatty(0) && Boolean(process.stderr.isTTY),
  setExitCode,
};

void runCli(process.argv.slice(2), ctx, state, process.stdout.isTTY ? process.stdout.columns : undefined).then((code) => {
  process.exitCode = code;
});
