/** Owns: asking the person at the terminal — one line of input, and yes/no questions (default no). */
import { createInterface } from "node:readline";
import type { CliContext } from "./context.js";

/** Shows `question` on stderr and resolves with the line typed, or undefined at end of input. */
export function askLine(ctx: CliContext, question: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: ctx.stdin, output: ctx.stderr, terminal: false });
    let answered = false;
    rl.once("line", (line) => {
      answered = true;
      rl.close();
      resolve(line);
    });
    rl.once("close", () => {
      if (!answered) resolve(undefined);
    });
    ctx.stderr.write(question);
  });
}

/** A y/N question: true only for an answer starting with y. */
export async function confirm(ctx: CliContext, question: string): Promise<boolean> {
  const line = await askLine(ctx, `${question} [y/N] `);
  return line !== undefined && /^\s*y/i.test(line);
}
