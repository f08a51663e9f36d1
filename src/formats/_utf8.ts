/**
 * Owns: decoding plaintext input as strict UTF-8. An invalid byte is an error naming its line and column,
 * never a silent U+FFFD: a secret must come back exactly as it went in.
 */
import { SealError } from "../errors.js";

const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const lenient = new TextDecoder("utf-8", { ignoreBOM: true });

/**
 * Decodes `src`; a leading BOM is dropped unless `keepBom`.
 * @throws SealError BAD_SYNTAX naming the line and column (in characters) of the first invalid byte.
 */
export function decodeUtf8Strict(src: Uint8Array, format: string, options: { keepBom?: boolean } = {}): string {
  let text: string;
  try {
    text = strict.decode(src);
  } catch {
    const at = firstInvalidByte(src);
    let lineStart = 0;
    let line = 1;
    for (let i = 0; i < at; i++) {
      if (src[i] === 10) {
        line++;
        lineStart = i + 1;
      }
    }
    const column = [...lenient.decode(src.subarray(lineStart, at))].length + 1;
    throw new SealError("BAD_SYNTAX", `${format} input is not valid UTF-8 at line ${line}, column ${column}`, {
      hint: "save the file as UTF-8; to keep arbitrary bytes, encrypt the file whole with --input-type binary",
      details: { line, column },
    });
  }
  return !options.keepBom && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** The offset of the first byte that does not start or continue a well-formed UTF-8 sequence (RFC 3629). */
function firstInvalidByte(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c < 0x80) n = 0;
    else if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      if (c === 0xe0) lo = 0xa0; // no overlong forms
      if (c === 0xed) hi = 0x9f; // no surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      if (c === 0xf0) lo = 0x90;
      if (c === 0xf4) hi = 0x8f; // nothing above U+10FFFF
    } else return i;
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || d < (k === 1 ? lo : 0x80) || d > (k === 1 ? hi : 0xbf)) return i;
    }
    i += n + 1;
  }
  return b.length;
}
