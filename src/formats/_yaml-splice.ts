/**
 * Owns: writing a tree back into the text it was parsed from — every value and comment spliced in at its
 * own place, so blank lines, comments, indentation, flow/block layout, document markers and line endings
 * stay as written — and checking the result: the text must read back as exactly the tree being written;
 * a value whose recorded form does not is written in its canonical form (per value, never per file).
 * Values are authoritative; styles and source texts are only presentation.
 */
import type { Comment, MapEntry, Node, Scalar, Tree, TreeMap } from "../tree/index.js";
import { doubleQuoted, fitsPlain, fitsSingleQuotes, formatFloat, readsAsPlainString, YamlEmitter } from "./_yaml-emit.js";
import { encodePrivate, encodeStyles, leafWalk, STYLES_KEY, walkDoc, type DocLayout, type Leaf, type YamlLayout } from "./_yaml-layout.js";

interface Edit {
  s: number;
  e: number;
  text: string;
}

class SpliceFailed extends Error {}

const BINARY_TAG = /(?:^|\s)(?:!!binary|!<tag:yaml\.org,2002:binary>)(?:\s|$)/;

const ENVELOPE = /^ENC\[AES256_GCM,data:[A-Za-z0-9+/=]*,iv:[A-Za-z0-9+/=]+,tag:[A-Za-z0-9+/=]+,type:[a-z]+\]$/;

/** Leaves (per document) written in their canonical form rather than as recorded: the per-value fallback. */
type Forced = Array<Set<number>>;

/** What one splice attempt wrote: the text, and which leaves it edited (per document). */
interface Attempt {
  text: string;
  edited: Array<Set<number>>;
}

const MAX_ROUNDS = 4;

/**
 * The tree written into its source layout: `encrypted` adds (or replaces) the `sops` block of every
 * document with the style list; otherwise the `sops` block is dropped and recorded styles are restored.
 * The result must read back as `tree` (`reread` parses text without a layout); a value whose recorded form
 * does not is written in its canonical form instead, and the rest of the file stays as written. Returns
 * undefined only when the tree's structure no longer matches the layout, or no per-value fallback helps.
 */
export function spliceEmit(tree: Tree, layout: YamlLayout, encrypted: boolean, reread: (text: string) => Tree): string | undefined {
  if (tree.branches.length !== layout.docs.length) return undefined;
  const docs = tree.branches.map((b, i) => ({ branch: b, doc: layout.docs[i]! }));
  for (const { branch, doc } of docs) if (walkDoc(branch, {}) !== doc.sig) return undefined;
  const forced: Forced = layout.docs.map(() => new Set<number>());
  for (let round = 0; round < MAX_ROUNDS; round++) {
    let attempt: Attempt;
    try {
      attempt = spliceOnce(docs, layout, encrypted, forced);
    } catch {
      return undefined; // SpliceFailed, or anything unforeseen: the canonical layout is always a correct answer
    }
    let back: Tree | undefined;
    try {
      back = reread(attempt.text);
    } catch {
      back = undefined; // e.g. a recorded tag that no longer fits the value
    }
    if (back && sameTree(back, tree, encrypted)) return attempt.text;
    if (!forceDiffering(back, tree, layout, attempt, forced, round === MAX_ROUNDS - 2)) return undefined;
  }
  return undefined;
}

function spliceOnce(docs: Array<{ branch: TreeMap; doc: DocLayout }>, layout: YamlLayout, encrypted: boolean, forced: Forced): Attempt {
  const edits: Edit[] = [];
  const edited = docs.map(() => new Set<number>());
  docs.forEach(({ branch, doc }, d) => {
    valueEdits(branch, doc, layout, encrypted, forced[d]!, edited[d]!, edits);
    keyEdits(branch, doc, layout, encrypted, edits);
  });
  // Styles are recorded after the value edits: a value the tree changed keeps its recorded style.
  const styles = encrypted ? encodeStyles(layout) : "";
  for (const { branch, doc } of docs) sopsEdits(branch, doc, layout, encrypted, styles, edits);
  return { text: apply(layout.src, edits), edited };
}

