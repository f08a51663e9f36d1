/**
 * Owns: the `--mask` output filter that replaces secret values with `***` in a byte stream.
 *
 * A guard against secrets leaking into logs by accident, NOT a security boundary: a child that wants to
 * reveal a value can encode, split or reverse it, or write it somewhere other than stdout/stderr.
 */
import type { Transform, TransformCallback } from "node:stream";
import { streams } from "../io/node-stream.lazy.js";

/** Values shorter than this (in characters) are left alone: masking `on` or `1` would garble output. */
export const MIN_MASK_LENGTH = 4;
/** What `exec --mask` hides, as `--help` says it. */
export const MASK_RULE =
  "values the file's rule encrypts that look like secrets: 8+ characters, not a number, boolean, host name or URL without credentials, and mixed characters or high entropy";
/** A secret is at least this long; shorter encrypted values (ports, `true`, short names) stay readable. */
export const MIN_SECRET_LENGTH = 8;
/** Bits per character above which a one-class value (all lower case, say) counts as random. */
const RANDOM_ENTROPY = 3.5;

/** Shannon entropy of the string's characters, in bits per character. */
function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) h -= (n / s.length) * Math.log2(n / s.length);
  return h;
}

/**
 * Whether an encrypted value is long or random enough to be a secret, so masking it helps more than it
 * garbles: `5432`, `true`, `db.internal`, `https://api.example.com` and `production` are not; a password,
 * a token, a passphrase with spaces and a URL with credentials are.
 */
export function worthMasking(value: string): boolean {
  const v = value.trim();
  if ([...v].length < MIN_SECRET_LENGTH) return false;
  if (/^(?:true|false|yes|no|on|off|null|none)$/i.test(v)) return false;
  if (/^[+-]?\d+(?:\.\d+)?(?:e[+-]?\d+)?$/i.test(v)) return false;
  if (/^[a-z0-9-]+(?:\.[a-z0-9-]+)+(?::\d+)?$/.test(v) && /[a-z]/.test(v)) return false; // host name
  if (/^[a-z][a-z0-9+.-]*:\/\/[^\s@]+$/i.test(v)) return false; // URL without user:password@
  const classes = (/[a-z]/.test(v) ? 1 : 0) + (/[A-Z]/.test(v) ? 1 : 0) + (/[0-9]/.test(v) ? 1 : 0) + (/[^A-Za-z0-9]/.test(v) ? 1 : 0);
  return classes >= 2 || entropy(v) >= RANDOM_ENTROPY;
}
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
  return new (streams().Transform)({
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
