/**
 * Owns: a fast line-based reader for the block-style YAML that sops and `secrets` write (block maps and
 * lists, one-line plain/quoted scalars, literal block scalars, comments, `---`, empty `{}`/`[]`).
 * It returns undefined the moment it meets anything else (flow collections, anchors, tags, folded or
 * multi-line scalars, tabs, CR…), and the caller falls back to the `yaml` package, whose result is the
 * reference: both readers must give the same tree wherever this one answers. Given a recorder, it also records
 * where each value, key and comment sits, as the library reader does, for one document that ends with a line
 * holding a value (for an encrypted file, in its `sops` block), without null values or, outside the `sops`
 * block, block scalars other than `|`/`|-` with no blank line; for anything else it gives up, and the library
 * reads the file. Both must then record the same layout (test/formats/yaml-roundtrip-property.test.ts).
 */
import { SealError } from "../errors.js";
import type { Comment, MapEntry, Node, Scalar, Tree, TreeList, TreeMap } from "../tree/index.js";
import { resolvePlain } from "./_yaml-scalar.js";
import type { ParseRecorder } from "./_yaml-parse.js";

class Bail extends Error {}

interface Pending {
  col: number;
  text: string;
  /** Offset of the `#` in the source. */
  at: number;
}

const DQ_ESCAPES: Record<string, string> = {
  "0": "\0", a: "\x07", b: "\b", t: "\t", "\t": "\t", n: "\n", v: "\v", f: "\f", r: "\r", e: "\x1b",
  " ": " ", '"': '"', "/": "/", "\\": "\\", N: "\x85", _: "\xa0", L: "\u2028", P: "\u2029",
};
const HEX_LEN: Record<string, number> = { x: 2, u: 4, U: 8 };
/** Characters that cannot start a plain scalar (YAML c-indicator), minus the ones handled separately. */
const BAD_PLAIN_START = new Set([..."#,[]{}&*!|>'\"%@`"]);

/**
 * Parses `src` if it stays within the fast subset (and, with a `recorder`, is a file as described above: an
 * encrypted one when `sealed`, else a plaintext one without a `sops` key); undefined otherwise, and then
 * `recorder` must be discarded. @throws SealError BAD_SYNTAX (duplicate key)
 */
export function parseFast(src: string, recorder?: ParseRecorder, sealed = true): Tree | undefined {
  if (src.includes("\t") || src.includes("\r") || src.charCodeAt(0) === 0xfeff) return undefined;
  try {
    const reader = new FastReader(src, recorder);
    const tree = reader.stream();
    if (recorder) reader.recordEnd(tree, sealed);
    return tree;
  } catch (e) {
    if (e instanceof Bail) return undefined;
    throw e;
  }
}

class FastReader {
  readonly lines: string[];
  i = 0;
  pending: Pending[] = [];

  /** The source ends with a line break (a block scalar running to the end keeps its final "\n" only then). */
  readonly finalBreak: boolean;
  readonly src: string;
  readonly recorder: ParseRecorder | undefined;
  /** Offset of each line's first character. */
  private readonly starts: number[];
  /** >0 while reading the value of the top-level `sops` entry, whose parts the layout does not use. */
  private inSops = 0;

  constructor(src: string, recorder?: ParseRecorder) {
    this.src = src;
    this.recorder = recorder;
    this.lines = src.split("\n");
    this.finalBreak = this.lines[this.lines.length - 1] === "";
    if (this.finalBreak) this.lines.pop();
    this.starts = new Array<number>(this.lines.length);
    let at = 0;
    for (let k = 0; k < this.lines.length; k++) {
      this.starts[k] = at;
      at += this.lines[k]!.length + 1;
    }
  }

  /** A comment built from the source, its origin recorded. */
  private commentAt(text: string, at: number, inline: boolean): Comment {
    const c: Comment = inline ? { kind: "comment", text, inline: true } : { kind: "comment", text };
    this.recorder?.origins.set(c, { t: "comment", s: at, e: at + 1 + text.length });
    return c;
  }

  /** A recording reader meets something it does not record as the library reader would. */
  private unrecorded(): void {
    if (this.recorder && this.inSops === 0) throw new Bail();
  }

