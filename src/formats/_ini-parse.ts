/**
 * Owns: reading INI text the way gopkg.in/ini.v1 does with the options sops passes
 * (`AllowNonUniqueSections` only): `=`/`:` delimiters, trimmed keys and values, `"""…"""` and `` `…` ``
 * quoting (multi-line allowed), `"…"`/`'…'` stripped, inline `#`/`;` comments, `\` continuation lines,
 * `-` auto-numbered keys, a later duplicate key overwriting the value of the first.
 * In strict mode (plaintext about to be encrypted) what go-ini would drop quietly is refused instead: a
 * key repeated in one section, and text after a section header or after a closing `"""`/`` ` `` quote.
 */
import { SealError } from "../errors.js";

/** Go's unicode.IsSpace set. */
const SPACE = "\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const LEFT_SPACE = new RegExp(`^[${SPACE}]+`);
const RIGHT_SPACE = new RegExp(`[${SPACE}]+$`);

export const trimLeft = (s: string): string => s.replace(LEFT_SPACE, "");
export const trimSpace = (s: string): string => s.replace(LEFT_SPACE, "").replace(RIGHT_SPACE, "");

export interface IniKey {
  name: string;
  value: string;
  /** Raw comment lines before the key (markers kept), trimmed; "" when none. */
  comment: string;
}

export interface IniSection {
  name: string;
  /** Raw comment lines before the header (markers kept), trimmed; "" when none. */
  comment: string;
  keys: IniKey[];
}

export interface IniDocument {
  sections: IniSection[];
  /** Comment lines after the last key or header, which go-ini drops (we keep them). */
  trailingComment: string;
}

class Lines {
  readonly src: string;
  pos = 0;
  line = 0;
  eof = false;
  constructor(src: string) {
    this.src = src;
  }

  /** The next line with its `\n`, like Go's ReadBytes('\n'); "" once the input is used up. */
  next(): string {
    this.line++;
    const nl = this.src.indexOf("\n", this.pos);
    if (nl === -1) {
      const rest = this.src.slice(this.pos);
      this.pos = this.src.length;
      this.eof = true;
      return rest;
    }
    const s = this.src.slice(this.pos, nl + 1);
    this.pos = nl + 1;
    return s;
  }
}

function indexAny(s: string, chars: string): number {
  for (let i = 0; i < s.length; i++) if (chars.includes(s[i]!)) return i;
  return -1;
}

function hasSurroundedQuote(s: string, q: string): boolean {
  return s.length >= 2 && s[0] === q && s[s.length - 1] === q && s.indexOf(q, 1) === s.length - 1;
}

class IniParser {
  readonly lines: Lines;
  readonly strict: boolean;
  comment = "";
  constructor(src: string, strict: boolean) {
    this.lines = new Lines(src);
    this.strict = strict;
  }

  fail(reason: string, line = this.lines.line): never {
    throw new SealError("BAD_SYNTAX", `INI syntax error at line ${line}: ${reason}`, {
      hint: "fix the INI at that line, or pass --input-type if the file is in another format",
      details: { line },
    });
  }

  /** Valid for go-ini, but it would lose something there (strict mode only). */
  refuse(reason: string, line: number, column: number, hint: string): never {
    throw new SealError("BAD_SYNTAX", `INI at line ${line}, column ${column}: ${reason}`, { hint, details: { line, column } });
  }

  /** Text after a closing bracket or quote that is not a comment: go-ini drops it. */
  strayAfter(tail: string, column: number, what: string): void {
    const rest = trimLeft(tail);
    if (rest.length === 0 || rest[0] === "#" || rest[0] === ";") return;
    if (this.strict) this.refuse(`text after ${what} would be dropped`, this.lines.line, column + tail.length - rest.length, "remove it, or make it a comment with # or ;");
  }

