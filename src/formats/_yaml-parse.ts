/**
 * Owns: YAML text → tree through the `yaml` package (Composer for structure and errors, CST tokens for
 * comments), with go-yaml v3 scalar typing. Handles every YAML the library reads; `_yaml-fast-parse.ts`
 * takes the common block-style subset faster and hands anything else here.
 */
import { Composer, Parser, isAlias, isMap, isPair, isScalar, isSeq, visit } from "yaml";
import type { Document, Node as YNode, Pair } from "yaml";
import { SealError } from "../errors.js";
import type { Comment, MapEntry, Node, Scalar, Tree, TreeList, TreeMap } from "../tree/index.js";
import { resolvePlain, resolveTagged } from "./_yaml-scalar.js";

/** Offsets → 1-based line and column. */
export class LineIndex {
  readonly starts: number[] = [0];
  /** Where the last line's break starts when the source ends with one (else -1). */
  readonly finalBreak: number;
  constructor(src: string) {
    this.finalBreak = src.endsWith("\r\n") ? src.length - 2 : src.endsWith("\n") ? src.length - 1 : -1;
    for (let i = src.indexOf("\n"); i !== -1; i = src.indexOf("\n", i + 1)) this.starts.push(i + 1);
  }
  line(offset: number): number {
    let lo = 0, hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }
  column(offset: number): number {
    return offset - this.starts[this.line(offset) - 1]! + 1;
  }
}

interface SourceComment {
  offset: number;
  col: number; // 0-based
  text: string;
  inline: boolean;
}

/** Readable reasons for the library's error codes; its own messages quote the source, so they never leave. */
const REASONS: Record<string, string> = {
  BAD_INDENT: "bad indentation",
  MISSING_CHAR: "missing character (unclosed quote or bracket?)",
  MULTILINE_IMPLICIT_KEY: "implicit keys must be on one line",
  BLOCK_AS_IMPLICIT_KEY: "a block collection cannot be an implicit key",
  KEY_OVER_1024_CHARS: "implicit key longer than 1024 characters",
  DUPLICATE_KEY: "duplicate key",
  TAB_AS_INDENT: "tabs are not allowed as indentation",
  UNEXPECTED_TOKEN: "unexpected token",
  BAD_SCALAR_START: "a plain value cannot start with this character",
  BAD_ALIAS: "bad alias",
  BAD_DIRECTIVE: "bad directive",
  BAD_DQ_ESCAPE: "bad escape in a double-quoted string",
  MULTIPLE_DOCS: "multiple documents",
  MULTIPLE_ANCHORS: "more than one anchor on a node",
  MULTIPLE_TAGS: "more than one tag on a node",
  MISSING_ANCHOR: "missing anchor",
  IMPOSSIBLE: "unreadable structure",
  RESOURCE_EXHAUSTION: "nested too deeply to read",
};

function aliasBomb(lines: LineIndex, offset: number, reason: string): SealError {
  return new SealError("BAD_SYNTAX", `YAML syntax error at line ${lines.line(offset)}, column ${lines.column(offset)}: ${reason}`, {
    hint: "write the repeated values out instead of through anchors and aliases (`&name`, `*name`, `<<:`)",
  });
}

/**
 * sops keeps only mappings at the top level of a YAML document (every value is bound to its key path), so it
 * refuses a top-level sequence (an Ansible playbook, a pre-commit hook list) or scalar; so do we, saying why.
 */
function notAMapping(lines: LineIndex, at: number, sequence: boolean): SealError {
  const what = sequence ? "a top-level sequence" : "a top-level scalar";
  return new SealError("BAD_SYNTAX", `YAML document at line ${lines.line(at)} is ${what}: sops encrypts only documents that are mappings (key: value), and cannot read such a file either`, {
    hint: sequence ? "put the list under a key (e.g. `items:`), or encrypt the file as one opaque value with --input-type binary" : "put the value under a key, or encrypt the file as one opaque value with --input-type binary",
  });
}