  /**
   * With a recorder: the stream must be one document running to the end of the source (which ends with a line
   * break), whose last line holds a value, and whose last top-level entry is a `sops` map when `sealed` (whose
   * span it records) and no top-level entry is `sops` otherwise. Records the document's extent.
   */
  recordEnd(tree: Tree, sealed: boolean): void {
    const rec = this.recorder!;
    const items = tree.branches.length === 1 ? tree.branches[0]!.items : [];
    // The last entry; only its own inline comment may follow it.
    let at = items.length - 1;
    while (at >= 0 && items[at]!.kind === "comment" && (items[at] as Comment).inline === true) at--;
    const last = items[at];
    const lastLine = this.lines[this.lines.length - 1];
    if (!last || last.kind !== "entry" || !this.finalBreak || lastLine === undefined || lastLine.trim() === "" || lastLine.trimStart().startsWith("#")) throw new Bail();
    const end = this.src.length;
    if (sealed) {
      if (last.key !== "sops" || last.value.kind !== "map") throw new Bail();
      const first = last.value.items[0];
      const firstKey = first?.kind === "entry" ? rec.origins.get(first) : undefined;
      if (firstKey === undefined) throw new Bail();
      rec.origins.set(last.value, { t: "node", s: firstKey.s, e: end });
    } else if (items.some((i) => i.kind === "entry" && i.key === "sops")) throw new Bail();
    rec.docs.push({ contentEnd: end, endMarker: -1, end });
  }

  stream(): Tree {
    const branches: TreeMap[] = [];
    let started = false;
    for (;;) {
      const items: Array<MapEntry | Comment> = [];
      this.skipToContent();
      const n = this.lines.length;
      if (this.i < n && this.isDocStart(this.i)) {
        if (started || branches.length > 0 || this.recorder) throw new Bail(); // unreachable: markers are consumed below
        started = true;
        this.i++;
        continue;
      }
      if (this.i < n) {
        if (this.indentAt(this.i) !== 0) throw new Bail();
        this.map(0, items, true);
      }
      for (const p of this.pending) items.push(this.commentAt(p.text, p.at, false));
      const hadComments = this.pending.length > 0;
      this.pending = [];
      if (started || items.length > 0 || hadComments) branches.push({ kind: "map", items });
      if (this.i >= n) return { branches };
      if (!this.isDocStart(this.i)) throw new Bail();
      this.i++;
      started = true;
    }
  }

  private isDocStart(i: number): boolean {
    const l = this.lines[i]!;
    if (!l.startsWith("---")) return false;
    if (l.length === 3) return true;
    if (l[3] === " ") throw new Bail(); // content or comment after the marker
    return false;
  }

  /** Moves past blank and comment lines, queueing the comments. */
  private skipToContent(): void {
    const lines = this.lines;
    for (; this.i < lines.length; this.i++) {
      const l = lines[this.i]!;
      let c = 0;
      while (l.charCodeAt(c) === 32) c++;
      if (c === l.length) continue;
      if (l.charCodeAt(c) === 35) {
        this.pending.push({ col: c, text: l.slice(c + 1), at: this.starts[this.i]! + c });
        continue;
      }
      if (c === 0 && (l.startsWith("...") || l[0] === "%")) throw new Bail();
      return;
    }
  }

  private indentAt(i: number): number {
    const l = this.lines[i]!;
    let c = 0;
    while (l.charCodeAt(c) === 32) c++;
    return c;
  }

  private flushHead(items: Array<MapEntry | Comment> | Array<Node | Comment>): void {
    for (const p of this.pending) (items as Comment[]).push(this.commentAt(p.text, p.at, false));
    this.pending = [];
  }

  private takeTrailing(col: number, items: Array<MapEntry | Comment> | Array<Node | Comment>): void {
    let k = 0;
    while (k < this.pending.length && this.pending[k]!.col >= col) {
      (items as Comment[]).push(this.commentAt(this.pending[k]!.text, this.pending[k]!.at, false));
      k++;
    }
    if (k > 0) this.pending = this.pending.slice(k);
  }

