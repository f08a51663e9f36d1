/**
 * Owns: the `secrets` entry point — yargs wiring, the one try/catch that turns errors into messages and
 * exit statuses, and the CliContext every command gets. The only place that touches process globals.
 */
import yargs from "yargs";
import { SealError } from "../errors.js";
import type { CliContext } from "./context.js";
import { globalOptions } from "./globals.js";
import { COMMANDS, findCommand } from "./commands/index.js";
import { shapeOf } from "./command-shape.js";
import { checkCommandLine } from "./command-line-check.js";
import { fromSopsForm } from "./sops-forms.js";
import { VERSION } from "../version.js";

let commandExitCode = 0;

/** Runs the CLI with `argv` (without node and the script) and returns the exit status. */
export async function runCli(given: string[], ctx: CliContext): Promise<number> {
  const debug = given.includes("--debug");
  try {
    const argv = fromSopsForm(given, COMMANDS.map((c) => c.name));
    const chosen = findCommand(argv);
    const full = chosen ? (await chosen.load())(ctx) : undefined;
    // The whole command line is checked before yargs runs a handler (style rule 43).
    const path = checkCommandLine(argv, full ? shapeOf(full) : undefined, COMMANDS.map((c) => c.name));
    const help = ["secrets", ...path, "--help"].join(" ");
    const parser = yargs(argv)
      .scriptName("secrets")
      .usage("$0 <command> [options]\n\nKeep secrets in git as encrypted YAML, JSON, .env and INI files (sops-compatible).")
      .options(globalOptions)
      .command(COMMANDS.map((c) => (c === chosen && full ? full : { command: c.usage, describe: c.describe, handler: () => undefined })))
      .completion("completion", "print a shell completion script")
      .demandCommand(1, "name a command (see --help)")
      .strict()
      .version(VERSION)
      .help()
      .alias("h", "help")
      // yargs renders the full help text before every command runs; without wrapping that costs ~1 ms
      // instead of ~20 ms, so wrap only when help is actually asked for.
      .wrap(argv.includes("--help") || argv.includes("-h") || argv.length === 0 ? Math.min(110, process.stdout.columns || 100) : null)
      .exitProcess(false)
      // Throwing stops yargs here, before any handler: returning would let it go on to run the command.
      .fail((msg: string | null, err: Error | undefined) => {
        if (err) throw err;
        throw new SealError("USAGE", msg ?? "invalid usage", { hint: `see '${help}'.` });
      });
    await parser.parseAsync();
    return commandExitCode;
  } catch (e) {
    return report(e, ctx, debug);
  }
}

function report(e: unknown, ctx: CliContext, debug: boolean): number {
  if (e instanceof SealError) {
    ctx.stderr.write(`error[${e.code}]: ${e.message}\n${e.hint ? `hint: ${e.hint}\n` : ""}`);
    if (debug && e.cause instanceof Error) ctx.stderr.write(`cause: ${e.cause.name}\n`);
    return e.exitCode;
  }
  ctx.stderr.write("error[INTERNAL]: sealfile hit an unexpected error; please report it (run with --debug for details)\n");
  if (debug && e instanceof Error) ctx.stderr.write(`${e.stack ?? e.message}\n`);
  return 1;
}

const env = { ...process.env };
// The AWS SDK warns on stderr about Node < 22 unless this is set; it must not reach users' terminals.
// It is set on the process only (for the lazily loaded SDK), not in `env`, so `exec` children never see it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const ctx: CliContext = {
  cwd: process.cwd(),
  env,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  interactive: Boolean(process.stdin.isTTY && process.stderr.isTTY),
  setExitCode: (code) => {
    commandExitCode = code;
  },
};

void runCli(process.argv.slice(2), ctx).then((code) => {
  process.exitCode = code;
});
