/**
 * Owns: tree → YAML text in go-yaml v3's block layout (what sops writes: indent N, sequences indented under
 * their key, `- ` items whose maps continue at dash+2, quoting only where needed), except that lines are never
 * folded, floats keep a `.0` so they stay floats, and strings that would re-read as other types are quoted.
 */
import { SealError } from "../errors.js";
import type { Comment, MapEntry, Node, Scalar, TreeList, TreeMap } from "../tree/index.js";
import { needsTypeQuotes, resolvePlain } from "./_yaml-scalar.js";

/** Longest key written as an implicit (`key: value`) key; YAML readers refuse longer ones. */
const MAX_IMPLICIT_KEY = 1024;

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });
const BINARY_LINE = 70;

/** A scalar's text; `block` asks for a literal block with that chomping, `tag` goes before it. */
interface ScalarText {
  text: string;
  block?: "strip" | "clip" | "keep";
  tag?: string;
}

export class YamlEmitter {
  readonly indent: number;
  private lines: string[] = [];

  constructor(indent: number) {
    if (!Number.isInteger(indent) || indent < 1 || indent > 9) {
      throw new SealError("CANNOT_EMIT", `YAML indent must be between 1 and 9, got ${indent}`);
    }
    this.indent = indent;
  }

  /** One YAML document holding a map (empty map → `{}`; only comments → just the comments). */
  document(m: TreeMap): string {
    this.lines = [];
    if (!m.items.some((i) => i.kind === "entry")) {
      for (const c of m.items) this.commentLines(c as Comment, 0);
      if (this.lines.length === 0 || m.items.length === 0) this.lines.push("{}");
    } else {
      this.mapBody(m, 0);
    }
    return this.lines.join("\n") + "\n";
  }

  /** A value on its own: maps and lists as documents, scalars as their YAML text. */
  value(n: Node): string {
    if (n.kind === "map") return this.document(n);
    this.lines = [];
    if (n.kind === "list") {
      if (!n.items.some((i) => i.kind !== "comment")) this.lines.push("[]");
      else this.listBody(n, 0);
    } else {
      const s = this.scalar(n, false);
      if (s.block) this.blockLines(s.tag ?? "", s.text, s.block, this.indent, 0);
      else this.lines.push(s.text);
    }
    return this.lines.join("\n") + "\n";
  }

  private commentLines(c: Comment, col: number): void {
    const pad = " ".repeat(col);
    for (const part of c.text.split("\n")) this.lines.push(pad + "#" + part);
  }

  private inlineComment(c: Comment, lineIdx: number, col: number): void {
    if (lineIdx < 0) return this.commentLines(c, col);
    this.lines[lineIdx] += " #" + c.text.replaceAll("\n", " ");
  }

  /** Where a nested block starts under a node at `col` (go-yaml: the next multiple of the indent). */
  private nested(col: number): number {
    return this.indent * Math.floor((col + this.indent) / this.indent);
  }

  private mapBody(m: TreeMap, col: number): void {
    const pad = " ".repeat(col);
    let entryLine = -1;
    for (const it of m.items) {
      if (it.kind === "comment") {
        if (it.inline) this.inlineComment(it, entryLine, col);
        else this.commentLines(it, col);
        continue;
      }
      entryLine = this.lines.length;
      this.entry(it, pad, col);
    }
  }

  private entry(e: MapEntry, pad: string, col: number): void {
    const key = this.scalar({ kind: "str", value: e.key }, true).text;
    let head: string;
    if (key.length > MAX_IMPLICIT_KEY) {
      this.lines.push(pad + "? " + key);
      head = pad + ":";
    } else {
      head = pad + key + ":";
    }
    const v = e.value;
    if (v.kind === "map") {
      if (!v.items.some((i) => i.kind === "entry")) return this.emptyWithComments(head + " {}", v.items, this.nested(col));
      this.lines.push(head);
      this.mapBody(v, this.nested(col));
    } else if (v.kind === "list") {
      if (!v.items.some((i) => i.kind !== "comment")) return this.emptyWithComments(head + " []", v.items, this.nested(col));
      this.lines.push(head);
      this.listBody(v, this.nested(col));
    } else {
      const s = this.scalar(v, false);
      if (s.block) this.blockLines(head + " " + (s.tag ?? ""), s.text, s.block, this.nested(col), col);
      else this.lines.push(head + " " + s.text);
    }
  }