/**
 * Marks for the canonical form the leaves whose text read back as another value; when the structure read
 * back differs (a value's text swallowed its neighbour), or on the last round, every edited leaf of that
 * document. Returns false when nothing new could be marked.
 */
function forceDiffering(back: Tree | undefined, tree: Tree, layout: YamlLayout, attempt: Attempt, forced: Forced, all: boolean): boolean {
  let progressed = false;
  layout.docs.forEach((doc, d) => {
    const mark = (i: number): void => {
      if (!forced[d]!.has(i)) (forced[d]!.add(i), (progressed = true));
    };
    const got = back?.branches[d];
    const want: Array<Scalar | Comment> = [];
    walkDoc(tree.branches[d]!, leafWalk(doc, { scalar: (s) => want.push(s), comment: (c) => want.push(c) }), false);
    const seen: Array<Scalar | Comment> = [];
    if (!all && got && walkDoc(got, leafWalk(doc, { scalar: (s) => seen.push(s), comment: (c) => seen.push(c) })) === doc.sig) {
      want.forEach((w, i) => {
        const g = seen[i]!;
        const same = w.kind === "comment" ? g.kind === "comment" && g.text === w.text : g.kind !== "comment" && sameScalar(g, w);
        if (!same) mark(i);
      });
    } else for (const i of attempt.edited[d]!) mark(i);
  });
  return progressed;
}

function valueEdits(branch: TreeMap, doc: DocLayout, layout: YamlLayout, encrypted: boolean, forced: Set<number>, edited: Set<number>, edits: Edit[]): void {
  walkDoc(branch, {
    node(n, idx) {
      const alias = doc.aliases.get(idx);
      if (!alias) return false;
      edits.push({ s: alias.s, e: alias.e, text: encrypted ? flowText(n) : `*${alias.name}` });
      return true;
    },
    scalar(s, i) {
      const leaf = doc.leaves[i]!;
      if (sameScalar(s, leaf.parsed as Scalar)) return;
      if (leaf.s < 0) throw new SpliceFailed();
      edited.add(i);
      scalarEdits(s, leaf, layout, encrypted, forced.has(i), edits);
    },
    comment(c, i) {
      const leaf = doc.leaves[i]!;
      if (c.text === leaf.parsed) return;
      if (c.text.includes("\n") || c.text.includes("\r")) throw new SpliceFailed();
      edited.add(i);
      edits.push({ s: leaf.s, e: leaf.e, text: "#" + c.text });
    },
  }, false);
}

/** Typed plain keys: quoted going into an encrypted file (sops reads only string keys), plain again coming out. */
function keyEdits(branch: TreeMap, doc: DocLayout, layout: YamlLayout, encrypted: boolean, edits: Edit[]): void {
  if (encrypted === layout.sealed || doc.keys.length === 0) return; // already as the target writes them
  const byIndex = new Map(doc.keys.map((k) => [k.idx, k]));
  walkDoc(branch, {
    entry(e, idx) {
      const k = byIndex.get(idx);
      if (k) edits.push({ s: k.s, e: k.e, text: encrypted ? doubleQuoted(e.key) : e.key });
    },
  }, false);
}

/**
 * Edits replacing one scalar: its head (properties + value on the key's line) and, for blocks, its body.
 * Decrypting, an unchanged value is written as the plaintext wrote it (its private source text); a
 * `forced` one in its canonical one-line form, which always reads back as the value.
 */
