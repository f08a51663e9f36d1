/** Owns: reading an open descriptor (a file, a pipe or a socket) to its end under a byte cap applied as it goes. */
import { readSync } from "node:fs";

/**
 * The rest of `fd`, read into a buffer sized for `sizeHint` bytes and grown as needed; undefined when it
 * holds more than `cap` bytes (one byte past the cap is read to tell).
 */
export function readToEnd(fd: number, sizeHint: number, cap: number): Buffer | undefined {
  let buf = Buffer.allocUnsafe(Math.min(cap, Math.max(sizeHint, 64 * 1024)));
  let total = 0;
  for (;;) {
    if (total === buf.length) {
      if (total >= cap) return readSync(fd, Buffer.alloc(1), 0, 1, null) === 0 ? buf.subarray(0, total) : undefined;
      const grown = Buffer.allocUnsafe(Math.min(cap, buf.length * 2));
      buf.copy(grown, 0, 0, total);
      buf = grown;
    }
    const n = readSync(fd, buf, total, buf.length - total, null);
    if (n === 0) return buf.subarray(0, total);
    total += n;
  }
}
