/**
 * Owns: checking a command line against what its command declares, before any handler runs — unknown
 * commands and options are usage errors with a "did you mean", and sops spellings get a pointer.
 */
import { SealError } from "../errors.js";
import { closestNames } from "../did-you-mean.js";
import { COMPLETION_SHAPE, GLOBAL_FLAGS, TOP_LEVEL_FLAGS, type CommandShape, type FlagShape } from "./command-shape.js";

/** sops options and commands given where sops takes them (`sops -d FILE`), and what they are here. */
const SOPS_SPELLINGS: Record<string, string> = {
  "-r": "secrets rotate FILE",
  "--rotate": "secrets rotate FILE",
  "-i": "secrets encrypt -i FILE / secrets decrypt -i FILE",
  "--in-place": "secrets encrypt -i FILE / secrets decrypt -i FILE",
  "-s": "secrets edit -s FILE",
  "--extract": "secrets decrypt --extract PATH FILE",
  "--unset": "secrets unset FILE PATH",
};

const COMPLETION_COMMAND = COMPLETION_SHAPE.path[0]!;

/** The words after `--` go to a child untouched; only what comes before is ours. */
function ownWords(argv: readonly string[]): readonly string[] {
  const end = argv.indexOf("--");
  return end === -1 ? argv : argv.slice(0, end);
}

/** Whether yargs reads `word` as an option (a dash, but not `-` for stdin nor a negative number). */
function isOption(word: string): boolean {
  return word.startsWith("-") && word !== "-" && !/^-\d/.test(word);
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

class FlagSet {
  private readonly byName = new Map<string, FlagShape>();
  readonly flags: readonly FlagShape[];

  constructor(flags: readonly FlagShape[]) {
    this.flags = flags;
    for (const f of flags) for (const n of [f.name, ...f.aliases]) this.byName.set(n, f);
  }

  /** The flag a long name (without dashes) stands for; camelCase and `no-` forms as yargs reads them. */
  long(name: string): FlagShape | undefined {
    const plain = this.byName.get(name) ?? this.byName.get(kebab(name));
    if (plain) return plain;
    return name.startsWith("no-") ? this.byName.get(name.slice(3)) : undefined;
  }

  short(letter: string): FlagShape | undefined {
    return this.byName.get(letter);
  }

  longNames(): string[] {
    const names = this.flags.flatMap((f) => [f.name, ...f.aliases].filter((n) => n.length > 1));
    return [...names, ...this.flags.filter((f) => f.boolean).map((f) => `no-${f.name}`)];
  }
}

interface Scan {
  /** Option words that name no flag, in order. */
  unknown: string[];
  /** Words that are not options nor option values, in order. */
  words: string[];
}

/** Splits `words` into unknown options and plain words, skipping the value after a known non-boolean flag. */
function scan(words: readonly string[], flags: FlagSet): Scan {
  const out: Scan = { unknown: [], words: [] };
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (!isOption(w)) {
      out.words.push(w);
      continue;
    }
    let takesValue = false;
    if (w.startsWith("--")) {
      // Only the name is kept: `--passwrd=VALUE` must not put VALUE into an error message.
      const name = w.slice(2).split("=", 1)[0]!;
      const flag = flags.long(name);
      if (!flag) out.unknown.push(`--${name}`);
      else takesValue = !flag.boolean && !w.includes("=") && !name.startsWith("no-");
    } else {
      // `-abc` is -a -b -c; `-fFILE`-like forms end the letters where yargs takes the rest as a value.
      const letters = w.slice(1);
      for (let j = 0; j < letters.length; j++) {
        const flag = flags.short(letters[j]!);
        if (!flag) {
          out.unknown.push(`-${letters[j]}`);
          break;
        }
        const rest = letters.slice(j + 1);
        if (rest === "") takesValue = !flag.boolean;
        if (rest === "" || !flag.boolean || /^[=\W]/.test(rest) || /^-?\d/.test(rest)) break;
      }
    }
    if (takesValue && i + 1 < words.length && !isOption(words[i + 1]!)) i++;
  }
  return out;
}

