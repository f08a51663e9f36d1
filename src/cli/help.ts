/**
 * Owns: `--help` text, laid out from the commands' own declarations (command-shape.ts): lines wrap only
 * between words, an example is one whole line that can be pasted, and a command lists only its own options.
 */
import type { CommandShape, ExampleShape, FlagShape } from "./command-shape.js";

/** Help is laid out for terminals this wide at most, however wide the terminal is. */
const MAX_WIDTH = 120;
const MIN_WIDTH = 40;
const INDENT = "  ";
const GAP = "  ";

/** A line of a two-column list: a label (`-i, --in-place`) and its description. */
export interface Row {
  readonly label: string;
  readonly text: string;
}

/** The width to lay help out at: the terminal's, else `COLUMNS` (when piped), else 80. */
export function helpWidth(terminalColumns: number | undefined, env: Readonly<Record<string, string | undefined>>): number {
  const fromEnv = Number.parseInt(env.COLUMNS ?? "", 10);
  const columns = terminalColumns && terminalColumns > 0 ? terminalColumns : Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 80;
  return Math.max(MIN_WIDTH, Math.min(MAX_WIDTH, columns));
}

/**
 * `text` broken into lines of at most `width` characters, only where there is a space. A word longer than
 * `width` gets a line of its own and is never cut.
 */
export function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    if (line === "") line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line !== "") lines.push(line);
  return lines;
}

function paragraph(text: string, width: number, indent = ""): string[] {
  return wrapWords(text, width - indent.length).map((l) => indent + l);
}

/**
 * Two columns: labels, then their descriptions wrapped in the room left. A label too long for the label
 * column stands alone, its description starting on the next line under the description column.
 */
function table(rows: readonly Row[], width: number): string[] {
  const cap = Math.max(12, Math.floor(width * 0.4));
  const labelWidth = Math.min(cap, Math.max(0, ...rows.map((r) => r.label.length)));
  const textColumn = INDENT.length + labelWidth + GAP.length;
  const pad = " ".repeat(textColumn);
  const out: string[] = [];
  for (const row of rows) {
    const text = wrapWords(row.text, width - textColumn);
    if (row.label.length > labelWidth) {
      out.push(INDENT + row.label);
      out.push(...text.map((l) => pad + l));
      continue;
    }
    const first = INDENT + row.label.padEnd(labelWidth) + GAP;
    out.push((first + (text[0] ?? "")).trimEnd());
    out.push(...text.slice(1).map((l) => pad + l));
  }
  return out;
}

function valueOf(flag: FlagShape): string {
  if (flag.boolean) return "";
  if (flag.choices.length > 0) return ` <${flag.choices.join("|")}>`;
  if (flag.type === "number") return " <n>";
  return flag.type === "array" ? " <value>..." : " <value>";
}

function flagRow(flag: FlagShape): Row {
  const short = flag.aliases.filter((a) => a.length === 1);
  const long = [flag.name, ...flag.aliases.filter((a) => a.length > 1)];
  const shortPart = short.length > 0 ? `${short.map((a) => `-${a}`).join(", ")}, ` : "    ";
  return { label: `${shortPart}${long.map((n) => `--${n}`).join(", ")}${valueOf(flag)}`, text: flag.describe };
}

/** Each example's command on a line of its own (never wrapped, so it pastes whole), its description below. */
function examples(list: readonly ExampleShape[], width: number): string[] {
  return list.flatMap((e) => [INDENT + e.command, ...paragraph(e.description, width, INDENT + INDENT)]);
}

function section(title: string, lines: readonly string[]): string[] {
  return lines.length === 0 ? [] : ["", `${title}:`, ...lines];
}

export interface HelpPage {
  /** `secrets encrypt [file]` */
  readonly usage: string;
  readonly describe: string;
  readonly commands: readonly Row[];
  readonly arguments: readonly Row[];
  readonly options: readonly FlagShape[];
  readonly examples: readonly ExampleShape[];
}

/** The page for one command: its own and the global flags, its arguments, subcommands and examples. */
export function commandPage(shape: CommandShape, globalFlags: readonly FlagShape[]): HelpPage {
  const words = shape.usage.trim().split(/\s+/).slice(1);
  const usage = ["secrets", ...shape.path, ...words].join(" ");
  const commands = shape.subcommands.map((s) => {
    const aliases = s.names.slice(1);
    return { label: s.usage, text: aliases.length > 0 ? `${s.describe} (also: ${aliases.join(", ")})` : s.describe };
  });
  return {
    usage: `${usage} [options]`,
    describe: shape.describe,
    commands,
    arguments: shape.arguments.map((a) => ({ label: a.name, text: a.describe })),
    options: [...shape.flags, ...globalFlags],
    examples: shape.examples,
  };
}

/** `Usage: …`, its continuation lines indented under the command. */
function usageLines(usage: string, width: number): string[] {
  const head = "Usage: ";
  const lines = wrapWords(usage, width - head.length);
  return lines.map((l, i) => (i === 0 ? head : " ".repeat(head.length)) + l);
}

/** The help text of `page`, laid out `width` characters wide. */
export function renderHelp(page: HelpPage, width: number): string {
  const lines = [
    ...usageLines(page.usage, width),
    "",
    ...paragraph(page.describe, width),
    ...section("Commands", table(page.commands, width)),
    ...section("Arguments", table(page.arguments, width)),
    ...section("Options", table(page.options.map(flagRow), width)),
    ...section("Examples", examples(page.examples, width)),
  ];
  return `${lines.join("\n")}\n`;
}

const TOP_DESCRIBE = "Keep secrets in git as encrypted YAML, JSON, .env and INI files (sops-compatible).";
const TOP_EXAMPLES: readonly ExampleShape[] = [
  { command: "secrets keygen -o keys.txt", description: "make an age identity and print its recipient" },
  { command: "secrets encrypt -i secrets.yaml", description: "encrypt a file in place for the recipients .sops.yaml names" },
  { command: "secrets help encrypt", description: "the options and examples of one command (the same as `secrets encrypt --help`)" },
];

/** The page of `secrets` itself: every command, the options of `secrets` alone, and a few first steps. */
export function topLevelPage(commands: readonly { usage: string; describe: string }[], flags: readonly FlagShape[]): HelpPage {
  return {
    usage: "secrets <command> [options]",
    describe: TOP_DESCRIBE,
    commands: commands.map((c) => ({ label: c.usage, text: c.describe })),
    arguments: [],
    options: flags,
    examples: TOP_EXAMPLES,
  };
}