export function syntaxError(lines: LineIndex, at: number, reason: string): SealError {
  // An error at the very end (an unclosed quote) is reported at the end of the last line, not on the empty
  // "line" after its final line break.
  const offset = lines.finalBreak !== -1 && at > lines.finalBreak ? lines.finalBreak : at;
  return new SealError("BAD_SYNTAX", `YAML syntax error at line ${lines.line(offset)}, column ${lines.column(offset)}: ${reason}`, {
    hint: "fix the YAML at that line, or pass --input-type if the file is in another format",
  });
}

/** Where a tree object came from in the source (recorded only when a caller asks, for `_yaml-layout.ts`). */
export type Origin =
  /** `s` is where the node's properties (anchor, tag) start, `v` where its value starts, `e` where it ends. */
  | { readonly t: "scalar"; readonly s: number; readonly v: number; readonly e: number; readonly style: string; readonly flow: boolean }
  | { readonly t: "comment"; readonly s: number; readonly e: number }
  /** A collection, or the copy an alias (`*name`) expanded to. */
  | { readonly t: "node"; readonly s: number; readonly e: number; readonly alias?: string }
  /** A map entry's key scalar (its value, without properties), and whether it was written plain. */
  | { readonly t: "key"; readonly s: number; readonly e: number; readonly plain: boolean };

/** One document's extent: where its content ends and where a `...` end marker sits (-1 when none). */
export interface DocExtent {
  readonly contentEnd: number;
  readonly endMarker: number;
  readonly end: number;
}

export interface ParseRecorder {
  readonly origins: Map<object, Origin>;
  readonly docs: DocExtent[];
  /** Why the source cannot be kept as written, when a construct is outside what the layout handles. */
  unsupported?: string;
}

/** Parses a whole YAML stream with the library. @throws SealError BAD_SYNTAX */
export function parseWithLibrary(src: string, recorder?: ParseRecorder): Tree {
  const lines = new LineIndex(src);
  const tokens = [...new Parser().parse(src)];
  const docs = [...new Composer({ uniqueKeys: false, schema: "failsafe", keepSourceTokens: true }).compose(tokens)];
  const comments: SourceComment[] = [];
  collectComments(tokens, comments);
  comments.sort((a, b) => a.offset - b.offset);
  for (const c of comments) {
    const lineStart = lines.starts[lines.line(c.offset) - 1]!;
    c.col = c.offset - lineStart;
    c.inline = src.slice(lineStart, c.offset).trim() !== "";
  }
  for (const d of docs) {
    const e = d.errors[0];
    if (e) throw syntaxError(lines, e.pos[0], REASONS[e.code] ?? e.code.toLowerCase().replaceAll("_", " "));
  }
  if (docs.length === 0) {
    if (comments.length === 0) return { branches: [] };
    return { branches: [{ kind: "map", items: comments.map(toComment) }] };
  }
  const branches: TreeMap[] = [];
  let ci = 0;
  for (let i = 0; i < docs.length; i++) {
    const doc = docs[i]!;
    const end = i + 1 < docs.length ? docs[i + 1]!.range[0] : Infinity;
    const mine: SourceComment[] = [];
    while (ci < comments.length && comments[ci]!.offset < end) mine.push(comments[ci++]!);
    // An alias is written `*name`: without a `*` anywhere there is none, and no walk to find their anchors.
    const builder = new DocBuilder(doc, mine, lines, src.includes("*"));
    builder.src = src;
    if (recorder) {
      builder.recorder = recorder;
      const marker = doc.range[1] < doc.range[2] ? findEndMarker(src, doc.range[1], doc.range[2]) : -1;
      recorder.docs.push({ contentEnd: doc.range[1], endMarker: marker, end: doc.range[2] });
      if (marker >= 0 && mine.some((c) => c.offset > marker)) recorder.unsupported ??= "a comment after a `...` end marker";
    }
    branches.push(builder.build());
  }
  return { branches };
}

function findEndMarker(src: string, from: number, to: number): number {
  const re = /^\.\.\.(?=[ \t\r\n]|$)/gm;
  re.lastIndex = from;
  const m = re.exec(src);
  return m && m.index < to ? m.index : -1;
}

