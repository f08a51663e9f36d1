/**
 * Owns: writing a tree as JSON byte-for-byte like sops: Go `json.Marshal` scalars (HTML-safe string
 * escaping, shortest floats) laid out as Go `json.Indent` does (`": "`, one element per line, empty `{}`/`[]`).
 */
import { SealError } from "../errors.js";
import type { Node, Scalar, TreeList, TreeMap } from "../tree/index.js";

const HEX = "0123456789abcdef";
// Characters Go's encoder escapes (HTML-safe mode): quote, backslash, controls, <, >, &, U+2028/9, surrogates.
const NEEDS_ESCAPE = /["\\\u0000-\u001f<>&\u2028\u2029\ud800-\udfff]/;

function escapeChar(c: number): string {
  switch (c) {
    case 0x22:
      return '\\"';
    case 0x5c:
      return "\\\\";
    case 0x0a:
      return "\\n";
    case 0x0d:
      return "\\r";
    case 0x09:
      return "\\t";
    case 0x08:
      return "\\b";
    case 0x0c:
      return "\\f";
    default:
      return "\\u" + HEX[(c >> 12) & 15] + HEX[(c >> 8) & 15] + HEX[(c >> 4) & 15] + HEX[c & 15];
  }
}

/** A JSON string literal as Go's `json.Marshal` writes it. */
export function goJsonString(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return '"' + s + '"';
  let out = '"';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c < 0xdc00) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) {
        i++;
        continue;
      }
    }
    const special =
      c < 0x20 || c === 0x22 || c === 0x5c || c === 0x3c || c === 0x3e || c === 0x26 || c === 0x2028 || c === 0x2029;
    const lone = c >= 0xd800 && c < 0xe000;
    if (!special && !lone) continue;
    out += s.slice(from, i) + (lone ? "\\ufffd" : escapeChar(c));
    from = i + 1;
  }
  return out + s.slice(from) + '"';
}

/**
 * Go-style UTF-8 decoding of raw bytes into a JSON string literal: each byte that does not start a valid
 * sequence becomes the escape `\ufffd`, exactly as `json.Marshal` treats an invalid Go string.
 */
export function goJsonStringFromBytes(b: Uint8Array): string {
  let out = '"';
  let i = 0;
  let text = "";
  const flush = (): void => {
    if (text) out += goJsonString(text).slice(1, -1);
    text = "";
  };
  while (i < b.length) {
    const [cp, size] = decodeRune(b, i);
    if (cp < 0) {
      flush();
      out += "\\ufffd";
    } else text += String.fromCodePoint(cp);
    i += size;
  }
  flush();
  return out + '"';
}

