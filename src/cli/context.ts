/**
 * Owns: what a CLI command gets from the outside world, built once at the entry point, so commands and
 * the core below them never reach for process globals.
 */
import type { Readable, Writable } from "node:stream";

/** Where document bytes go; `done` is called once they are written (or could not be). */
export interface ByteSink {
  write(data: Uint8Array, done: (error?: Error | null) => void): unknown;
}

export interface CliContext {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdin: Readable;
  /** Reports asked for on stdout (doctor, status, JSON); every write is redacted (src/redact.ts). */
  readonly stdout: Writable;
  /** Diagnostics; every write is redacted (src/redact.ts). */
  readonly stderr: Writable;
  /**
   * The same stdout, unredacted, for the document bytes the user asked for (`decrypt`, `encrypt`, textconv):
   * a sealed file may rightly hold a private key, and its plaintext must come out byte for byte.
   */
  readonly payload: ByteSink;
  /** stdin and stderr are a terminal (prompts and progress bars may be shown). */
  readonly interactive: boolean;
  /** Sets the status the process exits with when the command returns normally (e.g. `exec`: the child's). */
  setExitCode(code: number): void;
}

/** Writes a diagnostic line to stderr (never stdout, which carries only what was asked for). */
export function warn(ctx: CliContext, line: string): void {
  ctx.stderr.write(`${line}\n`);
}