  /** Reads map entries at column `col` into `items`. */
  private map(col: number, items: Array<MapEntry | Comment>, top: boolean): void {
    const seen = new Set<string>();
    for (;;) {
      this.skipToContent();
      if (this.i >= this.lines.length || this.isDocStart(this.i)) break;
      const ind = this.indentAt(this.i);
      if (ind < col) break;
      if (ind > col) throw new Bail();
      this.flushHead(items);
      const lineNo = this.i;
      const line = this.lines[lineNo]!;
      const k = this.key(line, col);
      if (k === undefined) throw new Bail();
      if (seen.has(k.key) && k.key === "<<") throw new Bail(); // a repeated merge key: the library's reading decides
      if (seen.has(k.key)) throw new SealError("BAD_SYNTAX", `duplicate key "${k.key}" at line ${lineNo + 1}`, { hint: "keep one of the two entries" });
      seen.add(k.key);
      const after: Comment[] = [];
      const sops = top && k.key === "sops" && this.recorder !== undefined;
      if (sops) this.inSops++;
      const value = this.value(line, k.rest, col, after, true);
      if (sops) this.inSops--;
      const entry: MapEntry = { kind: "entry", key: k.key, value };
      if (this.recorder) {
        const s = this.starts[lineNo]! + col;
        this.recorder.origins.set(entry, { t: "key", s, e: s + k.width, plain: k.plain });
      }
      items.push(entry, ...after);
    }
    if (!top) this.takeTrailing(col, items);
  }

  /** Reads `- ` items at column `col` into `items`. */
  private list(col: number, items: Array<Node | Comment>): void {
    for (;;) {
      this.skipToContent();
      if (this.i >= this.lines.length || this.isDocStart(this.i)) break;
      const ind = this.indentAt(this.i);
      if (ind < col) break;
      if (ind > col) throw new Bail();
      const line = this.lines[this.i]!;
      if (line.charCodeAt(col) !== 45 || (line.length > col + 1 && line.charCodeAt(col + 1) !== 32)) break;
      this.flushHead(items);
      // Blank out the dash: the rest of the line reads as a node at its own column.
      const blanked = " ".repeat(col + 1) + line.slice(col + 1);
      this.lines[this.i] = blanked;
      const inner = this.indentAt(this.i);
      const after: Comment[] = [];
      if (inner === blanked.length || blanked.charCodeAt(inner) === 35) {
        items.push(this.value(blanked, blanked.slice(col + 1), col, after, false), ...after);
        continue;
      }
      const rest = blanked.slice(inner);
      if (rest === "-" || rest.startsWith("- ")) {
        const l: TreeList = { kind: "list", items: [] };
        this.list(inner, l.items);
        items.push(l);
      } else if (this.key(blanked, inner) !== undefined) {
        const m: TreeMap = { kind: "map", items: [] };
        this.map(inner, m.items, false);
        items.push(m);
      } else {
        items.push(this.value(blanked, rest, col, after, false), ...after);
      }
    }
    this.takeTrailing(col, items);
  }

  /**
   * Splits `key: rest` at `col`; undefined when the line is not a simple map entry. `width` is the length of
   * the key as written (quotes included, trailing spaces not).
   */
  private key(line: string, col: number): { key: string; rest: string; width: number; plain: boolean } | undefined {
    const c0 = line[col]!;
    if (c0 === '"' || c0 === "'") {
      const q = c0 === '"' ? this.doubleQuoted(line, col) : this.singleQuoted(line, col);
      let j = q.end;
      while (line.charCodeAt(j) === 32) j++;
      if (line[j] !== ":" || (j + 1 < line.length && line[j + 1] !== " ")) return undefined;
      return { key: q.value, rest: line.slice(j + 1), width: q.end - col, plain: false };
    }
    if (BAD_PLAIN_START.has(c0) || ((c0 === "-" || c0 === "?" || c0 === ":") && (line.length === col + 1 || line[col + 1] === " "))) {
      return undefined;
    }
    let j = line.indexOf(":", col);
    while (j !== -1 && j + 1 < line.length && line[j + 1] !== " ") j = line.indexOf(":", j + 1);
    if (j === -1) return undefined;
    const hash = line.indexOf(" #", col);
    if (hash !== -1 && hash < j) return undefined;
    const key = trimYamlEnd(line.slice(col, j));
    return { key, rest: line.slice(j + 1), width: key.length, plain: true };
  }

