/**
 * Owns: turning a checked command line into the arguments its handler reads, with yargs-parser (the parser
 * yargs itself uses) driven by the command's recorded shape: types, aliases, defaults, choices, required
 * flags and positionals. Unknown commands and options were refused before (command-line-check.ts); what is
 * refused here is a value that does not fit. No message repeats a value: it may be a secret.
 */
import parse from "yargs-parser";
import { SealError } from "../errors.js";
import type { CommandShape, FlagShape } from "./command-shape.js";

export type ParsedArgs = Record<string, unknown> & { _: string[]; "--"?: string[] };

function usage(message: string, shape: CommandShape): SealError {
  return new SealError("USAGE", message, { hint: `see '${["secrets", ...shape.path].join(" ")} --help'.` });
}

/** The flags' declarations in yargs-parser's terms. */
function parserOptions(flags: readonly FlagShape[], keepsDashDash: boolean): parse.Options {
  const of = (type: string): string[] => flags.filter((f) => f.type === type).map((f) => f.name);
  return {
    boolean: of("boolean"),
    string: [...of("string"), ...of("array")],
    number: of("number"),
    array: of("array"),
    alias: Object.fromEntries(flags.filter((f) => f.aliases.length > 0).map((f) => [f.name, [...f.aliases]])),
    default: Object.fromEntries(flags.filter((f) => f.default !== undefined).map((f) => [f.name, f.default])),
    configuration: {
      "populate--": keepsDashDash,
      // Positionals are strings (file names, tree paths, values), never numbers.
      "parse-positional-numbers": false,
      // A repeatable flag takes one value per use: `-f a.yaml b.yaml` leaves b.yaml a positional.
      "greedy-arrays": false,
    },
  };
}

/** Whether `argv` names `flag` with no value after it (`--extract` last, or followed by another option). */
function leftWithoutValue(argv: readonly string[], flag: FlagShape): boolean {
  const long = [flag.name, ...flag.aliases].filter((n) => n.length > 1).map((n) => `--${n}`);
  const short = flag.aliases.filter((n) => n.length === 1);
  const end = argv.indexOf("--");
  return (end === -1 ? argv : argv.slice(0, end)).some((w, i) => {
    const named = long.includes(w) || (/^-[^-]/.test(w) && short.some((n) => w.endsWith(n)));
    const next = argv[i + 1];
    return named && (next === undefined || (next.startsWith("-") && next !== "-"));
  });
}

/** Refuses a flag value that does not fit its declaration. */
function checkFlag(flag: FlagShape, value: unknown, argv: readonly string[], shape: CommandShape): void {
  if (value === undefined) {
    if (flag.required) throw usage(`missing required option --${flag.name}`, shape);
    return;
  }
  if (flag.type === "array" || flag.boolean) return;
  if (Array.isArray(value)) throw usage(`--${flag.name} is given more than once`, shape);
  if (flag.type === "number") {
    if (typeof value !== "number" || Number.isNaN(value)) throw usage(`--${flag.name} needs a number`, shape);
    return;
  }
  if (value === "" && !flag.valueOptional && leftWithoutValue(argv, flag)) throw usage(`--${flag.name} needs a value`, shape);
  if (flag.choices.length > 0 && !flag.choices.includes(String(value))) throw usage(`--${flag.name} must be one of: ${flag.choices.join(", ")}`, shape);
}

/**
 * The handler's arguments for `argv`, which runs `shape` (found at `path` by checkCommandLine); `flags` are
 * the ones the command line may use there (the global ones and the command's).
 */
export function parseCommandLine(argv: readonly string[], shape: CommandShape, flags: readonly FlagShape[]): ParsedArgs {
  const parsed = parse([...argv], parserOptions(flags, shape.keepsDashDash)) as ParsedArgs;
  for (const flag of flags) checkFlag(flag, parsed[flag.name], argv, shape);
  // The command words come first among the plain words (checkCommandLine found them so).
  const words = parsed._.slice(shape.path.length).map(String);
  if (shape.needsSubcommand !== undefined) throw usage(shape.needsSubcommand, shape);
  if (words.length < shape.required) {
    const missing = shape.positionals.slice(words.length, shape.required).map((p) => `<${p}>`);
    throw usage(`missing ${missing.join(" ")}`, shape);
  }
  const names = shape.positionals;
  if (!shape.variadic && words.length > names.length) {
    const extra = words.length - names.length;
    throw usage(`${extra} argument${extra === 1 ? "" : "s"} too many: \`secrets ${shape.path.join(" ")}\` takes ${names.length === 0 ? "none" : `at most ${names.length}`}`, shape);
  }
  names.forEach((name, i) => {
    const isLast = i === names.length - 1;
    const value = shape.variadic && isLast ? words.slice(i) : words[i];
    if (value !== undefined) parsed[name] = value;
  });
  parsed._ = [];
  return parsed;
}
