/**
 * Owns: turning a file's bytes into the text the detectors read. UTF-8 is read as is; UTF-16 and UTF-32 (LE or
 * BE, with or without a byte-order mark, told apart by where the NUL bytes of mostly-ASCII text fall) are
 * decoded; text with stray NULs is read without them; anything else is binary, of which only the printable
 * ASCII runs of 8 or more characters are kept, at their byte offsets (as `strings -n 8` shows them).
 */

export type TextKind = "utf8" | "utf16le" | "utf16be" | "utf32le" | "utf32be" | "nul-text" | "binary";

export interface DecodedText {
  readonly kind: TextKind;
  readonly text: string;
}

/** How much of a file with NULs is sampled to tell UTF-16/32 text, NUL-sprinkled text and binary apart. */
const SAMPLE_BYTES = 65536;
/** Shortest printable run kept from binary content: every token format is longer, most noise is shorter. */
const MIN_BINARY_RUN = 8;
/** Share of control bytes (other than NUL and whitespace) above which content is binary, not text. */
const MAX_TEXT_CONTROL_SHARE = 0.02;

const SPACE = 0x20;

function bomKind(b: Buffer): { kind: TextKind; length: number } | null {
  if (b[0] === 0xff && b[1] === 0xfe) return b[2] === 0 && b[3] === 0 && b.length >= 4 ? { kind: "utf32le", length: 4 } : { kind: "utf16le", length: 2 };
  if (b[0] === 0xfe && b[1] === 0xff) return { kind: "utf16be", length: 2 };
  if (b[0] === 0 && b[1] === 0 && b[2] === 0xfe && b[3] === 0xff) return { kind: "utf32be", length: 4 };
  return null;
}

/**
 * Tells UTF-16/32 text from the NUL pattern of its (mostly ASCII) characters: in UTF-16LE "ab" is
 * `61 00 62 00`, so NULs fall on odd offsets and almost never on even ones; UTF-32 leaves three NULs of four.
 */
function sniffWideText(sample: Buffer): TextKind | null {
  const zeros = [0, 0, 0, 0];
  const len = sample.length - (sample.length % 4);
  for (let i = 0; i < len; i++) if (sample[i] === 0) zeros[i & 3]++;
  const [z0 = 0, z1 = 0, z2 = 0, z3 = 0] = zeros;
  const quads = len / 4;
  if (quads === 0) return null;
  if (z2 >= 0.9 * quads && z3 >= 0.9 * quads && z0 <= 0.1 * quads) return "utf32le";
  if (z0 >= 0.9 * quads && z1 >= 0.9 * quads && z3 <= 0.1 * quads) return "utf32be";
  const pairs = quads * 2;
  const odd = z1 + z3;
  const even = z0 + z2;
  if (odd >= 0.25 * pairs && even <= 0.1 * odd) return "utf16le";
  if (even >= 0.25 * pairs && odd <= 0.1 * even) return "utf16be";
  return null;
}

function isControl(byte: number): boolean {
  return byte < SPACE && byte !== 0 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0b && byte !== 0x0c && byte !== 0x0d && byte !== 0x1b;
}

function looksLikeText(sample: Buffer): boolean {
  let controls = 0;
  for (const byte of sample) if (isControl(byte) || byte === 0x7f) controls++;
  return controls <= MAX_TEXT_CONTROL_SHARE * sample.length;
}

function decodeUtf16(b: Buffer, kind: "utf16le" | "utf16be"): string {
  const even = b.subarray(0, b.length - (b.length % 2));
  return kind === "utf16le" ? even.toString("utf16le") : Buffer.from(even).swap16().toString("utf16le");
}

function decodeUtf32(b: Buffer, kind: "utf32le" | "utf32be"): string {
  const parts: string[] = [];
  const points: number[] = [];
  for (let i = 0; i + 4 <= b.length; i += 4) {
    const cp = kind === "utf32le" ? b.readUInt32LE(i) : b.readUInt32BE(i);
    points.push(cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ? 0xfffd : cp);
    if (points.length === 8192) parts.push(String.fromCodePoint(...points.splice(0)));
  }
  parts.push(String.fromCodePoint(...points));
  return parts.join("");
}

/**
 * Binary content as `strings` sees it: printable ASCII runs of `MIN_BINARY_RUN`+ characters kept in place,
 * every other byte a space (newlines kept), so offsets are byte offsets and lines are newline-separated.
 */
function printableRuns(b: Buffer): string {
  const out = Buffer.allocUnsafe(b.length);
  let runStart = 0;
  const endRun = (end: number): void => {
    if (end - runStart < MIN_BINARY_RUN) out.fill(SPACE, runStart, end);
  };
  for (let i = 0; i < b.length; i++) {
    const byte = b[i] ?? 0;
    if ((byte >= SPACE && byte < 0x7f) || byte === 0x09) {
      out[i] = byte;
      continue;
    }
    endRun(i);
    out[i] = byte === 0x0a ? 0x0a : SPACE;
    runStart = i + 1;
  }
  endRun(b.length);
  return out.toString("latin1");
}

/** The text to scan for `bytes`, and what kind of content it was. */
export function decodeForScan(bytes: Uint8Array): DecodedText {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bom = bomKind(b);
  if (bom !== null) {
    const body = b.subarray(bom.length);
    const text = bom.kind === "utf16le" || bom.kind === "utf16be" ? decodeUtf16(body, bom.kind) : decodeUtf32(body, bom.kind as "utf32le" | "utf32be");
    return { kind: bom.kind, text };
  }
  if (!b.includes(0)) return { kind: "utf8", text: b.toString("utf8") };
  const sample = b.subarray(0, SAMPLE_BYTES);
  const wide = sniffWideText(sample);
  if (wide === "utf16le" || wide === "utf16be") return { kind: wide, text: decodeUtf16(b, wide) };
  if (wide === "utf32le" || wide === "utf32be") return { kind: wide, text: decodeUtf32(b, wide) };
  if (looksLikeText(sample)) return { kind: "nul-text", text: b.toString("utf8").replaceAll("\0", "") };
  return { kind: "binary", text: printableRuns(b) };
}
