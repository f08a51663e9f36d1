/**
 * Owns: zero-filling buffers that held data keys or plaintext. Best effort only: JavaScript strings are
 * immutable and the engine may have copied bytes elsewhere (GC moves, Buffer pools, decoded strings), so
 * this shortens the life of secrets in memory rather than guaranteeing their removal.
 */

/** Zero-fills every given buffer; `undefined`/`null` entries are skipped so `finally` blocks stay simple. */
export function wipe(...bufs: ReadonlyArray<Uint8Array | null | undefined>): void {
  for (const b of bufs) b?.fill(0);
}
