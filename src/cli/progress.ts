/**
 * Owns: reporting progress over many files — a one-line bar redrawn on stderr when it is a terminal, plain
 * lines (one per file) otherwise, so logs in CI stay readable.
 */
import type { CliContext } from "./context.js";
import { CLEAR_LINE } from "./visible-text.js";

const WIDTH = 28;

export class Progress {
  private readonly ctx: CliContext;
  private readonly total: number;
  private readonly bar: boolean;
  private drawn = false;

  constructor(ctx: CliContext, total: number) {
    this.ctx = ctx;
    this.total = total;
    this.bar = ctx.interactive && total > 1;
  }

  /** One file done: `line` is printed on its own line (always off the terminal; on it, only when `keep`). */
  tick(done: number, line: string, keep = false): void {
    if (!this.bar) {
      this.ctx.stderr.write(`${line}\n`);
      return;
    }
    // The erase sequence is a write of its own: every other write has its control characters shown as escapes.
    this.ctx.stderr.write(CLEAR_LINE);
    if (keep) {
      this.ctx.stderr.write(`${line}\n`);
      this.ctx.stderr.write(CLEAR_LINE);
    }
    const filled = Math.round((done / this.total) * WIDTH);
    this.ctx.stderr.write(`[${"#".repeat(filled)}${"-".repeat(WIDTH - filled)}] ${done}/${this.total}`);
    this.drawn = true;
  }

  finish(): void {
    if (this.drawn) this.ctx.stderr.write("\n");
    this.drawn = false;
  }
}
