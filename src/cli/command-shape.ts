/**
 * Owns: what a command declares — its flags, positionals, subcommands, descriptions and examples — read from
 * its own yargs builder on a scratch parser, so the command line can be checked before anything runs, help
 * can be printed from the same declarations, and tests can list every flag.
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
  /** `string`, `number`, `boolean` or `array` (of strings). */
  readonly type: string;
  readonly describe: string;
  readonly choices: readonly string[];
}

export interface ArgumentShape {
  readonly name: string;
  readonly describe: string;
}

export interface ExampleShape {
  /** The command line, with `$0` replaced by `secrets`. */
  readonly command: string;
  readonly description: string;
}

export interface CommandShape {
  /** Command words, e.g. `["git", "setup"]`. */
  readonly path: readonly string[];
  /** The names the last word may take (`diff-text`, `textconv`). */
  readonly names: readonly string[];
  readonly flags: readonly FlagShape[];
  readonly positionals: readonly string[];
  readonly subcommands: readonly CommandShape[];
  /** The yargs command string (`set <file> <path> [value]`). */
  readonly usage: string;
  readonly describe: string;
  /** Positionals that have a description, in declaration order. */
  readonly arguments: readonly ArgumentShape[];
  readonly examples: readonly ExampleShape[];
}

/** The part of yargs' option registry that yargs keeps but @types/yargs does not declare. */
interface DeclaredOptions {
  key: Record<string, unknown>;
  alias: Record<string, string[]>;
  boolean: string[];
  number: string[];
  array: string[];
  choices: Record<string, unknown[]>;
}

/** The part of a yargs parser that holds option descriptions, likewise undeclared in @types/yargs. */
interface Described {
  getInternalMethods(): { getUsageInstance(): { getDescriptions(): Record<string, string | undefined> } };
}

// Command modules are typed by their own argument types; only their declarations are read here.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyCommand = CommandModule<any, any>;

const BUILT_IN = new Set(["help", "version"]);

const HELP_FLAG: FlagShape = { name: "help", aliases: ["h"], boolean: true, type: "boolean", describe: "show this help", choices: [] };

/** Flags every command accepts: the global options, plus help. */
export const GLOBAL_FLAGS: readonly FlagShape[] = [
  ...Object.entries(globalOptions).map(([name, o]) => ({ name, aliases: [], boolean: o.type === "boolean", type: o.type, describe: o.describe, choices: [] })),
  HELP_FLAG,
];

/** Flags of `secrets` itself, without a command: the global ones and --version. */
export const TOP_LEVEL_FLAGS: readonly FlagShape[] = [
  ...GLOBAL_FLAGS,
  { name: "version", aliases: [], boolean: true, type: "boolean", describe: "print the version", choices: [] },
];

/** `secrets completion`, which yargs provides rather than a command module. */
export const COMPLETION_SHAPE: CommandShape = {
  path: ["completion"],
  names: ["completion"],
  flags: [],
  positionals: [],
  subcommands: [],
  usage: "completion",
  describe: "print a shell completion script (bash, or zsh when $SHELL is zsh)",
  arguments: [],
  examples: [
    { command: "secrets completion >> ~/.bashrc", description: "complete commands and options in bash (in new shells)" },
    { command: "secrets completion >> ~/.zshrc", description: "the same in zsh" },
  ],
};

const DOLLAR_ZERO = /\$0/g;

/** Positional names in a yargs command string (`set <file> <path> [value]` → file, path, value). */
function positionalsOf(command: string): string[] {
  return [...command.matchAll(/[<[]([^\]>.|]+)/g)].map((m) => m[1]!);
}

/** The shape of `mod`, reached through `parent` words: its builder runs on a scratch parser that records subcommands. */
export function shapeOf(mod: AnyCommand, parent: readonly string[] = []): CommandShape {
  const spec = (Array.isArray(mod.command) ? mod.command[0] : mod.command) ?? "";
  const words = spec.trim().split(/\s+/);
  const name = words[0]!;
  const aliases = typeof mod.aliases === "string" ? [mod.aliases] : [...(mod.aliases ?? [])];
  const path = [...parent, name];
  const subs: AnyCommand[] = [];
  const positionals = positionalsOf(spec);
  const args: ArgumentShape[] = [];
  const examples: ExampleShape[] = [];
  const scratch = yargs([]);
  // Subcommands, positionals and examples are recorded, not registered: outside a real parse yargs refuses
  // the first two, and keeps examples where they cannot be read back.
  Object.assign(scratch, {
    command: (m: AnyCommand | string, describe?: string, builder?: AnyCommand["builder"]) => {
      subs.push(typeof m === "string" ? { command: m, describe: describe ?? "", builder, handler: () => undefined } : m);
      return scratch;
    },
    positional: (key: string, opts?: { describe?: string }) => {
      if (!positionals.includes(key)) positionals.push(key);
      if (opts?.describe) args.push({ name: key, describe: opts.describe });
      return scratch;
    },
    example: (command: string, description: string) => {
      examples.push({ command: command.replace(DOLLAR_ZERO, "secrets"), description });
      return scratch;
    },
  });
  if (typeof mod.builder === "function") (mod.builder as (y: Argv) => unknown)(scratch);
  else if (mod.builder) scratch.options(mod.builder);
  const declared = (scratch as unknown as { getOptions(): DeclaredOptions }).getOptions();
  const descriptions = (scratch as unknown as Described).getInternalMethods().getUsageInstance().getDescriptions();
  const aliasOf = new Set(Object.values(declared.alias).flat());
  const typeOf = (k: string): string =>
    declared.boolean.includes(k) ? "boolean" : declared.array.includes(k) ? "array" : declared.number.includes(k) ? "number" : "string";
  const flags = Object.keys(declared.key)
    .filter((k) => !aliasOf.has(k) && !BUILT_IN.has(k) && !positionals.includes(k))
    .map((k) => ({
      name: k,
      aliases: declared.alias[k] ?? [],
      boolean: declared.boolean.includes(k),
      type: typeOf(k),
      describe: descriptions[k] ?? "",
      choices: (declared.choices[k] ?? []).map(String),
    }));
  const describe = typeof mod.describe === "string" ? mod.describe : "";
  return { path, names: [name, ...aliases], flags, positionals, subcommands: subs.map((s) => shapeOf(s, path)), usage: spec, describe, arguments: args, examples };
}

/** Every command's shape (for tests and documentation: loads every command module). */
export async function commandTable(ctx: CliContext): Promise<CommandShape[]> {
  return Promise.all(COMMANDS.map(async (c) => shapeOf((await c.load())(ctx))));
}