  /**
   * Reads the value that starts in `rest` on the current line (a scalar, `{}`/`[]`, a block scalar, or
   * nothing, in which case a nested block may follow). `col` is the owning key's or dash's column.
   */
  private value(line: string, rest: string, col: number, after: Comment[], inMap: boolean): Node {
    let j = 0;
    while (rest.charCodeAt(j) === 32) j++;
    const body = rest.slice(j);
    const startCol = line.length - body.length;
    const lineStart = this.starts[this.i]!;
    this.i++;
    if (body === "" || body[0] === "#") {
      if (body !== "") after.push(this.commentAt(body.slice(1), lineStart + startCol, true));
      return this.nested(col, inMap);
    }
    const c0 = body[0]!;
    let node: Scalar | TreeMap | TreeList;
    let tail: string;
    const v = lineStart + startCol;
    if (c0 === '"' || c0 === "'") {
      const q = c0 === '"' ? this.doubleQuoted(line, startCol) : this.singleQuoted(line, startCol);
      node = { kind: "str", value: q.value };
      this.recorder?.origins.set(node, { t: "scalar", s: v, v, e: lineStart + q.end, style: c0, flow: false });
      tail = line.slice(q.end);
    } else if (c0 === "|") {
      const block = this.literal(body, col, after, v + 1);
      if (this.recorder && this.inSops === 0) this.recordBlock(block, body, v);
      return block;
    } else if (body.startsWith("{}") || body.startsWith("[]")) {
      node = c0 === "{" ? { kind: "map", items: [] } : { kind: "list", items: [] };
      this.recorder?.origins.set(node, { t: "node", s: v, e: v + 2 });
      tail = body.slice(2);
    } else {
      if (BAD_PLAIN_START.has(c0) || ((c0 === "-" || c0 === "?" || c0 === ":") && (body.length === 1 || body[1] === " "))) {
        throw new Bail();
      }
      const hash = body.indexOf(" #");
      const text = trimYamlEnd(hash === -1 ? body : body.slice(0, hash));
      if (text.includes(": ") || text.endsWith(":")) throw new Bail();
      node = resolvePlain(text);
      this.recorder?.origins.set(node, { t: "scalar", s: v, v, e: v + text.length, style: "", flow: false });
      tail = hash === -1 ? "" : body.slice(hash);
    }
    this.comment(tail, after, lineStart + line.length - tail.length);
    this.noContinuation(col);
    return node;
  }

  /** After `key:` or `-` with nothing else: a more indented block, an indentless list, or null. */
  private nested(col: number, inMap: boolean): Node {
    const save = this.i;
    const savePending = this.pending.length;
    this.skipToContent();
    const n = this.lines.length;
    if (this.i < n && !this.isDocStart(this.i)) {
      const ind = this.indentAt(this.i);
      const line = this.lines[this.i]!;
      const isDash = line.charCodeAt(ind) === 45 && (line.length === ind + 1 || line.charCodeAt(ind + 1) === 32);
      if (ind > col || (ind === col && inMap && isDash)) {
        if (isDash) {
          const l: TreeList = { kind: "list", items: [] };
          this.list(ind, l.items);
          return l;
        }
        const m: TreeMap = { kind: "map", items: [] };
        this.map(ind, m.items, false);
        return m;
      }
    }
    this.i = save;
    this.pending.length = savePending;
    this.unrecorded();
    return { kind: "null" };
  }

  /** A plain or quoted scalar cannot continue on a more indented line in this subset. */
  private noContinuation(col: number): void {
    for (let k = this.i; k < this.lines.length; k++) {
      const l = this.lines[k]!;
      let c = 0;
      while (l.charCodeAt(c) === 32) c++;
      if (c === l.length) continue;
      if (l.charCodeAt(c) === 35) return;
      if (c > col) throw new Bail();
      return;
    }
  }

  /** An inline comment in `tail`, which starts at offset `at`. */
  private comment(tail: string, after: Comment[], at: number): void {
    let j = 0;
    while (tail.charCodeAt(j) === 32) j++;
    if (j === tail.length) return;
    if (tail[j] !== "#" || j === 0) throw new Bail();
    after.push(this.commentAt(tail.slice(j + 1), at + j, true));
  }

  /**
   * Records a `|`/`|-` block scalar just read (header `body` at offset `v`) as the library does: from its header
   * to the end of its last line. Keep chomping, or a blank line in or after it, is left to the library.
   */
  private recordBlock(block: Scalar, body: string, v: number): void {
    const header = /^\|-?/.exec(body)![0];
    if (body[header.length] === "+" || this.blockShape === undefined) throw new Bail();
    const { first, last, indent } = this.blockShape;
    for (let k = first; k <= last; k++) if (this.lines[k]!.trim() === "") throw new Bail();
    const next = this.lines[last + 1];
    if (next !== undefined && next.trim() === "") throw new Bail();
    const e = this.starts[last]! + this.lines[last]!.length + 1;
    this.recorder!.origins.set(block, { t: "scalar", s: v, v, e, style: `${header}@${indent}`, flow: false });
  }