function collectComments(x: unknown, out: SourceComment[]): void {
  if (Array.isArray(x)) {
    for (const t of x) collectComments(t, out);
    return;
  }
  if (x === null || typeof x !== "object") return;
  const tok = x as Record<string, unknown>;
  if (tok["type"] === "comment" && typeof tok["source"] === "string") {
    out.push({ offset: tok["offset"] as number, col: 0, text: (tok["source"] as string).slice(1), inline: false });
    return;
  }
  for (const k of ["start", "key", "sep", "value", "end", "items", "props"]) if (k in tok) collectComments(tok[k], out);
}

const toComment = (c: SourceComment): Comment =>
  c.inline ? { kind: "comment", text: c.text, inline: true } : { kind: "comment", text: c.text };

/**
 * How many tree nodes a document may produce per source character (plus a floor): without aliases a node
 * needs at least one character, so only alias expansion ("billion laughs") can exceed it.
 */
const NODES_PER_CHAR = 10;
const NODE_FLOOR = 100_000;

/**
 * go-yaml v3's refusal of "excessive aliasing" (decode.go allowedAliasRatio), which sops applies: once over
 * 1,000 nodes, at most 99% of them may come from alias expansion, falling to 10% from 400,000 to 4,000,000.
 */
function allowedAliasRatio(decoded: number): number {
  if (decoded <= 400_000) return 0.99;
  if (decoded >= 4_000_000) return 0.1;
  return 0.99 - (0.89 * (decoded - 400_000)) / 3_600_000;
}

/** Each alias of a document → the node it names (the last anchor of that name before it), in one walk. */
function aliasTargets(doc: Document.Parsed): Map<YNode, YNode> {
  const anchors = new Map<string, YNode>();
  const targets = new Map<YNode, YNode>();
  visit(doc, {
    Node(_key, node) {
      if (isAlias(node)) {
        const target = anchors.get(node.source);
        if (target) targets.set(node, target);
      } else if (node.anchor) anchors.set(node.anchor, node);
    },
  });
  return targets;
}

class DocBuilder {
  readonly doc: Document.Parsed;
  readonly comments: SourceComment[];
  readonly lines: LineIndex;
  next = 0;
  budget: number;
  recorder: ParseRecorder | undefined;
  src = "";
  /** >0 while building the copy an alias expands to (its parts have no source of their own). */
  private inAlias = 0;
  private inFlow = 0;
  private decoded = 0;
  private expanded = 0;
  /** Anchored nodes whose alias copy is being built: naming one of them again is a cycle. */
  private readonly expanding = new Set<YNode>();
  private readonly targets: Map<YNode, YNode>;

  constructor(doc: Document.Parsed, comments: SourceComment[], lines: LineIndex, mayHaveAliases = true) {
    this.doc = doc;
    this.comments = comments;
    this.lines = lines;
    this.budget = NODE_FLOOR + NODES_PER_CHAR * (lines.starts[lines.starts.length - 1]! + 1);
    this.targets = mayHaveAliases ? aliasTargets(doc) : new Map();
  }

  private spend(at: number): void {
    if (--this.budget < 0) throw aliasBomb(this.lines, at, "too many alias expansions");
    this.decoded++;
    if (this.inAlias > 0) this.expanded++;
    if (this.expanded > 100 && this.decoded > 1000 && this.expanded / this.decoded > allowedAliasRatio(this.decoded)) {
      throw aliasBomb(this.lines, at, "excessive aliasing (aliases expand to most of the document)");
    }
  }

  build(): TreeMap {
    let root = this.doc.contents as YNode | null;
    if (root && isAlias(root)) root = this.deref(root, root.range?.[0] ?? 0);
    let out: TreeMap;
    const nullDoc =
      root === null ||
      (isScalar(root) && !root.tag && (root.value === null || (root.type === "PLAIN" && resolvePlain(String(root.value)).kind === "null")));
    if (nullDoc) {
      out = { kind: "map", items: [] };
    } else if (isMap(root) && !root.flow) {
      out = this.map(root, true, Infinity, true);
    } else if (isMap(root)) {
      out = this.map(root, false, Infinity, true);
    } else {
      throw notAMapping(this.lines, root?.range?.[0] ?? 0, root !== null && isSeq(root));
    }
    while (this.next < this.comments.length) out.items.push(this.comment(this.comments[this.next++]!));
    if (this.recorder && root && (isMap(root) && root.flow)) this.recorder.unsupported ??= "a flow mapping as a document";
    return out;
  }