  parse(): IniDocument {
    const sections: IniSection[] = [{ name: "DEFAULT", comment: "", keys: [] }];
    let section = sections[0]!;
    let index = new Map<string, IniKey>();
    let count = 1;
    while (!this.lines.eof) {
      const raw = this.lines.next();
      const line = trimLeft(raw);
      const indent = raw.length - line.length;
      if (line.length === 0) continue;
      const c = line[0];
      if (c === "#" || c === ";") {
        this.comment += line;
        continue;
      }
      if (c === "[") {
        const close = line.lastIndexOf("]");
        if (close === -1) this.fail("unclosed section header");
        const name = line.slice(1, close);
        if (name.length === 0) this.fail("empty section name");
        const after = line.slice(close + 1);
        this.strayAfter(after, indent + close + 2, "a section header");
        const at = indexAny(after, "#;");
        if (at !== -1) this.comment += after.slice(at);
        section = { name, comment: trimSpace(this.comment), keys: [] };
        sections.push(section);
        index = new Map();
        this.comment = "";
        count = 1;
        continue;
      }
      const start = this.lines.line;
      const [rawName, offset] = this.keyName(line);
      const name = rawName === "-" ? `#${count++}` : rawName;
      const value = this.value(line.slice(offset), start, indent + offset);
      const comment = trimSpace(this.comment);
      this.comment = "";
      const known = index.get(name);
      if (known && this.strict) {
        this.refuse(`key ${JSON.stringify(name)} is repeated in section ${JSON.stringify(section.name)}; only the last value would be kept`, start, indent + 1, "remove one of them, or rename it");
      }
      if (known) {
        known.value = value;
        known.comment = comment;
      } else {
        const key = { name, value, comment };
        index.set(name, key);
        section.keys.push(key);
      }
    }
    return { sections, trailingComment: trimSpace(this.comment) };
  }

  keyName(line: string): [string, number] {
    let quote = "";
    if (line[0] === '"') quote = line.length > 6 && line.startsWith('"""') ? '"""' : '"';
    else if (line[0] === "`") quote = "`";
    if (quote) {
      const start = quote.length;
      const pos = line.indexOf(quote, start);
      if (pos === -1) this.fail("missing closing quote of a key name");
      const i = indexAny(line.slice(pos + start), "=:");
      if (i < 0) this.fail("expected '=' or ':' after the key");
      return [trimSpace(line.slice(start, pos)), pos + i + start + 1];
    }
    const end = indexAny(line, "=:");
    if (end < 0) this.fail("expected 'key = value'");
    if (end === 0) this.fail("empty key name");
    return [trimSpace(line.slice(0, end)), end + 1];
  }

  /** `input` is the text after the delimiter, which sits at 0-based `offset` of the raw line. */
  value(input: string, start: number, offset: number): string {
    let line = trimLeft(input);
    if (line.length === 0) return "";
    let quote = "";
    if (line.length > 3 && line.startsWith('"""')) quote = '"""';
    else if (line[0] === "`") quote = "`";
    if (quote) {
      const rest = line.slice(quote.length);
      const pos = rest.lastIndexOf(quote);
      if (pos === -1) return this.multiline(rest, quote, start);
      const tailAt = input.length - line.length + quote.length + pos + quote.length;
      this.strayAfter(input.slice(tailAt).replace(/\r?\n$/, ""), offset + tailAt + 1, "a closing quote");
      return rest.slice(0, pos);
    }
    line = trimSpace(line);
    if (line.endsWith("\\")) return this.continuation(line.slice(0, -1));
    const at = indexAny(line, "#;");
    if (at > -1) {
      this.comment += line.slice(at);
      line = trimSpace(line.slice(0, at));
    }
    if (hasSurroundedQuote(line, "'") || hasSurroundedQuote(line, '"')) line = line.slice(1, -1);
    return line;
  }

  multiline(first: string, quote: string, start: number): string {
    let val = first;
    for (;;) {
      const next = this.lines.next();
      const pos = next.lastIndexOf(quote);
      if (pos > -1) {
        val += next.slice(0, pos);
        this.strayAfter(next.slice(pos + quote.length).replace(/\r?\n$/, ""), pos + quote.length + 1, "a closing quote");
        const tail = next.slice(pos);
        const at = indexAny(tail, "#;");
        if (at !== -1) this.comment += trimSpace(tail.slice(at));
        return val;
      }
      val += next;
      if (this.lines.eof) this.fail(`value opened with ${quote} is never closed`, start);
    }
  }

  continuation(first: string): string {
    let val = first;
    for (;;) {
      const next = trimSpace(this.lines.next());
      if (next.length === 0) return val;
      val += next;
      if (!val.endsWith("\\")) return val;
      val = val.slice(0, -1);
    }
  }
}

/**
 * Parses INI text into sections in file order (the implicit `DEFAULT` section first). `strict` refuses
 * what go-ini would drop quietly.
 * @throws SealError BAD_SYNTAX with the line number (never the line's text).
 */
export function parseIniText(src: string, options: { strict?: boolean } = {}): IniDocument {
  const text = src.charCodeAt(0) === 0xfeff ? src.slice(1) : src;
  return new IniParser(text, options.strict === true).parse();
}
