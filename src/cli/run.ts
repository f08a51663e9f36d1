/**
 * Owns: running one `secrets` command line — check, parse, run the command's handler — and the one
 * try/catch that turns errors into messages and exit statuses. Touches no process globals: what it learns
 * about the real streams arrives in a RunState, so the same code path runs in-process
 * (test/edges/fuzz-*.test.ts) as under src/cli/main.ts.
 */
import { SealError, hintOf } from "../errors.js";
import type { CliContext } from "./context.js";
import { COMMANDS } from "./commands/index.js";
import { COMPLETION_SHAPE, GLOBAL_FLAGS, TOP_LEVEL_FLAGS, shapeOf, type CommandShape } from "./command-shape.js";
import { checkCommandLine } from "./command-line-check.js";
import { COMPLETION_REQUEST, completedCommand, completionScript, completionWords, completionsFor } from "./completion.js";
import { parseCommandLine } from "./parse-command-line.js";
import { commandPage, helpWidth, renderHelp, topLevelPage } from "./help.js";
import { routeOf } from "./route.js";
import { VERSION } from "../version.js";

/** What one run learns outside the command's return value; main.ts fills it from the process's streams. */
export interface RunState {
  /** The status a command chose through `ctx.setExitCode` (exec: its child's). */
  commandExitCode?: number;
  /** Set when the reader of stdout or stderr went away (`secrets decrypt big.enc.yaml | head -c 10`). */
  outputClosed: boolean;
  /** The error code of any other failed write to stdout (a full disk under `> file`), reported at the end. */
  stdoutWriteError?: string;
}

/** A fresh state, and a `setExitCode` for the CliContext that records into it. */
export function newRunState(): { state: RunState; setExitCode: (code: number) => void } {
  const state: RunState = { outputClosed: false };
  return { state, setExitCode: (code) => (state.commandExitCode = code) };
}

/**
 * The status for a closed stdout/stderr: 128 + SIGPIPE, what a shell shows when sops (or `cat`) dies of
 * SIGPIPE in the same spot. Node ignores SIGPIPE, so we exit with the number instead of the signal.
 */
export const CLOSED_PIPE_EXIT = 141;

/**
 * `secrets guard -` is `secrets guard --stdin`: the argument parser drops a lone `-` from a variadic positional,
 * so the guard would otherwise see no path and check the staged files instead.
 */
function guardDashSpelledOut(argv: string[]): string[] {
  return argv[0] === "guard" ? argv.map((w) => (w === "-" ? "--stdin" : w)) : argv;
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

/**
 * Runs the CLI with `argv` (without node and the script) and returns the exit status. `terminalColumns` is
 * asked only for a help page: finding the terminal's width loads Node's terminal code.
 */
export async function runCli(given: string[], ctx: CliContext, state: RunState, terminalColumns: () => number | undefined = () => undefined): Promise<number> {
  const debug = given.includes("--debug");
  try {
    if (given[0] === COMPLETION_REQUEST) return await complete(completionWords(given), ctx);
    const routed = routeOf(given);
    const argv = guardDashSpelledOut(routed.argv);
    const chosen = COMMANDS.find((c) => c.name === routed.command);
    const full = chosen ? (await chosen.load())(ctx) : undefined;
    const shape = full ? shapeOf(full) : undefined;
    // The whole command line is checked before anything runs (style rule 43).
    const path = checkCommandLine(argv, shape, COMMANDS.map((c) => c.name));
    if (asksForHelp(argv)) {
      const page =
        shape !== undefined ? commandPage(shapeAt(shape, path), GLOBAL_FLAGS)
        : path[0] === COMPLETION_SHAPE.path[0] ? commandPage(COMPLETION_SHAPE, GLOBAL_FLAGS)
        : topLevelPage([...COMMANDS, COMPLETION_SHAPE], TOP_LEVEL_FLAGS);
      ctx.stdout.write(renderHelp(page, helpWidth(terminalColumns(), ctx.env)));
      return 0;
    }
    if (chosen === undefined && argv.includes("--version")) {
      ctx.stdout.write(`${VERSION}\n`);
      return 0;
    }
    const leaf = shape !== undefined ? shapeAt(shape, path) : path[0] === COMPLETION_SHAPE.path[0] ? COMPLETION_SHAPE : undefined;
    if (leaf === undefined) throw new SealError("USAGE", "name a command (see --help)", { hint: "see 'secrets --help'." });
    const args = parseCommandLine(argv, leaf, [...GLOBAL_FLAGS, ...leaf.flags]);
    // Help spelled inside a group of letters (`-ih`) still stops the command.
    if (args.help === true) {
      ctx.stdout.write(renderHelp(commandPage(leaf, GLOBAL_FLAGS), helpWidth(terminalColumns(), ctx.env)));
      return 0;
    }
    if (leaf === COMPLETION_SHAPE) ctx.stdout.write(completionScript(ctx.env.SHELL));
    else await leaf.module?.handler(args as never);
    if (state.stdoutWriteError !== undefined && state.commandExitCode === undefined) throw stdoutFailure(state.stdoutWriteError);
    // A status the command chose (exec: its child's) stands; otherwise a cut-off output is not a success.
    return state.commandExitCode ?? (state.outputClosed ? CLOSED_PIPE_EXIT : 0);
  } catch (e) {
    return report(e, ctx, state, debug);
  }
}

/** Answers the completion script's request about `words`. */
async function complete(words: readonly string[], ctx: CliContext): Promise<number> {
  const named = COMMANDS.find((c) => c.name === completedCommand(words));
  const shape = named ? shapeOf((await named.load())(ctx)) : undefined;
  const names = [...COMMANDS.map((c) => c.name), COMPLETION_SHAPE.path[0]!];
  const found = completionsFor(words, names, shape, GLOBAL_FLAGS);
  if (found.length > 0) ctx.stdout.write(`${found.join("\n")}\n`);
  return 0;
}

/** The error a write gets when its reader has gone (EPIPE), or any later write to that closed stream. */
function isClosedPipe(e: unknown, state: RunState): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === "EPIPE" || (state.outputClosed && code === "ERR_STREAM_DESTROYED");
}

function stdoutFailure(code: string): SealError {
  return new SealError("CANNOT_WRITE_OUTPUT", `could not write to stdout: ${code}`, {
    hint: "the output is incomplete; check the disk or device stdout goes to",
  });
}

/** Writes `e` to stderr as `error[CODE]: message` + `hint: …` and returns the exit status. */
export function report(e: unknown, ctx: CliContext, state: RunState, debug: boolean): number {
  if (isClosedPipe(e, state)) return CLOSED_PIPE_EXIT;
  if (state.stdoutWriteError !== undefined && !(e instanceof SealError)) e = stdoutFailure(state.stdoutWriteError);
  if (e instanceof SealError) {
    ctx.stderr.write(`error[${e.code}]: ${e.message}\nhint: ${hintOf(e)}\n`);
    if (debug && e.cause instanceof Error) ctx.stderr.write(`cause: ${e.cause.name}\n`);
    return e.exitCode;
  }
  ctx.stderr.write("error[INTERNAL]: sealfile hit an unexpected error; please report it (run with --debug for details)\n");
  if (debug && e instanceof Error) ctx.stderr.write(`${e.stack ?? e.message}\n`);
  return 1;
}
