/**
 * Owns: the record of how a YAML file was written — where every value, comment and alias sits in the
 * source text and which style each value had — built while parsing, kept on the tree as `Tree.layout`,
 * and the compact style list (`sealfile_yaml_styles` in the `sops` block) that carries the styles an
 * encrypted file's `ENC[…]` values have lost. Presentation only: `_yaml-splice.ts` checks every result
 * against the values before using it.
 */
import type { Comment, MapEntry, Node, Scalar, Tree, TreeMap } from "../tree/index.js";
import type { Origin, ParseRecorder } from "./_yaml-parse.js";
import { needsTypeQuotes } from "./_yaml-scalar.js";

/** The `sops` metadata key holding the style list (sops ignores unknown metadata keys). */
export const STYLES_KEY = "sealfile_yaml_styles";
const RECORD_VERSION = 1;

/** One value or comment of a document, in tree walk order. */
export interface Leaf {
  readonly comment: boolean;
  /** Source span: `s` where properties start, `v` where the value starts, `e` where it ends (-1: no source). */
  readonly s: number;
  readonly v: number;
  readonly e: number;
  /** The value or comment text as parsed, to tell an unchanged leaf (kept verbatim) from a changed one. */
  readonly parsed: Scalar | string;
  /**
   * "" plain, `'`, `"`, or a block header `|-@4` (header, content column): presentation that says nothing
   * of the value, so it is stored in the clear. (`~`, a plain scalar over several lines, is only read from
   * older files: where a value wraps comes from its content, so it now lives in the private record.)
   */
  style: string;
  /** The style the source text itself has at this span (differs from `style` in an encrypted file). */
  readonly srcStyle: string;
  /** Anchor/tag text written before the value (with its trailing space), restored on decrypt. */
  props: string;
  readonly flow: boolean;
  /**
   * The value exactly as the plaintext wrote it (a block's body lines; otherwise the value's own text),
   * and the plaintext value that text stands for: restored on decrypt while the value is unchanged.
   * Derived from the plaintext, so it is stored only in the encrypted record (`privateRecord`).
   */
  srcText?: string | undefined;
  plainValue?: Scalar | undefined;
}

export interface AliasSlot {
  readonly name: string;
  /** Span of the alias (`*name`) or of what an encrypted file wrote in its place. */
  readonly s: number;
  readonly e: number;
}

/**
 * A map key written plain that sops would not read as a string (`200:`, `true:`, `on:`): the encrypted file
 * writes it quoted, since sops refuses non-string keys, and decrypting writes it plain again.
 */
export interface TypedKey {
  /** The entry's index in walk order. */
  readonly idx: number;
  /** Span of the key as the source writes it (plain in a plaintext file, quoted in an encrypted one). */
  readonly s: number;
  readonly e: number;
}

export interface DocLayout {
  readonly sig: string;
  readonly keys: TypedKey[];
  readonly leaves: Leaf[];
  /** Aliases by node index (every map, list and scalar counts, in walk order). */
  readonly aliases: Map<number, AliasSlot>;
  /** Where a new `sops` block goes (plain source), and the span of the existing one (encrypted source). */
  readonly insertAt: number;
  readonly sopsSpan: readonly [number, number] | undefined;
  /** The source ended without a line break, so the `sops` block insertion added one. */
  noFinalEol: boolean;
}

export interface YamlLayout {
  /** Read from an encrypted file with a style list: decrypting restores this layout. */
  readonly sealed: boolean;
  readonly src: string;
  readonly eol: string;
  readonly indent: number;
  readonly docs: DocLayout[];
}

/** What a walk sees: scalars and comments in order, and every node with its index. */
export interface WalkEvents {
  node?(n: Node, index: number): boolean | void; // return true to skip the node's contents
  /** Comments take leaf numbers only when this handler is given: pass one whenever leaf numbers matter. */
  scalar?(s: Scalar, leaf: number): void;
  comment?(c: Comment, leaf: number): void;
  entry?(e: MapEntry, index: number): void;
}