  /** An empty collection that still carries comments: `{}`/`[]`, then the comments beneath it. */
  private emptyWithComments(line: string, items: ReadonlyArray<Node | Comment | MapEntry>, col: number): void {
    const at = this.lines.length;
    this.lines.push(line);
    for (const c of items) {
      if (c.kind !== "comment") continue;
      if (c.inline) this.inlineComment(c, at, col);
      else this.commentLines(c, col);
    }
  }

  private listBody(l: TreeList, col: number): void {
    const pad = " ".repeat(col);
    let itemLine = -1;
    for (const it of l.items) {
      if (it.kind === "comment") {
        if (it.inline) this.inlineComment(it, itemLine, col);
        else this.commentLines(it, col);
        continue;
      }
      itemLine = this.lines.length;
      if (it.kind === "map" || it.kind === "list") {
        const hasContent = it.kind === "map" ? it.items.some((i) => i.kind === "entry") : it.items.some((i) => i.kind !== "comment");
        if (!hasContent) {
          this.emptyWithComments(pad + (it.kind === "map" ? "- {}" : "- []"), it.items, col + 2);
          continue;
        }
        const start = this.lines.length;
        if (it.kind === "map") this.mapBody(it, col + 2);
        else this.listBody(it, col + 2);
        // Comments before the first entry cannot sit between `- ` and the entry: they go above the dash.
        let first = start;
        while (first < this.lines.length && this.lines[first]!.charCodeAt(col + 2) === 35 /* # */) first++;
        if (first > start) {
          const hoisted = this.lines.splice(start, first - start).map((s) => pad + s.slice(col + 2));
          this.lines.splice(start, 0, ...hoisted);
          itemLine = start + hoisted.length;
        }
        this.lines[itemLine] = pad + "- " + this.lines[itemLine]!.slice(col + 2);
      } else {
        const s = this.scalar(it, false);
        if (s.block) this.blockLines(pad + "- " + (s.tag ?? ""), s.text, s.block, col + 2, col);
        else this.lines.push(pad + "- " + s.text);
      }
    }
  }

  /** A literal block scalar: `head|<hints>`, then the text indented at `contentCol`. */
  private blockLines(head: string, text: string, chomp: string, contentCol: number, parentCol: number): void {
    let hints = chomp === "clip" ? "" : chomp === "strip" ? "-" : "+";
    if (text.startsWith(" ")) hints = String(contentCol - parentCol) + hints;
    this.lines.push(head + "|" + hints);
    const body = chomp === "strip" ? text : text.slice(0, -1);
    const pad = " ".repeat(contentCol);
    for (const line of body.split("\n")) this.lines.push(line === "" ? "" : pad + line);
  }

  private scalar(s: Scalar, isKey: boolean): ScalarText {
    switch (s.kind) {
      case "str":
        return stringScalar(s.value, isKey);
      case "bytes":
        return bytesScalar(s.value, isKey);
      case "int":
        return { text: s.value.toString() };
      case "float":
        return { text: formatFloat(s.value) };
      case "bool":
        return { text: s.value ? "true" : "false" };
      case "null":
        return { text: "null" };
      case "time":
        return { text: s.value };
    }
  }
}

/**
 * Bytes that are text are written as text; others as go-yaml writes a non-UTF-8 Go string: `!!binary`
 * base64, on one line up to 70 characters, else as a literal block of 70-character lines.
 */
function bytesScalar(bytes: Uint8Array, isKey: boolean): ScalarText {
  try {
    return stringScalar(strictUtf8.decode(bytes), isKey);
  } catch {
    const b64 = Buffer.from(bytes).toString("base64");
    if (b64.length <= BINARY_LINE) return { text: "!!binary " + b64 };
    const lines: string[] = [];
    for (let i = 0; i < b64.length; i += BINARY_LINE) lines.push(b64.slice(i, i + BINARY_LINE));
    return { text: lines.join("\n") + "\n", block: "clip", tag: "!!binary " };
  }
}

/** A float that reads back as a float: integral values get `.0`, specials use YAML's spellings. */
export function formatFloat(v: number): string {
  if (Number.isNaN(v)) return ".nan";
  if (v === Infinity) return ".inf";
  if (v === -Infinity) return "-.inf";
  if (Object.is(v, -0)) return "-0.0";
  const s = String(v);
  return Number.isInteger(v) && !s.includes("e") ? s + ".0" : s;
}

export function isPrintable(c: number): boolean {
  return c === 0x0a || (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd && c !== 0xfeff) || c >= 0x10000;
}

