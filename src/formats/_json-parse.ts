/**
 * Owns: a small JSON parser that keeps what `JSON.parse` loses for sops: key order (also for integer-like
 * keys), duplicate keys, int versus float, and 64-bit integers. Grammar: RFC 8259.
 * Numbers follow sops 3.13.2: an integer literal in int64 range is `int`, every other number `float`.
 * In strict mode (plaintext about to be encrypted) what sops would change quietly is refused instead: a
 * lone surrogate escape (Go reads U+FFFD) and an integer beyond int64 that its nearest float64 would not
 * write back digit for digit.
 */
import { SealError } from "../errors.js";
import { goJsonFloat } from "./_json-emit.js";
import type { MapEntry, Node, TreeList, TreeMap } from "../tree/index.js";
import { MAX_DEPTH } from "./limits.js";

const NESTING_TOO_DEEP = `nesting is deeper than ${MAX_DEPTH} levels`;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Position-only syntax error: the message never quotes the source text. */
class JsonSyntax extends Error {
  readonly pos: number;
  /** Set for valid JSON that cannot be kept exactly (strict mode), with what to do about it. */
  readonly hint: string | undefined;
  constructor(pos: number, reason: string, hint?: string) {
    super(reason);
    this.pos = pos;
    this.hint = hint;
  }
}

function lineColumn(src: string, pos: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < pos && i < src.length; i++) {
    if (src.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: pos - lineStart + 1 };
}

const ESCAPES: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };

class Parser {
  readonly src: string;
  readonly strict: boolean;
  pos = 0;
  constructor(src: string, strict: boolean) {
    this.src = src;
    this.strict = strict;
  }

  ws(): void {
    const s = this.src;
    let p = this.pos;
    for (;;) {
      const c = s.charCodeAt(p);
      if (c === 32 || c === 10 || c === 13 || c === 9) p++;
      else break;
    }
    this.pos = p;
  }

  fail(reason: string, pos = this.pos): never {
    throw new JsonSyntax(pos, reason);
  }

  expectEnd(what: string): never {
    if (this.pos >= this.src.length) this.fail("unexpected end of input");
    this.fail(`expected ${what}`);
  }

  value(depth: number): Node {
    this.ws();
    const c = this.src.charCodeAt(this.pos);
    switch (c) {
      case 123: // {
        return this.object(depth + 1);
      case 91: // [
        return this.array(depth + 1);
      case 34: // "
        return { kind: "str", value: this.string() };
      case 116: // t
        return this.literal("true", { kind: "bool", value: true });
      case 102: // f
        return this.literal("false", { kind: "bool", value: false });
      case 110: // n
        return this.literal("null", { kind: "null" });
      default:
        if (c === 45 || (c >= 48 && c <= 57)) return this.number();
        return this.expectEnd("a value");
    }
  }

  literal(word: string, node: Node): Node {
    if (!this.src.startsWith(word, this.pos)) this.fail("invalid literal");
    this.pos += word.length;
    return node;
  }

  object(depth: number): TreeMap {
    if (depth > MAX_DEPTH) this.fail(NESTING_TOO_DEEP);
    this.pos++; // {
    const items: MapEntry[] = [];
    this.ws();
    if (this.src.charCodeAt(this.pos) === 125) {
      this.pos++;
      return { kind: "map", items };
    }
    for (;;) {
      this.ws();
      if (this.src.charCodeAt(this.pos) !== 34) this.expectEnd("a string key");
      const key = this.string();
      this.ws();
      if (this.src.charCodeAt(this.pos) !== 58) this.expectEnd("':' after object key");
      this.pos++;
      items.push({ kind: "entry", key, value: this.value(depth) });
      this.ws();
      const c = this.src.charCodeAt(this.pos);
      if (c === 44) {
        this.pos++;
        continue;
      }
      if (c === 125) {
        this.pos++;
        return { kind: "map", items };
      }
      this.expectEnd("',' or '}'");
    }
  }

  array(depth: number): TreeList {
    if (depth > MAX_DEPTH) this.fail(NESTING_TOO_DEEP);
    this.pos++; // [
    const items: Node[] = [];
    this.ws();
    if (this.src.charCodeAt(this.pos) === 93) {
      this.pos++;
      return { kind: "list", items };
    }
    for (;;) {
      items.push(this.value(depth));
      this.ws();
      const c = this.src.charCodeAt(this.pos);
      if (c === 44) {
        this.pos++;
        continue;
      }
      if (c === 93) {
        this.pos++;
        return { kind: "list", items };
      }
      this.expectEnd("',' or ']'");
    }
  }