  private take(before: number, pred: (c: SourceComment) => boolean, into: Array<MapEntry | Comment> | Array<Node | Comment>): void {
    while (this.next < this.comments.length) {
      const c = this.comments[this.next]!;
      if (c.offset >= before || !pred(c)) return;
      (into as Array<Comment>).push(this.comment(c));
      this.next++;
    }
  }

  private comment(c: SourceComment): Comment {
    const out = toComment(c);
    this.recorder?.origins.set(out, { t: "comment", s: c.offset, e: c.offset + 1 + c.text.length });
    return out;
  }

  private record(obj: object, y: YNode): void {
    if (!this.recorder || this.inAlias > 0) return;
    const r = y.range;
    if (!r) {
      this.recorder.unsupported ??= "a node without a source position";
      return;
    }
    if (!isScalar(y)) {
      this.recorder.origins.set(obj, { t: "node", s: r[0], e: r[1] });
      return;
    }
    let s = r[0];
    if (y.anchor || y.tag) s = this.propsStart(r[0]);
    const src = this.src;
    let style = y.type === "QUOTE_SINGLE" ? "'" : y.type === "QUOTE_DOUBLE" ? '"' : "";
    if (y.type === "BLOCK_LITERAL" || y.type === "BLOCK_FOLDED") style = blockStyle(src, r[0], r[1], String(y.value ?? ""));
    else {
      const nl = src.indexOf("\n", r[0]);
      if (nl !== -1 && nl < r[1] && style === "") style = "~"; // a plain scalar over several lines: its folding is not recorded
    }
    this.recorder.origins.set(obj, { t: "scalar", s, v: r[0], e: r[1], style, flow: this.inFlow > 0 });
  }

  /** Start of the `&anchor !tag ` properties written before a scalar on the same line. */
  private propsStart(v: number): number {
    const src = this.src;
    let i = v;
    for (let k = 0; k < 2; k++) {
      let j = i;
      while (j > 0 && (src[j - 1] === " " || src[j - 1] === "\t")) j--;
      let t = j;
      while (t > 0 && !" \t\n\r[{,".includes(src[t - 1]!)) t--; // in flow, `[&a x]` starts after the bracket
      if (t < j && (src[t] === "&" || src[t] === "!")) i = t;
      else break;
    }
    if (i === v) this.recorder!.unsupported ??= "node properties on a line of their own";
    return i;
  }

  private deref(alias: YNode, at: number): YNode {
    if (!isAlias(alias)) return alias;
    const target = this.targets.get(alias);
    if (!target) throw syntaxError(this.lines, at, "alias refers to an unknown anchor");
    return target;
  }

  private map(m: YNode, withComments: boolean, bound: number, top = false): TreeMap {
    if (!isMap(m)) throw new Error("unreachable");
    this.spend(m.range?.[0] ?? 0);
    const items: Array<MapEntry | Comment> = [];
    const seen = new Set<string>();
    const pairs = m.items as Pair<YNode | null, YNode | null>[];
    const useComments = withComments && !m.flow;
    for (let i = 0; i < pairs.length; i++) {
      const p = pairs[i]!;
      const keyNode = p.key;
      const start = keyNode?.range?.[0] ?? p.value?.range?.[0] ?? 0;
      const nextStart = i + 1 < pairs.length ? pairStart(pairs[i + 1]!) : bound;
      if (useComments) this.take(start, () => true, items);
      const key = this.key(keyNode, start);
      // go-yaml accepts a merge key (`<<: *a`) more than once in a mapping, as CI files use it.
      const merge = key === "<<" && isScalar(keyNode) && keyNode.type === "PLAIN";
      if (seen.has(key) && !merge) {
        throw new SealError("BAD_SYNTAX", `duplicate key "${key}" at line ${this.lines.line(start)}`, { hint: "keep one of the two entries" });
      }
      seen.add(key);
      const after: Comment[] = [];
      const value = this.valueOf(p.value, useComments, nextStart, after, start);
      const entry: MapEntry = { kind: "entry", key, value };
      if (this.recorder && this.inAlias === 0 && isScalar(keyNode) && keyNode.range) {
        this.recorder.origins.set(entry, { t: "key", s: keyNode.range[0], e: keyNode.range[1], plain: keyNode.type === "PLAIN" });
      }
      items.push(entry, ...after);
    }
    if (useComments && !top) {
      const indent = this.indentOf(m);
      this.take(bound, (c) => !c.inline && c.col >= indent, items);
    }
    const out: TreeMap = { kind: "map", items };
    this.record(out, m);
    return out;
  }

