/**
 * Owns: the `secrets` entry point — yargs wiring, the one try/catch that turns errors into messages and
 * exit statuses, and the CliContext every command gets (its stdout and stderr redacted). The only place that
 * touches process globals.
 */
import yargs from "yargs";
import { SealError } from "../errors.js";
import type { CliContext } from "./context.js";
import { globalOptions } from "./globals.js";
import { COMMANDS, findCommand } from "./commands/index.js";
import { COMPLETION_SHAPE, GLOBAL_FLAGS, TOP_LEVEL_FLAGS, shapeOf, type CommandShape } from "./command-shape.js";
import { checkCommandLine } from "./command-line-check.js";
import { commandPage, helpWidth, renderHelp, topLevelPage } from "./help.js";
import { fromSopsForm } from "./sops-forms.js";
import { VERSION } from "../version.js";
import { makeRedactor } from "../redact.js";
import { redactingStream } from "./redacting-stream.js";

let commandExitCode: number | undefined;
/** Set when the reader of stdout or stderr went away (`secrets decrypt big.enc.yaml | head -c 10`). */
let outputClosed = false;
/** The error code of any other failed write to stdout (a full disk under `> file`), reported at the end. */
let stdoutWriteError: string | undefined;

/**
 * The status for a closed stdout/stderr: 128 + SIGPIPE, what a shell shows when sops (or `cat`) dies of
 * SIGPIPE in the same spot. Node ignores SIGPIPE, so we exit with the number instead of the signal.
 */
export const CLOSED_PIPE_EXIT = 141;

/** `secrets help CMD…` is `secrets CMD… --help`. */
function helpSpelledOut(argv: string[]): string[] {
  return argv[0] === "help" ? [...argv.slice(1), "--help"] : argv;
}

/** Whether help is asked for among the words that are ours (those after `--` belong to a child). */
function asksForHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf("--");
  return (end === -1 ? argv : argv.slice(0, end)).some((w) => w === "--help" || w === "-h");
}

/** The (sub)command at `path` within `shape`. */
function shapeAt(shape: CommandShape, path: readonly string[]): CommandShape {
  let current = shape;
  for (const word of path.slice(1)) current = current.subcommands.find((s) => s.names.includes(word)) ?? current;
  return current;
}

/** Runs the CLI with `argv` (without node and the script) and returns the exit status. */
export async function runCli(given: string[], ctx: CliContext, terminalColumns?: number): Promise<number> {
  const debug = given.includes("--debug");
  try {
    const argv = fromSopsForm(helpSpelledOut(given), COMMANDS.map((c) => c.name));
    const chosen = findCommand(argv);
    const full = chosen ? (await chosen.load())(ctx) : undefined;
    const shape = full ? shapeOf(full) : undefined;
    // The whole command line is checked before yargs runs a handler (style rule 43).
    const path = checkCommandLine(argv, shape, COMMANDS.map((c) => c.name));
    if (asksForHelp(argv)) {
      const page =
        shape !== undefined ? commandPage(shapeAt(shape, path), GLOBAL_FLAGS)
        : path[0] === COMPLETION_SHAPE.path[0] ? commandPage(COMPLETION_SHAPE, GLOBAL_FLAGS)
        : topLevelPage([...COMMANDS, COMPLETION_SHAPE], TOP_LEVEL_FLAGS);
      ctx.stdout.write(renderHelp(page, helpWidth(terminalColumns, ctx.env)));
      return 0;
    }
    const help = ["secrets", ...path, "--help"].join(" ");
    const parser = yargs(argv)
      .scriptName("secrets")
      .usage("$0 <command> [options]")
      .options(globalOptions)
      .command(COMMANDS.map((c) => (c === chosen && full ? full : { command: c.usage, describe: c.describe, handler: () => undefined })))
      .completion(COMPLETION_SHAPE.path[0]!, COMPLETION_SHAPE.describe)
      .demandCommand(1, "name a command (see --help)")
      .strict()
      .version(VERSION)
      // Help is printed above from the same declarations; yargs' own is reached only by spellings such as
      // `-ih`, where it still stops the command. Unwrapped, it cannot break a word.
      .help()
      .alias("h", "help")
      .wrap(null)
      .exitProcess(false)
      // Throwing stops yargs here, before any handler: returning would let it go on to run the command.
      .fail((msg: string | null, err: Error | undefined) => {
        if (err) throw err;
        throw new SealError("USAGE", msg ?? "invalid usage", { hint: `see '${help}'.` });
      });
    await parser.parseAsync();
    if (stdoutWriteError !== undefined && commandExitCode === undefined) throw stdoutFailure(stdoutWriteError);
    // A status the command chose (exec: its child's) stands; otherwise a cut-off output is not a success.
    return commandExitCode ?? (outputClosed ? CLOSED_PIPE_EXIT : 0);
  } catch (e) {
    return report(e, ctx, debug);
  }
}

/** The error a write gets when its reader has gone (EPIPE), or any later write to that closed stream. */
function isClosedPipe(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === "EPIPE" || (outputClosed && code === "ERR_STREAM_DESTROYED");
}

function stdoutFailure(code: string): SealError {
  return new SealError("CANNOT_WRITE_OUTPUT", `could not write to stdout: ${code}`, {
    hint: "the output is incomplete; check the disk or device stdout goes to",
  });
}

function report(e: unknown, ctx: CliContext, debug: boolean): number {
  if (isClosedPipe(e)) return CLOSED_PIPE_EXIT;
  if (stdoutWriteError !== undefined && !(e instanceof SealError)) e = stdoutFailure(stdoutWriteError);
  if (e instanceof SealError) {
    ctx.stderr.write(`error[${e.code}]: ${e.message}\n${e.hint ? `hint: ${e.hint}\n` : ""}`);
    if (debug && e.cause instanceof Error) ctx.stderr.write(`cause: ${e.cause.name}\n`);
    return e.exitCode;
  }
  ctx.stderr.write("error[INTERNAL]: sealfile hit an unexpected error; please report it (run with --debug for details)\n");
  if (debug && e instanceof Error) ctx.stderr.write(`${e.stack ?? e.message}\n`);
  return 1;
}

// Without a listener, a write to a closed pipe is an uncaught 'error' event: a stack trace and status 1.
// The write's own callback still gets the error, so the command stops where it awaited that write.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: unknown) => {
    const code = (e as { code?: unknown } | null)?.code;
    if (code === "EPIPE") outputClosed = true;
    else if (stream === process.stdout) stdoutWriteError = typeof code === "string" ? code : "write failed";
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
  stdin: process.stdin,
  stdout: redactingStream(process.stdout, redact),
  stderr: redactingStream(process.stderr, redact),
  payload: process.stdout,
  interactive: Boolean(process.stdin.isTTY && process.stderr.isTTY),
  setExitCode: (code) => {
    commandExitCode = code;
  },
};

void runCli(process.argv.slice(2), ctx, process.stdout.isTTY ? process.stdout.columns : undefined).then((code) => {
  process.exitCode = code;
});
