/**
 * Owns: writing document bytes straight to descriptor 1. Building `process.stdout` loads Node's stream
 * code (and its socket code for a pipe), some milliseconds on every `decrypt` and textconv; a write to the
 * descriptor needs none of it.
 */
import { writeSync } from "node:fs";
import type { Writable } from "node:stream";
import type { ByteSink } from "./context.js";

export interface StdoutSinkOptions {
  /** The descriptor written to: 1, except in tests. */
  readonly fd?: number;
  /** The stream for descriptor 1 and whether it has been built; once it has, every write goes through it, in order. */
  readonly stream: () => Writable;
  readonly streamBuilt: () => boolean;
  /** Told of a failed write's code (EPIPE: the reader went away). */
  readonly failed: (code: string) => void;
}

/**
 * Writes synchronously to descriptor 1 until it would block (a non-blocking pipe that is full); from then
 * on, and whenever `process.stdout` already exists, bytes go through the stream, which waits for the reader.
 */
export function stdoutSink(options: StdoutSinkOptions): ByteSink {
  const fd = options.fd ?? 1;
  let viaStream = false;
  return {
    write(data, done) {
      viaStream ||= options.streamBuilt();
      let written = 0;
      if (!viaStream) {
        try {
          while (written < data.length) written += writeSync(fd, data, written, data.length - written);
          done(null);
          return;
        } catch (e) {
          const code = (e as { code?: unknown } | null)?.code;
          if (code !== "EAGAIN") {
            options.failed(typeof code === "string" ? code : "write failed");
            done(e as Error);
            return;
          }
          viaStream = true;
        }
      }
      options.stream().write(data.subarray(written), done);
    },
  };
}