/** "did you mean --x? See 'secrets … --help'." — or just the pointer to help when nothing is near. */
function hintWith(names: string[], prefix: string, help: string): string {
  const near = names.length === 0 ? "" : `did you mean ${names.map((n) => `${prefix}${n}`).join(" or ")}? `;
  return near === "" ? `see '${help}'.` : `${near}See '${help}'.`;
}

function unknownOption(option: string, flags: FlagSet, path: readonly string[]): SealError {
  const near = option.startsWith("--") ? closestNames(option.slice(2), flags.longNames()) : [];
  const help = path.length > 0 ? `secrets ${path.join(" ")} --help` : "secrets --help";
  return new SealError("USAGE", `unknown option ${option}`, { hint: hintWith(near, "--", help) });
}

function sopsPointer(word: string): SealError {
  const kind = word.startsWith("-") ? "option" : "command";
  return new SealError("USAGE", `unknown ${kind} ${word}`, { hint: `sops's ${word} is \`${SOPS_SPELLINGS[word]}\` here. See 'secrets --help'.` });
}

function unknownCommand(word: string, known: readonly string[], parent: readonly string[]): SealError {
  const near = closestNames(word, known);
  const help = ["secrets", ...parent, "--help"].join(" ");
  const editHint = parent.length === 0 && near.length === 0 && /[./]/.test(word) ? `to edit a file: \`secrets edit ${word}\`. See '${help}'.` : "";
  const shown = [...parent, word].join(" ");
  return new SealError("USAGE", `unknown command ${shown}`, { hint: editHint || hintWith(near, "", help) });
}

/**
 * Throws a USAGE error when `argv` names an unknown command or option. `shape` is the command named in
 * argv, when one is; its subcommands are chosen from argv here. Returns the command words that were matched.
 */
export function checkCommandLine(argv: readonly string[], shape: CommandShape | undefined, commandNames: readonly string[]): readonly string[] {
  const words = ownWords(argv);
  if (!shape) {
    const flags = new FlagSet(TOP_LEVEL_FLAGS);
    const found = scan(words, flags);
    const first = found.words[0];
    // Whichever comes first names what the user meant: `secrets -d FILE` is sops's decrypt, `secrets ecnrypt -i FILE` a typo.
    const sops = [...found.unknown.filter((w) => first === undefined || words.indexOf(w) < words.indexOf(first)), ...found.words.slice(0, 1)].find((w) => w in SOPS_SPELLINGS);
    if (sops) throw sopsPointer(sops);
    if (first !== undefined && first !== COMPLETION_COMMAND) throw unknownCommand(first, [...commandNames, COMPLETION_COMMAND], []);
    if (found.unknown[0] !== undefined) throw unknownOption(found.unknown[0], flags, []);
    return first === COMPLETION_COMMAND ? COMPLETION_SHAPE.path : [];
  }
  // Walk down through subcommands: after each command word, the next plain word names the subcommand.
  let current = shape;
  let rest = words.slice(words.indexOf(shape.path[0]!) + 1);
  while (current.subcommands.length > 0) {
    const found = scan(rest, new FlagSet([...GLOBAL_FLAGS, ...current.flags]));
    const next = found.words[0];
    if (next === undefined) break;
    const sub = current.subcommands.find((s) => s.names.includes(next));
    if (!sub) throw unknownCommand(next, current.subcommands.flatMap((s) => s.names), current.path);
    current = sub;
    rest = rest.slice(rest.indexOf(next) + 1);
  }
  const flags = new FlagSet([...GLOBAL_FLAGS, ...current.flags]);
  const found = scan(words, flags);
  if (found.unknown[0] !== undefined) throw unknownOption(found.unknown[0], flags, current.path);
  return current.path;
}