/**
 * Walks a document like `mapLeaves` (skipping the top-level `sops` entry) and returns its structure
 * signature ("" with `withSig` false, for walks whose caller has already compared it: building it is most
 * of a walk's cost). Every node gets an index; leaves inside a node whose `node` event returns true get no events.
 */
export function walkDoc(branch: TreeMap, ev: WalkEvents, withSig = true): string {
  const sig: string[] | undefined = withSig ? [] : undefined;
  let nodes = 0;
  let leaves = 0;
  let entries = 0;
  const visit = (n: Node, quiet: boolean): void => {
    const idx = nodes++;
    const q = quiet || ev.node?.(n, idx) === true;
    if (n.kind === "map" || n.kind === "list") {
      sig?.push(n.kind === "map" ? "{" : "[");
      for (const it of n.items) {
        if (it.kind === "comment") {
          sig?.push(it.inline ? "ci" : "c");
          if (!q) ev.comment?.(it, leaves++);
        } else if (it.kind === "entry") {
          if (n === branch && it.key === "sops") continue;
          sig?.push(`k${it.key.length}:${it.key}`);
          if (!q) ev.entry?.(it, entries++);
          visit(it.value, q);
        } else visit(it, q);
      }
      sig?.push(n.kind === "map" ? "}" : "]");
    } else {
      sig?.push("s");
      if (!q) ev.scalar?.(n, leaves++);
    }
  };
  visit(branch, false);
  return sig ? sig.join("\u0001") : "";
}

/**
 * Walk events numbering leaves as the layout does: alias copies skipped (they have no leaves of their own)
 * and comments counted. Every walk that uses leaf numbers goes through this.
 */
export function leafWalk(doc: DocLayout, ev: { scalar?(s: Scalar, leaf: number): void; comment?(c: Comment, leaf: number): void }): WalkEvents {
  return { node: (_n, idx) => doc.aliases.has(idx), scalar: ev.scalar ?? (() => {}), comment: ev.comment ?? (() => {}) };
}

/** Builds the layout of a parsed stream, or undefined when a construct is outside what it handles. */
export function buildLayout(src: string, tree: Tree, rec: ParseRecorder, defaultIndent: number, styles?: StyleRecord): YamlLayout | undefined {
  if (rec.unsupported !== undefined || rec.docs.length !== tree.branches.length) return undefined;
  if (styles && styles.d.length !== tree.branches.length) return undefined;
  const docs: DocLayout[] = [];
  for (let d = 0; d < tree.branches.length; d++) {
    const doc = buildDoc(src, tree.branches[d]!, rec, d, styles?.d[d]);
    if (!doc) return undefined;
    docs.push(doc);
  }
  return { sealed: styles !== undefined, src, eol: src.includes("\r\n") ? "\r\n" : "\n", indent: detectIndent(src, defaultIndent), docs };
}

