/**
 * Owns: which command a command line runs — `help CMD…` spelled out, sops's `-d`/`-e`/`--set` forms rewritten,
 * then the first command word. bin/secrets.js uses it (as dist/route.cjs) to pick the command's own bundle,
 * and runCli uses the same function, so both always agree.
 */
import { fromSopsForm } from "./sops-forms.js";
import { COMMAND_TABLE, findCommandName } from "./commands/table.js";
import { VERSION } from "../version.js";

export { VERSION };

/** `secrets help CMD…` is `secrets CMD… --help`. */
function helpSpelledOut(argv: readonly string[]): string[] {
  return argv[0] === "help" ? [...argv.slice(1), "--help"] : [...argv];
}

export interface Route {
  /** The command line as the commands read it. */
  readonly argv: string[];
  /** The command it names, if any. */
  readonly command: string | undefined;
}

/** @throws SealError USAGE / BAD_SET_FORMAT for a malformed sops form (see fromSopsForm). */
export function routeOf(given: readonly string[]): Route {
  const argv = fromSopsForm(helpSpelledOut(given), COMMAND_TABLE.map((c) => c.name));
  return { argv, command: findCommandName(argv) };
}

/** The command `given` runs, or undefined when it names none or does not parse (the full CLI then reports it). */
export function commandOf(given: readonly string[]): string | undefined {
  try {
    return routeOf(given).command;
  } catch {
    return undefined;
  }
}