function scalarEdits(s: Scalar, leaf: Leaf, layout: YamlLayout, encrypted: boolean, forced: boolean, edits: Edit[]): void {
  const src = layout.src;
  const wasBlock = leaf.srcStyle[0] === "|" || leaf.srcStyle[0] === ">";
  const wantBlock = !forced && (leaf.style[0] === "|" || leaf.style[0] === ">");
  const source = !encrypted && !forced && leaf.srcText !== undefined && leaf.plainValue !== undefined && sameScalar(s, leaf.plainValue) ? leaf.srcText : undefined;
  const block = encrypted || !wantBlock ? undefined
    : source !== undefined ? { head: leaf.style.slice(0, leaf.style.indexOf("@")), body: source }
    : BINARY_TAG.test(leaf.props) ? binaryBlock(s, leaf.style, layout.eol)
    : s.kind === "str" ? blockText(s.value, leaf.style, layout.eol) : undefined;
  const head = block ? block.head
    : encrypted ? inlineText(s, leaf.flow)
    : forced ? restoredText(s, { ...leaf, style: '"' })
    : source ?? restoredText(s, leaf);
  const props = encrypted ? "" : leaf.props;
  if (wasBlock) {
    const headerEnd = leaf.v + (/^[|>][-+0-9]*/.exec(src.slice(leaf.v, leaf.v + 4))?.[0].length ?? 1);
    const nl = src.indexOf("\n", leaf.v);
    edits.push({ s: leaf.s, e: headerEnd, text: props + head });
    if (nl !== -1 && nl + 1 <= leaf.e) edits.push({ s: nl + 1, e: leaf.e, text: block ? block.body : "" });
    return;
  }
  edits.push({ s: leaf.s, e: leaf.e, text: props + head });
  if (block) {
    const nl = src.indexOf("\n", leaf.e);
    if (nl === -1) throw new SpliceFailed();
    edits.push({ s: nl + 1, e: nl + 1, text: block.body });
  }
}

/**
 * The private record for `tree`: the source text of every unchanged value that its clear style cannot
 * write back exactly (a wrapped plain or quoted scalar, a folded block's own line breaks, `0x1F`, an escape).
 */
export function privateRecord(tree: Tree, layout: YamlLayout): string | undefined {
  if (tree.branches.length !== layout.docs.length) return undefined;
  const docs = tree.branches.map((branch, d) => {
    const doc = layout.docs[d]!;
    const out: Array<[number, string]> = [];
    if (walkDoc(branch, {}) !== doc.sig) return out;
    walkDoc(branch, leafWalk(doc, {
      scalar(s, i) {
        const leaf = doc.leaves[i]!;
        if (leaf.srcText === undefined || leaf.plainValue === undefined || !sameScalar(s, leaf.plainValue)) return;
        if (regenerated(s, leaf, layout) !== leaf.srcText) out.push([i, leaf.srcText]);
      },
    }), false);
    return out;
  });
  return encodePrivate(docs);
}

/** What decrypting writes for a value from its clear style alone (undefined when that fails). */
function regenerated(s: Scalar, leaf: Leaf, layout: YamlLayout): string | undefined {
  try {
    if (leaf.style[0] === "|" || leaf.style[0] === ">") {
      return BINARY_TAG.test(leaf.props) ? binaryBlock(s, leaf.style, layout.eol)?.body : s.kind === "str" ? blockText(s.value, leaf.style, layout.eol)?.body : undefined;
    }
    return restoredText(s, leaf);
  } catch {
    return undefined;
  }
}

/** Base64 of a `!!binary` value in a block, wrapped at 76 columns (the original width is not recorded). */
function binaryBlock(s: Scalar, style: string, eol: string): { head: string; body: string } | undefined {
  const b64 = binaryText(s);
  if (b64 === undefined) return undefined;
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 76) lines.push(b64.slice(i, i + 76));
  return blockText(lines.join("\n") + (style.includes("-") ? "" : "\n"), style, eol);
}

/** The base64 text of a `!!binary` value (read as a string when its bytes are UTF-8 text). */
function binaryText(s: Scalar): string | undefined {
  if (s.kind === "bytes") return Buffer.from(s.value).toString("base64");
  return s.kind === "str" ? Buffer.from(s.value, "utf8").toString("base64") : undefined;
}

/** A value on one line, as the encrypted file writes it: ENC[…] plain in block context, quoted in flow. */
function inlineText(s: Scalar, flow: boolean): string {
  if (s.kind !== "str") return typedText(s);
  if (flow) return /[,[\]{}]/.test(s.value) || !readsAsPlainString(s.value) ? doubleQuoted(s.value) : s.value;
  return ENVELOPE.test(s.value) || readsAsPlainString(s.value) ? s.value : doubleQuoted(s.value);
}