function buildDoc(src: string, branch: TreeMap, rec: ParseRecorder, d: number, styles: DocRecord | undefined): DocLayout | undefined {
  const recordedAliases = new Map(styles?.a ?? []);
  const recordedKeys = new Set(styles?.k ?? []);
  const keys: TypedKey[] = [];
  const leaves: Leaf[] = [];
  const aliases = new Map<number, AliasSlot>();
  let ok = true;
  let sopsSpan: [number, number] | undefined;
  const sopsEntry = branch.items.find((it) => it.kind === "entry" && it.key === "sops");
  if (sopsEntry && sopsEntry.kind === "entry") {
    const o = rec.origins.get(sopsEntry.value);
    const keyAt = o ? src.lastIndexOf("sops:", o.s) : -1;
    if (!o || keyAt < 0 || (keyAt > 0 && src[keyAt - 1] !== "\n")) return undefined;
    sopsSpan = [keyAt, o.e];
  }
  const sig = walkDoc(branch, {
    node(n, idx) {
      const o = rec.origins.get(n);
      const name = styles ? recordedAliases.get(idx) : o?.t === "node" ? o.alias : undefined;
      if (name === undefined) return false;
      if (!o) ok = false;
      else aliases.set(idx, { name, s: o.s, e: o.e });
      return true;
    },
    scalar(s) {
      const o = rec.origins.get(s);
      if (o?.t === "scalar") {
        const leaf: Leaf = { comment: false, s: o.s, v: o.v, e: o.e, parsed: s, style: o.style === "~" ? "" : o.style, srcStyle: o.style, props: src.slice(o.s, o.v), flow: o.flow };
        if (!styles) {
          leaf.plainValue = s;
          leaf.srcText = sourceText(src, leaf);
        }
        leaves.push(leaf);
      } else if (s.kind === "null" && o === undefined) {
        leaves.push({ comment: false, s: -1, v: -1, e: -1, parsed: s, style: "", srcStyle: "", props: "", flow: false });
      } else ok = false;
    },
    entry(e, idx) {
      const o = rec.origins.get(e);
      if (styles ? !recordedKeys.has(idx) : o?.t !== "key" || !o.plain || !keyNeedsQuotes(e.key)) return;
      if (o?.t !== "key" || o.plain !== !styles || o.e <= o.s) ok = false;
      else keys.push({ idx, s: o.s, e: o.e });
    },
    comment(c) {
      const o: Origin | undefined = rec.origins.get(c);
      if (o?.t !== "comment") ok = false;
      else leaves.push({ comment: true, s: o.s, v: o.s, e: o.e, parsed: c.text, style: "", srcStyle: "", props: "", flow: false });
    },
  });
  if (!ok) return undefined;
  const extent = rec.docs[d]!;
  let insertAt = extent.contentEnd;
  for (const l of leaves) if (l.e > insertAt) insertAt = l.e;
  for (const a of aliases.values()) if (a.e > insertAt) insertAt = a.e;
  let noFinalEol = false;
  if (insertAt > 0 && src[insertAt - 1] !== "\n") {
    const nl = src.indexOf("\n", insertAt);
    if (nl === -1) {
      insertAt = src.length;
      noFinalEol = true;
    } else insertAt = nl + 1;
  }
  if (extent.endMarker >= 0 && insertAt > extent.endMarker) return undefined;
  if (styles) {
    if (styles.c !== leaves.length || keys.length !== recordedKeys.size) return undefined;
    for (const l of leaves) if (!l.comment) (l.style = ""), (l.props = "");
    for (const [idx, style, props] of styles.s ?? []) {
      const leaf = leaves[idx];
      if (!leaf || leaf.comment) return undefined;
      leaf.style = style;
      leaf.props = props ?? "";
    }
    noFinalEol = styles.n === 1;
  }
  return { sig, keys, leaves, aliases, insertAt, sopsSpan, noFinalEol };
}

/** A value's own text in the source: a block's body lines, else the span of the value (without properties). */
function sourceText(src: string, leaf: Leaf): string | undefined {
  if (leaf.srcStyle[0] === "|" || leaf.srcStyle[0] === ">") {
    const nl = src.indexOf("\n", leaf.v);
    return nl !== -1 && nl < leaf.e ? src.slice(nl + 1, leaf.e) : undefined;
  }
  return src.slice(leaf.v, leaf.e);
}

/** Plain keys that sops (go-yaml v3) would read as another type, or that go-yaml quotes; not the merge key `<<`. */
function keyNeedsQuotes(key: string): boolean {
  return key !== "<<" && key !== "" && needsTypeQuotes(key);
}

