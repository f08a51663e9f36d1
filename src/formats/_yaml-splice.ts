/**
 * Owns: writing a tree back into the text it was parsed from — every value and comment spliced in at its
 * own place, so blank lines, comments, indentation, flow/block layout, document markers and line endings
 * stay as written — and checking the result: the text must read back as exactly the tree being written,
 * or the caller falls back to the canonical emitter. Values are authoritative; styles are only presentation.
 */
import type { Comment, MapEntry, Node, Scalar, Tree, TreeMap } from "../tree/index.js";
import { doubleQuoted, fitsPlain, fitsSingleQuotes, formatFloat, readsAsPlainString, YamlEmitter } from "./_yaml-emit.js";
import { encodeStyles, STYLES_KEY, walkDoc, type DocLayout, type Leaf, type YamlLayout } from "./_yaml-layout.js";

interface Edit {
  s: number;
  e: number;
  text: string;
}

class SpliceFailed extends Error {}

const BINARY_TAG = /(?:^|\s)(?:!!binary|!<tag:yaml\.org,2002:binary>)(?:\s|$)/;

const ENVELOPE = /^ENC\[AES256_GCM,data:[A-Za-z0-9+/=]*,iv:[A-Za-z0-9+/=]+,tag:[A-Za-z0-9+/=]+,type:[a-z]+\]$/;

/**
 * The tree written into its source layout: `encrypted` adds (or replaces) the `sops` block of every
 * document with the style list; otherwise the `sops` block is dropped and recorded styles are restored.
 * Returns undefined when the tree's structure no longer matches the layout or the result does not read
 * back as `tree` (`reread` parses text without a layout).
 */
export function spliceEmit(tree: Tree, layout: YamlLayout, encrypted: boolean, reread: (text: string) => Tree): string | undefined {
  if (tree.branches.length !== layout.docs.length) return undefined;
  try {
    const edits: Edit[] = [];
    const docs = tree.branches.map((b, i) => ({ branch: b, doc: layout.docs[i]! }));
    for (const { branch, doc } of docs) {
      if (walkDoc(branch, {}) !== doc.sig) return undefined;
      valueEdits(branch, doc, layout, encrypted, edits);
      keyEdits(branch, doc, layout, encrypted, edits);
    }
    // Styles are recorded after the value edits: a value the tree changed keeps its recorded style.
    const styles = encrypted ? encodeStyles(layout) : "";
    for (const { branch, doc } of docs) sopsEdits(branch, doc, layout, encrypted, styles, edits);
    const text = apply(layout.src, edits);
    // Re-reading may also throw, e.g. for a recorded tag that no longer fits the value.
    return sameTree(reread(text), tree, encrypted) ? text : undefined;
  } catch {
    // SpliceFailed, or anything unforeseen: the canonical layout is always a correct answer.
    return undefined;
  }
}

function valueEdits(branch: TreeMap, doc: DocLayout, layout: YamlLayout, encrypted: boolean, edits: Edit[]): void {
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
      scalarEdits(s, leaf, layout, encrypted, edits);
    },
    comment(c, i) {
      const leaf = doc.leaves[i]!;
      if (c.text === leaf.parsed) return;
      if (c.text.includes("\n") || c.text.includes("\r")) throw new SpliceFailed();
      edits.push({ s: leaf.s, e: leaf.e, text: "#" + c.text });
    },
  });
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
  });
}

/** Edits replacing one scalar: its head (properties + value on the key's line) and, for blocks, its body. */
function scalarEdits(s: Scalar, leaf: Leaf, layout: YamlLayout, encrypted: boolean, edits: Edit[]): void {
  const src = layout.src;
  const wasBlock = leaf.srcStyle[0] === "|" || leaf.srcStyle[0] === ">";
  const wantBlock = leaf.style[0] === "|" || leaf.style[0] === ">";
  const block = encrypted || !wantBlock ? undefined
    : BINARY_TAG.test(leaf.props) ? binaryBlock(s, leaf.style, layout.eol)
    : s.kind === "str" ? blockText(s.value, leaf.style, layout.eol) : undefined;
  const head = block ? block.head : encrypted ? inlineText(s, leaf.flow) : restoredText(s, leaf);
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
