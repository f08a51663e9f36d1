/**
 * Owns: what a command declares — its flags, positionals, subcommands, descriptions and examples — recorded
 * from its own builder, so the command line can be checked and parsed before anything runs, help can be
 * printed from the same declarations, and tests can list every flag. The builders are written against yargs'
 * Argv interface, but run here on a recorder: building a real yargs parser costs more than most commands.
 */
import type { Argv, CommandModule, Options, PositionalOptions } from "yargs";
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
  /** The value when the flag is not given (only some booleans have one: `--no-fifo`). */
  readonly default?: unknown;
  /** The flag must be given (`merge --resolve`). */
  readonly required?: boolean;
  /** A string flag that may be given without a value (declared `requiresArg: false`: `guard --history`). */
  readonly valueOptional?: boolean;
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
  /** How many positionals must be given, in the order of `positionals`. */
  readonly required: number;
  /** The last positional takes every remaining word (`guard [paths..]`). */
  readonly variadic: boolean;
  /** Words after `--` are kept apart in `args["--"]` (exec) instead of joining the positionals. */
  readonly keepsDashDash: boolean;
  /** For a command with subcommands: what to say when none is named. */
  readonly needsSubcommand?: string;
  /** The command's module, whose handler runs with the parsed arguments. */
  readonly module?: AnyCommand;
}

// Command modules are typed by their own argument types; only their declarations are read here.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCommand = CommandModule<any, any>;

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

/** `secrets completion`, which run.ts answers itself (completion.ts) rather than through a command module. */
export const COMPLETION_SHAPE: CommandShape = {
  path: ["completion"],
  names: ["completion"],
  flags: [],
  positionals: [],
  subcommands: [],
  usage: "completion",
  describe: "print a shell completion script (bash, or zsh when $SHELL is zsh)",
  arguments: [],
  required: 0,
  variadic: false,
  keepsDashDash: false,
  examples: [
    { command: "secrets completion >> ~/.bashrc", description: "complete commands and options in bash (in new shells)" },
    { command: "secrets completion >> ~/.zshrc", description: "the same in zsh" },
  ],
};

const DOLLAR_ZERO = /\$0/g;

interface PositionalSpec {
  readonly name: string;
  readonly required: boolean;
  readonly variadic: boolean;
}

/** The positionals of a yargs command string: `set <file> <path> [value]`, `guard [paths..]`. */
function positionalsOf(command: string): PositionalSpec[] {
  return [...command.matchAll(/([<[])([^\]>.|]+)(\.\.)?[\]>]/g)].map((m) => ({ name: m[2]!, required: m[1] === "<", variadic: m[3] !== undefined }));
}

/** The builder methods the commands use, recording what they declare; any other method is a build-time bug. */
class Recorder {
  readonly flags = new Map<string, FlagShape>();
  readonly demanded = new Set<string>();
  readonly args: ArgumentShape[] = [];
  readonly examples: ExampleShape[] = [];
  readonly subs: AnyCommand[] = [];
  keepsDashDash = false;
  needsSubcommand: string | undefined;

  option(name: string, o: Options): this {
    const aliases = o.alias === undefined ? [] : Array.isArray(o.alias) ? [...o.alias] : [o.alias];
    const type = o.type === "boolean" || o.boolean ? "boolean" : o.array || o.type === "array" ? "array" : o.type === "number" || o.number ? "number" : "string";
    this.flags.set(name, {
      name,
      aliases,
      boolean: type === "boolean",
      type,
      describe: typeof o.describe === "string" ? o.describe : typeof o.description === "string" ? o.description : "",
      choices: (o.choices ?? []).map(String),
      ...(o.default === undefined ? {} : { default: o.default }),
      ...(o.demandOption ? { required: true } : {}),
      ...(o.requiresArg === false ? { valueOptional: true } : {}),
    });
    return this;
  }

  options(all: Record<string, Options>): this {
    for (const [name, o] of Object.entries(all)) this.option(name, o);
    return this;
  }

  positional(name: string, o: PositionalOptions): this {
    if (o.describe) this.args.push({ name, describe: o.describe });
    if (o.demandOption) this.demanded.add(name);
    return this;
  }

  example(command: string, description: string): this {
    this.examples.push({ command: command.replace(DOLLAR_ZERO, "secrets"), description });
    return this;
  }

  command(m: AnyCommand): this {
    this.subs.push(m);
    return this;
  }

  demandCommand(_min: number, message: string): this {
    this.needsSubcommand = message;
    return this;
  }

  parserConfiguration(c: Record<string, boolean>): this {
    this.keepsDashDash = c["populate--"] === true;
    return this;
  }
}

/** The shape of `mod`, reached through `parent` words: its builder runs on a Recorder. */
export function shapeOf(mod: AnyCommand, parent: readonly string[] = []): CommandShape {
  const spec = (Array.isArray(mod.command) ? mod.command[0] : mod.command) ?? "";
  const name = spec.trim().split(/\s+/)[0]!;
  const aliases = typeof mod.aliases === "string" ? [mod.aliases] : [...(mod.aliases ?? [])];
  const path = [...parent, name];
  const recorder = new Recorder();
  if (typeof mod.builder === "function") (mod.builder as (y: Argv) => unknown)(recorder as unknown as Argv);
  else if (mod.builder) recorder.options(mod.builder as Record<string, Options>);
  // `git <command>`: a command with subcommands names them with its positional, which is no argument of its own.
  const specs = recorder.subs.length > 0 ? [] : positionalsOf(spec);
  const required = specs.filter((p) => p.required || recorder.demanded.has(p.name)).length;
  const describe = typeof mod.describe === "string" ? mod.describe : "";
  return {
    path,
    names: [name, ...aliases],
    flags: [...recorder.flags.values()],
    positionals: specs.map((p) => p.name),
    subcommands: recorder.subs.map((s) => shapeOf(s, path)),
    usage: spec,
    describe,
    arguments: recorder.args,
    examples: recorder.examples,
    required,
    variadic: specs.at(-1)?.variadic ?? false,
    keepsDashDash: recorder.keepsDashDash,
    ...(recorder.needsSubcommand === undefined ? {} : { needsSubcommand: recorder.needsSubcommand }),
    module: mod,
  };
}

/** Every command's shape (for tests and documentation: loads every command module). */
export async function commandTable(ctx: CliContext): Promise<CommandShape[]> {
  return Promise.all(COMMANDS.map(async (c) => shapeOf((await c.load())(ctx))));
}
