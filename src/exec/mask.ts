/**
 * Owns: the `--mask` output filter that replaces secret values with `***` in a byte stream.
 *
 * A guard against secrets leaking into logs by accident, NOT a security boundary: a child that wants to
 * reveal a value can encode, split or reverse it, or write it somewhere other than stdout/stderr.
 */
import { Transform, type TransformCallback } from "node:stream";

/** Values shorter than this (in characters) are left alone: masking `on` or `1` would garble output. */
export const MIN_MASK_LENGTH = 4;
const STARS = Buffer.from("***");
const EMPTY = Buffer.alloc(0);

/**
 * A Transform that copies bytes through, replacing each occurrence of any value of `secrets` (compared
 * as UTF-8 bytes, longest value first at each position) with `***`. Matches split across chunks are
 * found: up to (longest value − 1) bytes are held back until the next chunk or the end of the stream.
 */
export function createMaskStream(secrets: readonly string[]): Transform {
  const matcher = new Matcher(secrets);
  let held: Buffer = EMPTY;
  return new Transform({
    transform(chunk: Buffer | string, _enc: BufferEncoding, done: TransformCallback): void {
      const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
      const data = held.length > 0 ? Buffer.concat([held, bytes]) : bytes;
      const { out, rest } = matcher.scan(data, false);
      // Copy what is held back: the source may reuse its chunk buffer.
      held = rest.length > 0 ? Buffer.from(rest) : EMPTY;
      if (out.length > 0) this.push(out);
      done();
    },
    flush(done: TransformCallback): void {
      const { out } = matcher.scan(held, true);
      held = EMPTY;
      if (out.length > 0) this.push(out);
      done();
    },
  });
}

/** The masking of one whole buffer; what the stream produces for any chunking of the same bytes. */
export function maskBytes(data: Uint8Array, secrets: readonly string[]): Buffer {
  return new Matcher(secrets).scan(Buffer.from(data.buffer, data.byteOffset, data.byteLength), true).out;
}

class Matcher {
  /** Candidate values by their first byte, longest first. */
  private readonly byFirstByte = new Map<number, Buffer[]>();

  constructor(secrets: readonly string[]) {
    const unique = new Set(secrets.filter((s) => [...s].length >= MIN_MASK_LENGTH));
    const values = [...unique].map((s) => Buffer.from(s, "utf8")).sort((a, b) => b.length - a.length);
    for (const v of values) {
      const list = this.byFirstByte.get(v[0]!) ?? [];
      list.push(v);
      this.byFirstByte.set(v[0]!, list);
    }
  }

  /**
   * Masks `data`. Unless `final`, stops at the first position where a value could still begin but the
   * data ends before it can be decided, and returns the bytes from there as `rest`.
   */
  scan(data: Buffer, final: boolean): { out: Buffer; rest: Buffer } {
    if (this.byFirstByte.size === 0) return { out: data, rest: EMPTY };
    const parts: Buffer[] = [];
    let literalStart = 0;
    let i = 0;
    next: while (i < data.length) {
      const candidates = this.byFirstByte.get(data[i]!);
      if (candidates !== undefined) {
        const avail = data.length - i;
        for (const v of candidates) {
          if (avail >= v.length) {
            if (data.compare(v, 0, v.length, i, i + v.length) === 0) {
              parts.push(data.subarray(literalStart, i), STARS);
              i += v.length;
              literalStart = i;
              continue next;
            }
          } else if (!final && data.compare(v, 0, avail, i, data.length) === 0) {
            parts.push(data.subarray(literalStart, i));
            return { out: Buffer.concat(parts), rest: data.subarray(i) };
          }
        }
      }
      i++;
    }
    parts.push(data.subarray(literalStart));
    return { out: parts.length === 1 ? parts[0]! : Buffer.concat(parts), rest: EMPTY };
  }
}