  /** The lines and indentation of the last block scalar read (undefined when it had no content line). */
  private blockShape: { first: number; last: number; indent: number } | undefined;

  /** A `|` block scalar whose header is `body` (what follows it starts at offset `at`); content lines follow the current line. */
  private literal(body: string, col: number, after: Comment[], at: number): Scalar {
    let h = 1;
    let chomp: "clip" | "strip" | "keep" = "clip";
    if (body[h] === "-") (chomp = "strip"), h++;
    else if (body[h] === "+") (chomp = "keep"), h++;
    if (h < body.length && body[h] !== " ") throw new Bail(); // indentation indicators go to the library
    this.comment(body.slice(h), after, at + h - 1);
    const lines = this.lines;
    const firstLine = this.i;
    let lastLine = -1;
    let indent = -1;
    let maxBlank = 0;
    const content: string[] = [];
    let trailingEmpty = 0;
    for (; this.i < lines.length; this.i++) {
      const l = lines[this.i]!;
      let c = 0;
      while (l.charCodeAt(c) === 32) c++;
      if (c === l.length) {
        if (indent === -1) maxBlank = Math.max(maxBlank, c);
        else if (c > indent) {
          content.push(...Array<string>(trailingEmpty).fill(""), l.slice(indent));
          trailingEmpty = 0;
          continue;
        }
        trailingEmpty++;
        continue;
      }
      if (indent === -1) {
        if (c <= col || maxBlank > c) break;
        indent = c;
      }
      if (c < indent) break;
      content.push(...Array<string>(trailingEmpty).fill(""), l.slice(indent));
      trailingEmpty = 0;
      lastLine = this.i;
    }
    if (indent === -1) throw new Bail();
    this.blockShape = lastLine === -1 ? undefined : { first: firstLine, last: lastLine, indent };
    // A block running to an input without a final line break loses that break (see blockValueAtEnd in _yaml-parse.ts).
    if (this.i === lines.length && !this.finalBreak) throw new Bail();
    // Blank lines after the block belong to it only for keep chomping; either way they are consumed.
    const text = content.join("\n");
    if (chomp === "strip") return { kind: "str", value: text };
    if (chomp === "clip") return { kind: "str", value: text + "\n" };
    return { kind: "str", value: text + "\n" + "\n".repeat(trailingEmpty) };
  }

  private doubleQuoted(line: string, at: number): { value: string; end: number } {
    let out = "";
    for (let j = at + 1; j < line.length; j++) {
      const ch = line[j]!;
      if (ch === '"') return { value: out, end: j + 1 };
      if (ch !== "\\") {
        out += ch;
        continue;
      }
      const e = line[++j];
      if (e === undefined) throw new Bail();
      const simple = DQ_ESCAPES[e];
      if (simple !== undefined) {
        out += simple;
        continue;
      }
      const len = HEX_LEN[e];
      const hex = len === undefined ? "" : line.slice(j + 1, j + 1 + len);
      if (len === undefined || !/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) throw new Bail();
      const cp = parseInt(hex, 16);
      if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) throw new Bail();
      out += String.fromCodePoint(cp);
      j += len;
    }
    throw new Bail(); // closing quote on a later line
  }

  private singleQuoted(line: string, at: number): { value: string; end: number } {
    let out = "";
    for (let j = at + 1; j < line.length; j++) {
      if (line[j] === "'") {
        if (line[j + 1] === "'") {
          out += "'";
          j++;
          continue;
        }
        return { value: out, end: j + 1 };
      }
      out += line[j];
    }
    throw new Bail();
  }
}

/** Drops trailing spaces and tabs, YAML's only white space (String#trimEnd would also eat U+00A0, U+202F, …). */
function trimYamlEnd(s: string): string {
  let end = s.length;
  while (end > 0 && (s.charCodeAt(end - 1) === 32 || s.charCodeAt(end - 1) === 9)) end--;
  return s.slice(0, end);
}
