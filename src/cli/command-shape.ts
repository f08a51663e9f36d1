/**
 * Owns: what a command declares — its flags, positionals and subcommands — read from its own yargs builder
 * on a scratch parser, so the command line can be checked before anything runs and tests can list every flag.
 */
import yargs from "yargs";
import type { Argv, CommandModule } from "yargs";
import type { CliContext } from "./context.js";
import { globalOptions } from "./globals.js";
import { COMMANDS } from "./commands/index.js";

export interface FlagShape {
  /** The long name, as declared (`in-place`). */
  readonly name: string;
  /** Other spellings (`i`). */
  readonly aliases: readonly string[];
  readonly boolean: boolean;
}

export interface CommandShape {
  /** Command words, e.g. `["git", "setup"]`. */
  readonly path: readonly string[];
  /** The names the last word may take (`diff-text`, `textconv`). */
  readonly names: readonly string[];
  readonly flags: readonly FlagShape[];
  readonly positionals: readonly string[];
  readonly subcommands: readonly CommandShape[];
}

/** The part of yargs' option registry that yargs keeps but @types/yargs does not declare. */
interface DeclaredOptions {
  key: Record<string, unknown>;
  alias: Record<string, string[]>;
  boolean: string[];
}

// Command modules are typed by their own argument types; only their declarations are read here.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyCommand = CommandModule<any, any>;

const BUILT_IN = new Set(["help", "version"]);

/** Flags every command accepts: the global options, plus help and version. */
export const GLOBAL_FLAGS: readonly FlagShape[] = [
  ...Object.entries(globalOptions).map(([name, o]) => ({ name, aliases: [], boolean: o.type === "boolean" })),
  { name: "help", aliases: ["h"], boolean: true },
  { name: "version", aliases: [], boolean: true },
];

/** Positional names in a yargs command string (`set <file> <path> [value]` → file, path, value). */
function positionalsOf(command: string): string[] {
  return [...command.matchAll(/[<[]([^\]>.|]+)/g)].map((m) => m[1]!);
}

/** The shape of `mod`, reached through `parent` words: its builder runs on a scratch parser that records subcommands. */
export function shapeOf(mod: AnyCommand, parent: readonly string[] = []): CommandShape {
  const spec = Array.isArray(mod.command) ? mod.command[0] : mod.command;
  const words = (spec ?? "").trim().split(/\s+/);
  const name = words[0]!;
  const aliases = typeof mod.aliases === "string" ? [mod.aliases] : [...(mod.aliases ?? [])];
  const path = [...parent, name];
  const subs: AnyCommand[] = [];
  const positionals = positionalsOf(spec ?? "");
  const scratch = yargs([]);
  // Subcommands and positionals are recorded, not registered: outside a real parse yargs refuses them.
  Object.assign(scratch, {
    command: (m: AnyCommand | string, describe?: string, builder?: AnyCommand["builder"]) => {
      subs.push(typeof m === "string" ? { command: m, describe: describe ?? "", builder, handler: () => undefined } : m);
      return scratch;
    },
    positional: (key: string) => {
      if (!positionals.includes(key)) positionals.push(key);
      return scratch;
    },
  });
  if (typeof mod.builder === "function") (mod.builder as (y: Argv) => unknown)(scratch);
  else if (mod.builder) scratch.options(mod.builder);
  const declared = (scratch as unknown as { getOptions(): DeclaredOptions }).getOptions();
  const aliasOf = new Set(Object.values(declared.alias).flat());
  const flags = Object.keys(declared.key)
    .filter((k) => !aliasOf.has(k) && !BUILT_IN.has(k) && !positionals.includes(k))
    .map((k) => ({ name: k, aliases: declared.alias[k] ?? [], boolean: declared.boolean.includes(k) }));
  return { path, names: [name, ...aliases], flags, positionals, subcommands: subs.map((s) => shapeOf(s, path)) };
}

/** Every command's shape (for tests and documentation: loads every command module). */
export async function commandTable(ctx: CliContext): Promise<CommandShape[]> {
  return Promise.all(COMMANDS.map(async (c) => shapeOf((await c.load())(ctx))));
}