/** The step of the first indented block line under a top-level key, else the store's indent. */
function detectIndent(src: string, fallback: number): number {
  const m = /^[^\s#-][^\n]*:[ \t]*\r?\n(?:[ \t]*(?:#[^\n]*)?\r?\n)*( +)[^\s#-]/m.exec(src);
  const n = m ? m[1]!.length : fallback;
  return n >= 1 && n <= 9 ? n : fallback;
}

interface DocRecord {
  /** Leaf count, to refuse a record that does not fit the file. */
  c: number;
  /** [leaf index, style, properties] for leaves that are not plain without properties. */
  s?: Array<[number, string] | [number, string, string]>;
  /** [node index, alias name]. */
  a?: Array<[number, string]>;
  /** Indices of the entries whose keys were written plain though they read as another type (see TypedKey). */
  k?: number[];
  /** The source had no final line break. */
  n?: 1;
}

/** The style list for an encrypted file's metadata. */
export function encodeStyles(layout: YamlLayout): string {
  const docs: DocRecord[] = layout.docs.map((d) => {
    const r: DocRecord = { c: d.leaves.length };
    const s: DocRecord["s"] = [];
    d.leaves.forEach((l, i) => {
      if (l.comment || (l.style === "" && l.props === "")) return;
      s.push(l.props === "" ? [i, l.style] : [i, l.style, l.props]);
    });
    if (s.length) r.s = s;
    if (d.aliases.size) r.a = [...d.aliases].map(([idx, a]) => [idx, a.name]);
    if (d.keys.length) r.k = d.keys.map((k) => k.idx);
    if (d.noFinalEol) r.n = 1;
    return r;
  });
  return JSON.stringify({ v: RECORD_VERSION, d: docs });
}

export interface StyleRecord {
  readonly d: DocRecord[];
}

const STYLE_RE = /^(|'|"|~|[|>][-+0-9]*@-?\d+)$/;
const PROPS_RE = /^[&!][^\n]*$/;
const ALIAS_RE = /^[^\s,[\]{}]+$/;

/** Reads a style list from an encrypted file's metadata; undefined when it is malformed or of another version. */
export function decodeStyles(text: string): StyleRecord | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const rec = parsed as { v?: unknown; d?: unknown };
  if (rec === null || typeof rec !== "object" || rec.v !== RECORD_VERSION || !Array.isArray(rec.d)) return undefined;
  const idx = (x: unknown): boolean => Number.isInteger(x) && (x as number) >= 0;
  for (const r of rec.d as unknown[]) {
    const doc = r as DocRecord;
    if (doc === null || typeof doc !== "object" || !idx(doc.c)) return undefined;
    for (const e of doc.s ?? []) {
      if (!Array.isArray(e) || !idx(e[0]) || typeof e[1] !== "string" || !STYLE_RE.test(e[1])) return undefined;
      if (e.length > 2 && (typeof e[2] !== "string" || !PROPS_RE.test(e[2]))) return undefined;
    }
    for (const a of doc.a ?? []) if (!Array.isArray(a) || !idx(a[0]) || typeof a[1] !== "string" || !ALIAS_RE.test(a[1])) return undefined;
    if (doc.k !== undefined && (!Array.isArray(doc.k) || !doc.k.every(idx))) return undefined;
  }
  return { d: rec.d as DocRecord[] };
}

/** Private record: per document, [leaf index, the value's source text] (see `Leaf.srcText`). */
type PrivateRecord = Array<Array<[number, string]>>;

export function encodePrivate(docs: PrivateRecord): string {
  return JSON.stringify({ v: RECORD_VERSION, d: docs });
}

/** Gives the leaves of an encrypted file's layout their source texts back, and the decrypted values they stand for. */
export function restorePrivate(layout: YamlLayout, text: string, plain: Tree): void {
  let rec: { v?: unknown; d?: unknown };
  try {
    rec = JSON.parse(text) as typeof rec;
  } catch {
    return;
  }
  if (rec === null || typeof rec !== "object" || rec.v !== RECORD_VERSION || !Array.isArray(rec.d)) return;
  if (rec.d.length !== layout.docs.length || plain.branches.length !== layout.docs.length) return;
  layout.docs.forEach((doc, d) => {
    const leaves = doc.leaves;
    const events = leafWalk(doc, { scalar: (s, i) => void (leaves[i] && !leaves[i]!.comment && (leaves[i]!.plainValue = s)) });
    if (walkDoc(plain.branches[d]!, events) !== doc.sig) return;
    for (const e of (rec.d as unknown[])[d] as unknown[]) {
      if (!Array.isArray(e) || !Number.isInteger(e[0]) || typeof e[1] !== "string") continue;
      const leaf = leaves[e[0] as number];
      if (leaf && !leaf.comment) leaf.srcText = e[1];
    }
  });
}