  string(): string {
    const s = this.src;
    const start = ++this.pos;
    let p = start;
    // Fast path: no escapes.
    for (;;) {
      const c = s.charCodeAt(p);
      if (c === 34) {
        this.pos = p + 1;
        return s.slice(start, p);
      }
      if (c === 92 || c < 32 || Number.isNaN(c)) break;
      p++;
    }
    let out = s.slice(start, p);
    for (;;) {
      if (p >= s.length) this.fail("unterminated string", start - 1);
      const c = s.charCodeAt(p);
      if (c === 34) {
        this.pos = p + 1;
        return out;
      }
      if (c < 32) this.fail("control character in string", p);
      if (c !== 92) {
        let q = p + 1;
        for (let d = s.charCodeAt(q); d !== 34 && d !== 92 && d >= 32; d = s.charCodeAt(q)) q++;
        out += s.slice(p, q);
        p = q;
        continue;
      }
      const e = s[p + 1];
      if (e === "u") {
        const unit = this.hex4(p + 2);
        p += 6;
        if (unit >= 0xd800 && unit < 0xdc00 && s[p] === "\\" && s[p + 1] === "u") {
          const low = this.hex4(p + 2);
          if (low >= 0xdc00 && low < 0xe000) {
            out += String.fromCharCode(unit, low);
            p += 6;
            continue;
          }
        }
        // A lone surrogate becomes U+FFFD, as Go's decoder does; plaintext about to be encrypted refuses it.
        if (this.strict && unit >= 0xd800 && unit < 0xe000) {
          throw new JsonSyntax(p - 6, "a \\u escape of a lone surrogate is not a character and cannot be kept", "write the character itself, or a complete \\uD8xx\\uDCxx pair");
        }
        out += unit >= 0xd800 && unit < 0xe000 ? "\ufffd" : String.fromCharCode(unit);
        continue;
      }
      const r = e === undefined ? undefined : ESCAPES[e];
      if (r === undefined) this.fail(e === undefined ? "unterminated string" : "invalid escape in string", p);
      out += r;
      p += 2;
    }
  }

  hex4(at: number): number {
    const h = this.src.slice(at, at + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(h)) this.fail("invalid \\u escape in string", at - 2);
    return parseInt(h, 16);
  }

  number(): Node {
    const s = this.src;
    const start = this.pos;
    let p = start;
    if (s.charCodeAt(p) === 45) p++;
    const d0 = s.charCodeAt(p);
    if (d0 === 48) p++;
    else if (d0 >= 49 && d0 <= 57) {
      while (isDigit(s.charCodeAt(p))) p++;
    } else this.fail("invalid number", start);
    let integral = true;
    if (s.charCodeAt(p) === 46) {
      integral = false;
      p++;
      if (!isDigit(s.charCodeAt(p))) this.fail("invalid number", start);
      while (isDigit(s.charCodeAt(p))) p++;
    }
    const ec = s.charCodeAt(p);
    if (ec === 101 || ec === 69) {
      integral = false;
      p++;
      const sc = s.charCodeAt(p);
      if (sc === 43 || sc === 45) p++;
      if (!isDigit(s.charCodeAt(p))) this.fail("invalid number", start);
      while (isDigit(s.charCodeAt(p))) p++;
    }
    this.pos = p;
    const text = s.slice(start, p);
    if (integral) {
      const big = BigInt(text);
      if (big >= INT64_MIN && big <= INT64_MAX) return { kind: "int", value: big };
    }
    const f = Number(text);
    // Go's strconv.ParseFloat refuses values beyond float64, and sops with it.
    if (!Number.isFinite(f)) this.fail("number out of range", start);
    // Beyond int64 sops reads an integer as a float64; keep it only if that float writes back as the same text.
    if (integral && this.strict && goJsonFloat(f, "") !== text) {
      throw new JsonSyntax(start, "integer beyond the 64-bit range cannot be kept exactly (sops would round it to a float)", "quote it (\"…\") to keep its exact digits as a string");
    }
    return { kind: "float", value: f };
  }
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function describe(n: Node): string {
  if (n.kind === "list") return "an array";
  if (n.kind === "str") return "a string";
  if (n.kind === "null") return "null";
  if (n.kind === "bool") return "a boolean";
  return "a number";
}

/**
 * Parses a JSON document whose top level must be an object. `strict` refuses what could not be kept exactly.
 * @throws SealError BAD_SYNTAX with line and column (never the offending text), or when the top level is
 * not an object.
 */
export function parseJsonObject(src: string, options: { strict?: boolean } = {}): TreeMap {
  const p = new Parser(src, options.strict === true);
  try {
    const root = p.value(0);
    p.ws();
    if (p.pos < src.length) p.fail("unexpected content after the top-level value");
    if (root.kind !== "map") {
      throw new SealError("BAD_SYNTAX", `JSON file must have a top-level object, not ${describe(root)}`, {
        hint: 'wrap the content in an object, e.g. {"data": [...]}',
      });
    }
    return root;
  } catch (e) {
    if (e instanceof JsonSyntax) {
      const { line, column } = lineColumn(src, e.pos);
      if (e.hint !== undefined) {
        throw new SealError("BAD_SYNTAX", `JSON value at line ${line}, column ${column}: ${e.message}`, { hint: e.hint, details: { line, column } });
      }
      throw new SealError("BAD_SYNTAX", `JSON syntax error at line ${line}, column ${column}: ${e.message}`, {
        hint: e.message === NESTING_TOO_DEEP
          ? `sealfile reads documents nested at most ${MAX_DEPTH} levels deep; flatten the structure`
          : "fix the JSON at that position, or pass --input-type if the file is in another format",
        details: { line, column },
      });
    }
    if (e instanceof RangeError) {
      throw new SealError("BAD_SYNTAX", "JSON document is nested too deeply", { hint: "flatten the structure" });
    }
    throw e;
  }
}