  private list(s: YNode, withComments: boolean, bound: number): TreeList {
    if (!isSeq(s)) throw new Error("unreachable");
    this.spend(s.range?.[0] ?? 0);
    const items: Array<Node | Comment> = [];
    const nodes = s.items as Array<YNode | Pair | null>;
    const useComments = withComments && !s.flow;
    for (let i = 0; i < nodes.length; i++) {
      const raw = nodes[i]!;
      // A flow sequence may hold single-pair maps (`[a: 1]`); the library keeps them as pairs.
      const n: YNode | null = isPair(raw) ? null : raw;
      const start = n?.range?.[0] ?? 0;
      const nextNode = nodes[i + 1];
      const nextStart = i + 1 < nodes.length && nextNode && !isPair(nextNode) ? nextNode.range?.[0] ?? bound : bound;
      if (useComments) this.take(start, () => true, items);
      const after: Comment[] = [];
      if (isPair(raw)) {
        if (this.recorder) this.recorder.unsupported ??= "a single-pair map inside a flow sequence";
        const key = this.key(raw.key as YNode | null, start);
        items.push({ kind: "map", items: [{ kind: "entry", key, value: this.valueOf(raw.value as YNode | null, false, nextStart, after, start) }] });
      } else {
        items.push(this.valueOf(n, useComments, nextStart, after, start), ...after);
      }
    }
    if (useComments) {
      const indent = this.indentOf(s);
      this.take(bound, (c) => !c.inline && c.col >= indent, items);
    }
    const out: TreeList = { kind: "list", items };
    this.record(out, s);
    return out;
  }

  private indentOf(n: YNode): number {
    const tok = n.srcToken as { indent?: number } | undefined;
    if (tok && typeof tok.indent === "number") return tok.indent;
    return this.lines.column(n.range?.[0] ?? 0) - 1;
  }

  /** Builds a value; comments that belong after its entry/item (inline ones) go to `after`. */
  private valueOf(v: YNode | null, withComments: boolean, bound: number, after: Comment[], at: number): Node {
    if (v === null) {
      if (withComments) this.take(bound, (c) => c.inline, after);
      return { kind: "null" };
    }
    let node = v;
    if (isAlias(v)) {
      node = this.deref(v, v.range?.[0] ?? at);
      if (this.expanding.has(node)) throw syntaxError(this.lines, v.range?.[0] ?? at, "alias refers to a node that contains it (a cycle)");
      this.inAlias++;
      this.expanding.add(node);
      let copy: Node;
      try {
        copy = this.valueOf(node, false, bound, after, at);
      } finally {
        this.inAlias--;
        this.expanding.delete(node);
      }
      if (withComments) this.take(v.range?.[2] ?? at, () => true, after);
      if (this.recorder && this.inAlias === 0) {
        const r = v.range ?? [at, at];
        this.recorder.origins.set(copy, { t: "node", s: r[0], e: r[1], alias: String((v as { source?: string }).source ?? "") });
      }
      return copy;
    }
    const end = v.range?.[2] ?? at;
    if (isScalar(node)) {
      // A scalar's range runs on over the comment lines after it (an empty value's, over the next lines):
      // only a comment on its own line or inside its text belongs to it; later ones go to an outer level.
      const valueEnd = v.range?.[1] ?? end;
      if (withComments) this.take(end, (c) => c.inline || c.offset < valueEnd, after);
      return this.scalar(node);
    }
    if (isAlias(node)) throw syntaxError(this.lines, at, "alias refers to another alias");
    if (node.flow || !withComments) {
      if (withComments) this.take(end, () => true, after);
      if (node.flow) this.inFlow++;
      try {
        return isMap(node) ? this.map(node, false, bound) : this.list(node, false, bound);
      } finally {
        if (node.flow) this.inFlow--;
      }
    }
    this.take(node.range?.[0] ?? end, (c) => c.inline, after);
    return isMap(node) ? this.map(node, true, bound) : this.list(node, true, bound);
  }

