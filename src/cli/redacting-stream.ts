/**
 * Owns: the one place where sealfile's own output is redacted — a pass-through over stdout or stderr that
 * runs every write through a {@link Redactor} (src/redact.ts) before it reaches the terminal or a pipe, and
 * shows the control characters in it as escapes (src/cli/visible-text.ts).
 */
import type { Writable } from "node:stream";
import { streams } from "../io/node-stream.lazy.js";
import type { Redactor } from "../redact.js";
import { visibleText } from "./visible-text.js";

/**
 * A stream that writes each chunk to `inner` at once (so order with other writers to the same descriptor
 * is kept), redacted. Chunks are redacted one at a time: sealfile writes each message in one piece.
 */
export function redactingStream(inner: Writable, redact: Redactor): Writable {
  return new (streams().Writable)({
    decodeStrings: false,
    write(chunk: string | Uint8Array, encoding: BufferEncoding | "buffer", done: (e?: Error | null) => void) {
      const text = typeof chunk === "string" ? Buffer.from(chunk, encoding === "buffer" ? "utf8" : encoding).toString("utf8") : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString("utf8");
      const clean = visibleText(redact(text));
      // Bytes with nothing to blank go out as they came (no round trip through UTF-8).
      inner.write(clean === text && typeof chunk !== "string" ? chunk : clean, (e) => done(e ?? null));
    },
  });
}
