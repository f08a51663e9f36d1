/**
 * Owns: the INI store — INI text ⇄ tree as sops reads and writes it (stores/ini/store.go over
 * gopkg.in/ini.v1). The tree is one branch whose entries are sections (name → map of key → string);
 * keys before any header belong to `DEFAULT`. A block of comment lines becomes one comment item (as sops,
 * which encrypts it as one value). Comments sit in the tree where sops puts them: a section's comment (the
 * lines before `[name]`) is its first item, a key's comment (the lines before the key) comes right after
 * that key — so a comment under a header stays under it, and comment-regex rules see the order sops sees.
 * Output follows go-ini's pretty format.
 */
import { SealError } from "../errors.js";
import type { Comment, MapEntry, Node, Tree, TreeMap } from "../tree/index.js";
import { parseIniText, trimSpace } from "./_ini-parse.js";
import { decodeUtf8Strict } from "./_utf8.js";
import type { IniDocument } from "./_ini-parse.js";
import { valueToString } from "./_value-to-string.js";
import type { Store, StoreOptions } from "./types.js";

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** sops's stripCommentChar: drop the leading run of `;`/`#` markers and spaces. */
function stripCommentChar(raw: string): string {
  if (raw.startsWith(";")) return raw.replace(/^[; ]+/, "");
  if (raw.startsWith("#")) return raw.replace(/^[# ]+/, "");
  return raw;
}

function toTree(doc: IniDocument): TreeMap {
  const sections: MapEntry[] = [];
  for (const s of doc.sections) {
    const items: Array<MapEntry | Comment> = [];
    if (s.comment) items.push({ kind: "comment", text: stripCommentChar(s.comment) });
    for (const k of s.keys) {
      items.push({ kind: "entry", key: k.name, value: { kind: "str", value: k.value } });
      if (k.comment) items.push({ kind: "comment", text: stripCommentChar(k.comment) });
    }
    sections.push({ kind: "entry", key: s.name, value: { kind: "map", items } });
  }
  if (doc.trailingComment) {
    // go-ini drops comments after the last key; we keep them, after an empty placeholder when the spot
    // would otherwise read as the last key's (or the section's) comment.
    const last = sections[sections.length - 1]!.value as TreeMap;
    const tail = last.items[last.items.length - 1];
    if (tail === undefined || tail.kind === "entry") last.items.push({ kind: "comment", text: "" });
    last.items.push({ kind: "comment", text: stripCommentChar(doc.trailingComment) });
  }
  // go-ini always has a DEFAULT section; sops keeps it even when empty, we only when it holds something.
  const first = sections[0]!;
  if ((first.value as TreeMap).items.length === 0) sections.shift();
  return { kind: "map", items: sections };
}

const utf8Length = (s: string): number => Buffer.byteLength(s, "utf8");

/** go-ini's comment line rendering; `trimPlain` is false for section comments, whose unmarked lines go-ini leaves as is. */
function commentLines(text: string, trimPlain: boolean): string {
  let out = "";
  for (const line of text.split("\n")) {
    if (line.length === 0) out += ";\n";
    else if (line[0] !== "#" && line[0] !== ";") out += "; " + (trimPlain ? trimSpace(line) : line) + "\n";
    else out += line[0] + " " + trimSpace(line.slice(1)) + "\n";
  }
  return out;
}

/**
 * go-ini's key quoting, plus backticks for keys that would otherwise read back as a comment or header, or
 * lose a leading U+FEFF (at the start of the file it reads as a byte order mark, which go-ini drops).
 */
function quoteKey(k: string): string {
  if (k.includes('"') || k.includes("=") || k.includes(":")) return "`" + k + "`";
  if (k.includes("`")) return '"""' + k + '"""';
  if (k[0] === "#" || k[0] === ";" || k[0] === "[" || k[0] === "\ufeff") return "`" + k + "`";
  return k;
}

/**
 * go-ini's value quoting. Beyond go-ini (whose output would not read back): values that start with a quote,
 * end with a backslash, or need `"…"` but hold a `"` are wrapped in backticks instead.
 */
function quoteValue(v: string): string {
  if (v.includes("\n") || v.includes("`")) return '"""' + v + '"""';
  if (v.includes("#") || v.includes(";")) return "`" + v + "`";
  if (v[0] === '"' || v[0] === "'" || v.endsWith("\\")) return "`" + v + "`";
  if (trimSpace(v).length !== v.length) return v.includes('"') ? "`" + v + "`" : '"' + v + '"';
  return v;
}

function checkName(name: string, what: string, where: string): void {
  if (name.length === 0) throw new SealError("CANNOT_EMIT", `cannot write an empty ${what} name in INI${where}`);
  if (/[\r\n]/.test(name)) throw new SealError("CANNOT_EMIT", `cannot write a ${what} name containing a line break in INI${where}`);
}

function sectionBody(sectionName: string, m: TreeMap, start: number): string {
  let align = 0;
  for (const it of m.items) {
    if (it.kind !== "entry") continue;
    checkName(it.key, "key", ` (section ${sectionName})`);
    align = Math.max(align, utf8Length(quoteKey(it.key)));
  }
  let out = "";
  for (let i = start; i < m.items.length; i++) {
    const it = m.items[i]!;
    if (it.kind === "comment") {
      // Not right after a key (e.g. a trailing comment): written where it is.
      if (it.text !== "") out += commentLines(it.text, true);
      continue;
    }
    // A comment right after a key is that key's comment, written above it (sops: lastItem.Comment).
    const next = m.items[i + 1];
    if (next?.kind === "comment") {
      if (next.text !== "") out += commentLines(next.text, true);
      i++;
    }
    const v = it.value;
    if (v.kind === "map" || v.kind === "list") {
      throw new SealError("CANNOT_EMIT", `cannot use complex value in INI file; offending key ${sectionName}.${it.key}`, {
        hint: "INI sections hold flat key = value pairs; use YAML or JSON for nested values",
      });
    }
    const k = quoteKey(it.key);
    out += k + " ".repeat(align - utf8Length(k)) + " = " + quoteValue(valueToString(v)) + "\n";
  }
  return out;
}

function emitSections(sections: MapEntry[]): string {
  let out = "";
  sections.forEach((sec, i) => {
    checkName(sec.key, "section", "");
    const m = sec.value;
    if (m.kind !== "map") {
      throw new SealError("CANNOT_EMIT", `cannot write a top-level value as INI; offending key ${sec.key}`, {
        hint: "every top-level key of an INI file is a section holding key = value pairs",
      });
    }
    let start = 0;
    const head = m.items[0];
    if (head?.kind === "comment") {
      if (head.text !== "") out += commentLines(head.text, false);
      start = 1;
    }
    const hasKeys = m.items.some((it) => it.kind === "entry");
    if (i > 0 || sec.key !== "DEFAULT") out += `[${sec.key}]\n`;
    else if (!hasKeys) {
      out += sectionBody(sec.key, m, start);
      return;
    }
    out += sectionBody(sec.key, m, start);
    if (i < sections.length - 1) out += "\n";
  });
  return out;
}

function sectionsOf(tree: Tree): MapEntry[] {
  const out: MapEntry[] = [];
  for (const b of tree.branches) for (const it of b.items) if (it.kind === "entry") out.push(it);
  return out;
}

export class IniStore implements Store {
  readonly name = "ini" as const;
  readonly metadataLayout = "section" as const;

  /** Options are accepted for a uniform constructor; INI has no layout settings. */
  constructor(_options: StoreOptions = {}) {}

  /**
   * Parses INI text; every value is a string. Refuses what could not come back exactly: invalid UTF-8, a
   * key repeated in one section, text after a section header or a closing quote.
   * @throws SealError BAD_SYNTAX with the line number (and column where it helps).
   */
  parsePlain(src: Uint8Array): Tree {
    return { branches: [toTree(parseIniText(decodeUtf8Strict(src, "INI"), { strict: true }))] };
  }

  /** Read as go-ini reads it (a repeated key's last value wins), so files sops wrote keep their MAC. */
  parseEncrypted(src: Uint8Array): Tree {
    return { branches: [toTree(parseIniText(decoder.decode(src)))] };
  }

  /**
   * Writes every section of every branch in go-ini's pretty format; non-string scalars are rendered by
   * {@link valueToString}.
   * @throws SealError CANNOT_EMIT when a top-level value is not a map, a section holds a map or a list,
   * or a name is empty or spans lines.
   */
  emitPlain(tree: Tree): Uint8Array {
    return encoder.encode(emitSections(sectionsOf(tree)));
  }

  emitEncrypted(tree: Tree): Uint8Array {
    return this.emitPlain(tree);
  }

  /**
   * A map of sections as an INI document, a map of scalars as header-less `key = value` lines, a scalar
   * as its text.
   * @throws SealError CANNOT_EMIT for a list or values INI cannot hold.
   */
  emitValue(node: Node): Uint8Array {
    if (node.kind === "list") {
      throw new SealError("CANNOT_EMIT", "cannot write a list as an INI value", {
        hint: "extract a single item, or use --output-type json",
      });
    }
    if (node.kind !== "map") return encoder.encode(valueToString(node));
    const entries = node.items.filter((it): it is MapEntry => it.kind === "entry");
    const allSections = entries.every((e) => e.value.kind === "map");
    if (allSections) return encoder.encode(emitSections(entries));
    return encoder.encode(emitSections([{ kind: "entry", key: "DEFAULT", value: node }]));
  }
}
