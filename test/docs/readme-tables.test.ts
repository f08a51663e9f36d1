// Issue 18 item 7: the README's command table and exit-code tables, parsed from README.md at the repository
// root (the text may change; the tables are read, not copied here), checked against the CLI.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../helpers/cli.js";
import { runInProcess } from "../helpers/in-process.js";
import { COMMANDS } from "../../src/cli/commands/index.js";
import { ERROR_CODES } from "../../src/errors.js";

const README = readFileSync(join(ROOT, "README.md"), "utf8");

/** The text of the `## TITLE` section, up to the next `## ` heading. */
function section(title: string): string {
  const start = README.indexOf(`\n## ${title}\n`);
  expect(start, `README has a "## ${title}" section`).toBeGreaterThanOrEqual(0);
  const end = README.indexOf("\n## ", start + 1);
  return README.slice(start, end < 0 ? undefined : end);
}

/** The body rows of every Markdown table in `text`, as cells (`\|` kept as a literal bar). */
function tableRows(text: string): string[][] {
  const rows: string[][] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.startsWith("|") || !/^\|[\s:|-]+\|$/.test(lines[i + 1] ?? "")) continue;
    for (i += 2; i < lines.length && lines[i]!.startsWith("|"); i++) {
      rows.push(lines[i]!.replace(/\\\|/g, "\u0000").split("|").slice(1, -1).map((c) => c.replace(/\u0000/g, "|").trim()));
    }
  }
  return rows;
}

/** `git setup` / `set FILE PATH` → ["git setup", "set"]: each command (with a subcommand for git/hook) a row names. */
function commandsOf(cell: string): string[] {
  return [...cell.matchAll(/`([^`]+)`/g)].map((m) => {
    const words = m[1]!.split(/\s+/);
    return ["git", "hook"].includes(words[0]!) ? `${words[0]} ${words[1]}` : words[0]!;
  });
}

describe("issue 18 item 7: README tables against the CLI", () => {
  const commandRows = tableRows(section("Commands"));

  it("every command the Commands table names exists and has --help", async () => {
    const named = commandRows.flatMap((r) => commandsOf(r[0]!));
    expect(named.length).toBeGreaterThan(10);
    const failed: string[] = [];
    for (const cmd of named) {
      const r = await runInProcess([...cmd.split(" "), "--help"], { env: { HOME: "/nonexistent-home" } });
      if (r.code !== 0 || !r.stdout.includes(`secrets ${cmd}`)) failed.push(`${cmd}: exit ${r.code}`);
    }
    expect(failed).toEqual([]);
  });

  it("every command of the CLI has a row in the Commands table", () => {
    const named = new Set(commandRows.flatMap((r) => commandsOf(r[0]!)).map((c) => c.split(" ")[0]));
    expect(COMMANDS.map((c) => c.name).filter((n) => !named.has(n))).toEqual([]);
  });

  it("every error code the exit-code tables name exits with the status they give", () => {
    const rows = tableRows(section("Exit codes"));
    const checked: string[] = [];
    const wrong: string[] = [];
    for (const row of rows) {
      const codes = [...row.join(" ").matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!).filter((c) => c in ERROR_CODES);
      const exit = /^(\d+)\b/.exec(row[1] ?? "");
      if (codes.length === 0 || !exit) continue;
      for (const code of codes) {
        checked.push(code);
        const actual = ERROR_CODES[code as keyof typeof ERROR_CODES];
        if (actual !== Number(exit[1])) wrong.push(`${code}: README says ${exit[1]}, the CLI exits ${actual}`);
      }
    }
    expect(checked.length).toBeGreaterThan(5);
    expect(wrong).toEqual([]);
  });

  it("every exit status README's prose gives with an error code is that code's", () => {
    // "… (`CODE`) … exit N" or "exit N … (`CODE`)" within one sentence-sized stretch.
    const wrong: string[] = [];
    for (const m of README.matchAll(/`([A-Z][A-Z0-9_]{3,})`\)?[^.\n|]{0,40}?\bexit (\d+)|\bexit (\d+)[^.\n|]{0,20}?\(`([A-Z][A-Z0-9_]{3,})`\)/g)) {
      const code = m[1] ?? m[4]!;
      const exit = Number(m[2] ?? m[3]);
      if (!(code in ERROR_CODES)) continue;
      const actual = ERROR_CODES[code as keyof typeof ERROR_CODES];
      if (actual !== exit) wrong.push(`${code}: README says exit ${exit}, the CLI exits ${actual}`);
    }
    expect(wrong).toEqual([]);
  });
});