  private key(k: YNode | null, at: number): string {
    if (k === null) return "";
    if (this.recorder && (isAlias(k) || (isScalar(k) && (k.type === "BLOCK_LITERAL" || k.type === "BLOCK_FOLDED")))) this.recorder.unsupported ??= "an alias or block scalar as a map key";
    const node = isAlias(k) ? this.deref(k, at) : k;
    if (!isScalar(node)) throw syntaxError(this.lines, at, "a map key must be a scalar");
    if (node.type === "PLAIN" || node.type === undefined) return node.source ?? String(node.value ?? "");
    return String(node.value ?? "");
  }

  private scalar(n: YNode): Scalar {
    const out = this.scalarValue(n); // a fresh object for every scalar, so each can carry its own origin
    if (this.recorder) this.record(out, n);
    return out;
  }

  private scalarValue(n: YNode): Scalar {
    if (!isScalar(n)) throw new Error("unreachable");
    this.spend(n.range?.[0] ?? 0);
    // The library decodes some tags itself (`!!binary` leniently, to bytes): tags are resolved here from the source text.
    let text = typeof n.value === "string" ? n.value : typeof n.source === "string" ? n.source : String(n.value ?? "");
    if ((n.type === "BLOCK_LITERAL" || n.type === "BLOCK_FOLDED") && n.range) text = blockValueAtEnd(this.src, n.range[0], n.range[1], text);
    if (n.tag) {
      const r = resolveTagged(n.tag, text);
      if ("error" in r) throw syntaxError(this.lines, n.range?.[0] ?? 0, `value ${r.error}`);
      return r.scalar;
    }
    if (n.type === "PLAIN") return resolvePlain(text);
    return { kind: "str", value: text };
  }
}

/**
 * go-yaml (a libyaml port) keeps a block scalar's last line break only when the source has one: a block
 * whose last content line ends the input, with no line break after it, has no final "\n" under clip and
 * keep chomping alike. The `yaml` package adds the break anyway, so it is taken off here. A last line of
 * spaces only is content when it is indented deeper than the block (its extra spaces are in the value).
 */
function blockValueAtEnd(src: string, start: number, end: number, value: string): string {
  if (end !== src.length || src.length === 0 || src.endsWith("\n") || src.endsWith("\r") || !value.endsWith("\n")) return value;
  const last = src.slice(src.lastIndexOf("\n") + 1);
  if (/^ *$/.test(last)) {
    const col = blockColumn(src, start, end, value);
    if (col < 0 || last.length <= col) return value;
  }
  return value.slice(0, -1);
}

/** The column a block scalar's content lines start at, or -1 when it has no line with text. */
function blockColumn(src: string, start: number, end: number, value: string): number {
  const nl = src.indexOf("\n", start);
  for (let i = nl + 1; nl !== -1 && i < end; ) {
    let j = i;
    while (src[j] === " ") j++;
    if (j < end && src[j] !== "\n" && src[j] !== "\r") {
      // With an indentation indicator the first line may start with spaces that belong to the value.
      const lead = /^\n*( *)/.exec(value)![1]!.length;
      return j - i - lead;
    }
    const next = src.indexOf("\n", i);
    if (next === -1) break;
    i = next + 1;
  }
  return -1;
}

/** `|`/`>` with the header's indicators as written, then `@` and the column its content lines start at. */
function blockStyle(src: string, start: number, end: number, value: string): string {
  const header = /^[|>][-+0-9]*/.exec(src.slice(start, start + 4))?.[0] ?? "|";
  return `${header}@${blockColumn(src, start, end, value)}`;
}

function pairStart(p: Pair<YNode | null, YNode | null>): number {
  return p.key?.range?.[0] ?? p.value?.range?.[0] ?? Infinity;
}