/** A decrypted value in its recorded one-line style, or the nearest style that holds it exactly. */
function restoredText(s: Scalar, leaf: Leaf): string {
  if (BINARY_TAG.test(leaf.props)) {
    // Written back as the base64 it was read from (sops holds the decoded bytes).
    const b64 = binaryText(s);
    if (b64 === undefined) throw new SpliceFailed();
    return leaf.style === '"' || leaf.style === "'" ? leaf.style + b64 + leaf.style : b64;
  }
  if (leaf.props.includes("!")) {
    // A tag decides the type, so the text only has to survive its quoting.
    const t = s.kind === "str" ? s.value : typedText(s);
    if (leaf.style === "'" && fitsSingleQuotes(t)) return "'" + t.replaceAll("'", "''") + "'";
    if (leaf.style === '"' || leaf.style === "'" || !fitsPlain(t)) return doubleQuoted(t);
    return t;
  }
  if (s.kind !== "str") return typedText(s);
  const v = s.value;
  if (leaf.style === "'" && fitsSingleQuotes(v)) return "'" + v.replaceAll("'", "''") + "'";
  if (leaf.style === '"' || leaf.style === "'") return doubleQuoted(v);
  return inlineText(s, leaf.flow);
}

function typedText(s: Scalar): string {
  switch (s.kind) {
    case "int":
      return s.value.toString();
    case "float":
      return formatFloat(s.value);
    case "bool":
      return s.value ? "true" : "false";
    case "null":
      return "null";
    case "time":
      return s.value;
    case "bytes":
      // Exact whatever the bytes hold; go-yaml writes non-UTF-8 strings this way too.
      return "!!binary " + Buffer.from(s.value).toString("base64");
    case "str":
      return doubleQuoted(s.value);
  }
}

/**
 * A block scalar (`|`/`>` with the recorded header and content column) holding exactly `v`, or undefined
 * when the header cannot: chomping that disagrees with the trailing line breaks, a leading space without an
 * indentation indicator, characters a block cannot hold, folded lines that would fold into spaces.
 */
export function blockText(v: string, style: string, eol: string): { head: string; body: string } | undefined {
  const at = style.indexOf("@");
  const header = style.slice(0, at);
  const col = Number(style.slice(at + 1));
  const chomp = header.includes("-") ? "strip" : header.includes("+") ? "keep" : "clip";
  const hasIndicator = /[0-9]/.test(header);
  if (/[\r\t\u0085\u2028\u2029\ufeff]/.test(v) || /[\u0000-\u0008\u000b-\u001f\u007f]/.test(v)) return undefined;
  if (col < 1) return undefined;
  let content = v;
  let trailing = 0;
  if (chomp === "strip") {
    if (v.endsWith("\n")) return undefined;
  } else {
    if (!v.endsWith("\n")) return undefined;
    content = v.replace(/\n+$/, "");
    trailing = v.length - content.length;
    if (chomp === "clip" && trailing !== 1) return undefined;
  }
  if (content === "") return undefined;
  const lines = content.split("\n");
  const firstText = lines.find((l) => l !== "");
  if (firstText === undefined || (!hasIndicator && firstText.startsWith(" "))) return undefined;
  const pad = " ".repeat(col);
  let out: string[];
  if (header[0] === "|") {
    out = lines.map((l) => (l === "" ? "" : pad + l));
  } else {
    if (lines.some((l) => l.startsWith(" "))) return undefined;
    out = [];
    let prevText = false;
    for (const l of lines) {
      if (l !== "" && prevText) out.push("");
      out.push(l === "" ? "" : pad + l);
      prevText = l !== "";
    }
  }
  const extra = chomp === "keep" ? trailing - 1 : 0;
  return { head: header, body: out.join(eol) + eol + eol.repeat(extra) };
}

/** Flow text for what an alias stood for (encrypted files spell aliases out: sops binds each value to its own path). */
function flowText(n: Node): string {
  if (n.kind === "map") {
    const parts = n.items.filter((i): i is MapEntry => i.kind === "entry").map((e) => `${flowKey(e.key)}: ${flowText(e.value)}`);
    return `{${parts.join(", ")}}`;
  }
  if (n.kind === "list") return `[${n.items.filter((i): i is Node => i.kind !== "comment").map(flowText).join(", ")}]`;
  return n.kind === "str" ? doubleQuoted(n.value) : typedText(n);
}