/** Go's utf8.DecodeRune: the code point and its length, or -1 and 1 for an invalid byte. */
function decodeRune(b: Uint8Array, i: number): [number, number] {
  const c0 = b[i]!;
  if (c0 < 0x80) return [c0, 1];
  const cont = (k: number): number => {
    const c = b[i + k];
    return c !== undefined && (c & 0xc0) === 0x80 ? c & 0x3f : -1;
  };
  if (c0 >= 0xc2 && c0 <= 0xdf) {
    const c1 = cont(1);
    return c1 < 0 ? [-1, 1] : [((c0 & 0x1f) << 6) | c1, 2];
  }
  if (c0 >= 0xe0 && c0 <= 0xef) {
    const c1 = cont(1);
    const c2 = cont(2);
    if (c1 < 0 || c2 < 0) return [-1, 1];
    const cp = ((c0 & 0x0f) << 12) | (c1 << 6) | c2;
    if (cp < 0x800 || (cp >= 0xd800 && cp < 0xe000)) return [-1, 1];
    return [cp, 3];
  }
  if (c0 >= 0xf0 && c0 <= 0xf4) {
    const c1 = cont(1);
    const c2 = cont(2);
    const c3 = cont(3);
    if (c1 < 0 || c2 < 0 || c3 < 0) return [-1, 1];
    const cp = ((c0 & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3;
    if (cp < 0x10000 || cp > 0x10ffff) return [-1, 1];
    return [cp, 4];
  }
  return [-1, 1];
}

/**
 * A float as Go's `json.Marshal` writes it: shortest digits, plain notation for 1e-6 ≤ |v| < 1e21 (so
 * `2.0` is written `2`), exponent form outside (`1e+21`, `1e-7`). JavaScript's own rendering is the same
 * rule, except for negative zero.
 * @throws SealError CANNOT_EMIT for NaN and ±Infinity, which JSON cannot hold.
 */
export function goJsonFloat(v: number, where: string): string {
  if (!Number.isFinite(v)) {
    throw new SealError("CANNOT_EMIT", `cannot write ${String(v)} as JSON${where ? ` at ${where}` : ""}`, {
      hint: "JSON has no NaN or Infinity; store the value as a string or use YAML",
    });
  }
  return Object.is(v, -0) ? "-0" : String(v);
}

/** The JSON text of one scalar. */
export function scalarJson(s: Scalar, where: string): string {
  switch (s.kind) {
    case "str":
      return goJsonString(s.value);
    case "int":
      return s.value.toString();
    case "float":
      return goJsonFloat(s.value, where);
    case "bool":
      return s.value ? "true" : "false";
    case "null":
      return "null";
    case "time":
      return goJsonString(s.value);
    case "bytes":
      return goJsonStringFromBytes(s.value);
  }
}

/** Go's `json.Indent` indentation: -1 = one tab per level, 0 = none (newlines kept), N = N spaces. */
export function indentUnit(indent: number | undefined): string {
  const n = indent ?? -1;
  if (n === -1) return "\t";
  if (!Number.isInteger(n) || n < -1) {
    throw new SealError("USAGE", `JSON indentation must be -1 (tab) or a whole number ≥ 0, got ${n}`);
  }
  return " ".repeat(n);
}

/** The key path of a value, built only when an error needs it. */
interface Where {
  readonly parent: Where | undefined;
  readonly key: string;
}

function pathOf(w: Where | undefined): string {
  const keys: string[] = [];
  for (let p = w; p; p = p.parent) keys.unshift(p.key);
  return keys.join(".");
}

class Writer {
  readonly unit: string;
  out = "";
  readonly pads: string[] = ["\n"];
  constructor(unit: string) {
    this.unit = unit;
  }

  newline(depth: number): string {
    let p = this.pads[depth];
    if (p === undefined) {
      p = "\n" + this.unit.repeat(depth);
      this.pads[depth] = p;
    }
    return p;
  }

  node(n: Node, depth: number, where: Where | undefined): void {
    if (n.kind === "map") this.map(n, depth, where);
    else if (n.kind === "list") this.list(n, depth, where);
    else if (n.kind === "float" && !Number.isFinite(n.value)) goJsonFloat(n.value, pathOf(where));
    else this.out += scalarJson(n, "");
  }

  map(m: TreeMap, depth: number, where: Where | undefined): void {
    let first = true;
    for (const it of m.items) {
      if (it.kind === "comment") continue;
      this.out += (first ? "{" : ",") + this.newline(depth + 1) + goJsonString(it.key) + ": ";
      first = false;
      this.node(it.value, depth + 1, { parent: where, key: it.key });
    }
    this.out += first ? "{}" : this.newline(depth) + "}";
  }

  list(l: TreeList, depth: number, where: Where | undefined): void {
    let first = true;
    for (const it of l.items) {
      if (it.kind === "comment") continue;
      this.out += (first ? "[" : ",") + this.newline(depth + 1);
      first = false;
      this.node(it, depth + 1, where);
    }
    this.out += first ? "[]" : this.newline(depth) + "]";
  }
}

/**
 * A node as indented JSON text (no trailing newline). Comments are skipped: JSON has none.
 * @throws SealError CANNOT_EMIT for NaN/Infinity floats.
 */
export function nodeToJson(n: Node, unit: string): string {
  const w = new Writer(unit);
  w.node(n, 0, undefined);
  return w.out;
}
