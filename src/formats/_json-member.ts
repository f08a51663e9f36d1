/**
 * Owns: finding the byte range of one top-level string member (`{"data": "…"}`) in JSON text without
 * decoding the text, for a string too large to read twice. A lexer only: the caller has the reference
 * parser read everything else and confirm the range (binary.ts).
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isWs(c: number | undefined): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function skipWs(src: Uint8Array, p: number): number {
  while (isWs(src[p])) p++;
  return p;
}

/** The position just past the string starting at `p` (a quote), or -1 when it does not end. */
function skipString(src: Uint8Array, p: number): number {
  for (p++; p < src.length; p++) {
    const c = src[p];
    if (c === BACKSLASH) p++;
    else if (c === QUOTE) return p + 1;
  }
  return -1;
}

/** The position just past the value starting at `p`, or -1. */
function skipValue(src: Uint8Array, p: number): number {
  const c = src[p];
  if (c === QUOTE) return skipString(src, p);
  if (c === 0x7b || c === 0x5b) {
    let depth = 0;
    while (p < src.length) {
      const d = src[p];
      if (d === QUOTE) {
        p = skipString(src, p);
        if (p < 0) return -1;
        continue;
      }
      if (d === 0x7b || d === 0x5b) depth++;
      else if (d === 0x7d || d === 0x5d) depth--;
      p++;
      if (depth === 0) return p;
    }
    return -1;
  }
  while (p < src.length && !isWs(src[p]) && src[p] !== 0x2c && src[p] !== 0x7d && src[p] !== 0x5d) p++;
  return p;
}

/**
 * The range [start, end) of the characters of the top-level member `key`'s string value (between its
 * quotes), when that string holds only printable ASCII without escapes, so its bytes are its text.
 * `undefined` for anything else (not an object, no such member, another kind of value, escapes, …).
 */
export function topLevelStringRange(src: Uint8Array, key: string): { start: number; end: number } | undefined {
  let p = skipWs(src, 0);
  if (src[p] !== 0x7b) return undefined;
  p++;
  for (;;) {
    p = skipWs(src, p);
    if (src[p] !== QUOTE) return undefined;
    const keyEnd = skipString(src, p);
    if (keyEnd < 0) return undefined;
    let name: unknown;
    try {
      name = JSON.parse(Buffer.from(src.buffer, src.byteOffset + p, keyEnd - p).toString("utf8"));
    } catch {
      return undefined;
    }
    p = skipWs(src, keyEnd);
    if (src[p] !== 0x3a) return undefined;
    p = skipWs(src, p + 1);
    if (name === key) {
      if (src[p] !== QUOTE) return undefined;
      const start = p + 1;
      let end = start;
      for (; end < src.length; end++) {
        const c = src[end]!;
        if (c === QUOTE) return { start, end };
        if (c === BACKSLASH || c < 0x20 || c > 0x7e) return undefined;
      }
      return undefined;
    }
    p = skipValue(src, p);
    if (p < 0) return undefined;
    p = skipWs(src, p);
    if (src[p] !== 0x2c) return undefined;
    p++;
  }
}