function flowKey(k: string): string {
  return /^[A-Za-z_][A-Za-z0-9_.\/-]*$/.test(k) && readsAsPlainString(k) ? k : doubleQuoted(k);
}

function sopsEdits(branch: TreeMap, doc: DocLayout, layout: YamlLayout, encrypted: boolean, styles: string, edits: Edit[]): void {
  const eol = layout.eol;
  if (!encrypted) {
    if (doc.sopsSpan) {
      const cut = doc.noFinalEol && layout.src.slice(doc.sopsSpan[0] - eol.length, doc.sopsSpan[0]) === eol ? eol.length : 0;
      edits.push({ s: doc.sopsSpan[0] - cut, e: doc.sopsSpan[1], text: "" });
    }
    return;
  }
  const entry = branch.items.find((i): i is MapEntry => i.kind === "entry" && i.key === "sops");
  if (!entry || entry.value.kind !== "map") throw new SpliceFailed();
  const items = entry.value.items.filter((i) => !(i.kind === "entry" && i.key === STYLES_KEY));
  let at = items.findIndex((i) => i.kind === "entry" && i.key > STYLES_KEY);
  if (at < 0) at = items.length;
  items.splice(at, 0, { kind: "entry", key: STYLES_KEY, value: { kind: "str", value: styles } });
  const block = new YamlEmitter(layout.indent).document({ kind: "map", items: [{ kind: "entry", key: "sops", value: { kind: "map", items } }] });
  const text = eol === "\n" ? block : block.replaceAll("\n", eol);
  if (doc.sopsSpan) {
    const cut = doc.noFinalEol && layout.src.slice(doc.sopsSpan[0] - eol.length, doc.sopsSpan[0]) === eol ? eol.length : 0;
    edits.push({ s: doc.sopsSpan[0] - cut, e: doc.sopsSpan[1], text: (cut ? eol : "") + text });
  } else edits.push({ s: doc.insertAt, e: doc.insertAt, text: (doc.noFinalEol ? eol : "") + text });
}

function apply(src: string, edits: Edit[]): string {
  edits.sort((a, b) => a.s - b.s || a.e - b.e);
  const out: string[] = [];
  let pos = 0;
  for (const ed of edits) {
    if (ed.s < pos) throw new SpliceFailed();
    out.push(src.slice(pos, ed.s), ed.text);
    pos = ed.e;
  }
  out.push(src.slice(pos));
  return out.join("");
}

/** The re-read text equals the tree (the `sops` blocks are compared as present only: they are metadata). */
function sameTree(a: Tree, b: Tree, encrypted: boolean): boolean {
  if (a.branches.length !== b.branches.length) return false;
  for (let i = 0; i < a.branches.length; i++) {
    const x = a.branches[i]!, y = b.branches[i]!;
    if (encrypted) {
      const xs = x.items.filter((it) => it.kind === "entry" && it.key === "sops");
      const ys = y.items.filter((it) => it.kind === "entry" && it.key === "sops");
      if (xs.length !== ys.length) return false;
      const strip = (m: TreeMap): TreeMap => ({ kind: "map", items: m.items.filter((it) => !(it.kind === "entry" && it.key === "sops")) });
      if (!sameNode(strip(x), strip(y))) return false;
    } else if (!sameNode(x, y)) return false;
  }
  return true;
}

function sameNode(a: Node | Comment | MapEntry, b: Node | Comment | MapEntry): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === "comment") return a.text === (b as Comment).text && !a.inline === !(b as Comment).inline;
  if (a.kind === "entry") return a.key === (b as MapEntry).key && sameNode(a.value, (b as MapEntry).value);
  if (a.kind === "map" || a.kind === "list") {
    const bi = (b as TreeMap).items;
    return a.items.length === bi.length && a.items.every((it, i) => sameNode(it, bi[i]!));
  }
  return sameScalar(a, b as Scalar);
}

export function sameScalar(a: Scalar, b: Scalar): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === "null") return true;
  if (a.kind === "bytes") {
    const bv = (b as { value: Uint8Array }).value;
    return a.value.length === bv.length && a.value.every((x, i) => x === bv[i]);
  }
  return Object.is(a.value, (b as { value: unknown }).value);
}