interface Analysis {
  plain: boolean;
  single: boolean;
  block: boolean;
  multiline: boolean;
}

/** go-yaml's yaml_emitter_analyze_scalar, for block context (we never write flow collections with content). */
function analyze(v: string): Analysis {
  let indicators = v.startsWith("---") || v.startsWith("...");
  let special = false, tabs = false, breaks = false, spaceBreak = false, breakSpace = false;
  let prevSpace = false, prevBreak = false;
  const n = v.length;
  for (let i = 0; i < n; i++) {
    const c = v.codePointAt(i)!;
    if (c > 0xffff) i++;
    const next = v.charCodeAt(i + 1);
    const followedByBlank = i + 1 >= n || next === 32 || next === 9;
    if (i === 0) {
      if ("#,[]{}&*!|>'\"%@`".includes(v[0]!)) indicators = true;
      else if ((c === 63 || c === 58 || c === 45) && followedByBlank) indicators = true; // ? : -
    } else if (c === 58 && followedByBlank) indicators = true;
    else if (c === 35 && (v.charCodeAt(i - 1) === 32 || v.charCodeAt(i - 1) === 9)) indicators = true;
    if (c === 9) tabs = true;
    else if (c === 13 || c === 0x85 || c === 0x2028 || c === 0x2029 || !isPrintable(c)) special = true;
    if (c === 32) {
      if (prevBreak) breakSpace = true;
      prevSpace = true;
      prevBreak = false;
    } else if (c === 10) {
      breaks = true;
      if (prevSpace) spaceBreak = true;
      prevSpace = false;
      prevBreak = true;
    } else {
      prevSpace = prevBreak = false;
    }
  }
  const edge = v[0] === " " || v[0] === "\n" || v[n - 1] === " " || v[n - 1] === "\n";
  return {
    plain: !(edge || breakSpace || spaceBreak || tabs || special || breaks || indicators),
    single: !(breakSpace || spaceBreak || tabs || special || breaks),
    block: !(v[n - 1] === " " || spaceBreak || special),
    multiline: breaks,
  };
}

/** True when `v` written as a plain scalar in block context reads back as the same string. */
export function readsAsPlainString(v: string): boolean {
  return v !== "" && analyze(v).plain && resolvePlain(v).kind === "str";
}

/** True when `v` written as a plain scalar keeps its text (whatever type the text would resolve to). */
export function fitsPlain(v: string): boolean {
  return v !== "" && analyze(v).plain;
}

/** True when `v` can be written single-quoted on one line. */
export function fitsSingleQuotes(v: string): boolean {
  return analyze(v).single;
}

/** go-yaml's choice for a string: plain, single-quoted, double-quoted or (multi-line values) a literal block. */
function stringScalar(v: string, isKey: boolean): ScalarText {
  const a = analyze(v);
  if (a.multiline) {
    if (isKey || !a.block) return { text: doubleQuoted(v) };
    const block = !v.endsWith("\n") ? "strip" : v === "\n" || v.endsWith("\n\n") ? "keep" : "clip";
    return { text: v, block };
  }
  if (needsTypeQuotes(v)) return { text: doubleQuoted(v) };
  if (a.plain) return { text: v };
  if (a.single) return { text: "'" + v.replaceAll("'", "''") + "'" };
  return { text: doubleQuoted(v) };
}

const ESCAPES: Record<number, string> = {
  0x00: "\\0", 0x07: "\\a", 0x08: "\\b", 0x09: "\\t", 0x0a: "\\n", 0x0b: "\\v", 0x0c: "\\f", 0x0d: "\\r",
  0x1b: "\\e", 0x22: '\\"', 0x5c: "\\\\", 0x85: "\\N", 0xa0: "\\_", 0x2028: "\\L", 0x2029: "\\P",
};

/** A double-quoted scalar holding exactly `v` (escapes only where needed). */
export function doubleQuoted(v: string): string {
  let out = '"';
  for (const ch of v) {
    const c = ch.codePointAt(0)!;
    const esc = ESCAPES[c];
    if (esc !== undefined) out += esc;
    else if (!isPrintable(c) || c === 0xfeff) {
      const hex = c.toString(16).toUpperCase();
      out += c <= 0xff ? "\\x" + hex.padStart(2, "0") : c <= 0xffff ? "\\u" + hex.padStart(4, "0") : "\\U" + hex.padStart(8, "0");
    } else out += ch;
  }
  return out + '"';
}
