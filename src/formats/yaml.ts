/**
 * Owns: the YAML store — YAML streams ⇄ tree, one branch per document, comments kept in place.
 * Format: sops stores/yaml/store.go with go.yaml.in/yaml/v3 (see sops-format.md §5.1).
 */
import { SealError } from "../errors.js";
import type { Comment, MapEntry, Node, PrivateLayout, Tree } from "../tree/index.js";
import type { FormatName, MetadataLayout, Store, StoreOptions } from "./types.js";
import { checkYamlDepth } from "./_yaml-depth.js";
import { YamlEmitter } from "./_yaml-emit.js";
import { parseFast } from "./_yaml-fast-parse.js";
import { buildLayout, decodeStyles, restorePrivate, STYLES_KEY, type StyleRecord, type YamlLayout } from "./_yaml-layout.js";
import type { ParseRecorder } from "./_yaml-parse.js";
import { libraryReader } from "./_yaml-parse.lazy.js";
import { privateRecord, spliceEmit } from "./_yaml-splice.js";

/** sops's default YAML indent (stores/yaml IndentDefault). */
export const YAML_DEFAULT_INDENT = 4;

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
const BLANK_LINE = /\n[ \t]*\r?\n/;
const encoder = new TextEncoder();

/** The text of a YAML file, held to the depth limit before any recursive reader sees it. @throws SealError BAD_SYNTAX */
function decodeUtf8(src: Uint8Array): string {
  let text: string;
  try {
    text = utf8.decode(src);
  } catch {
    throw new SealError("BAD_SYNTAX", "YAML input is not valid UTF-8");
  }
  checkYamlDepth(text);
  return text;
}

/** The `yaml` package's reading, for what the fast reader does not read. */
const parseWithLibrary = (text: string, recorder?: ParseRecorder): Tree => libraryReader().parseWithLibrary(text, recorder);

const noStyles = (): undefined => undefined;

/** The tree without style lists in its `sops` blocks (a canonical file has no layout for one to describe). */
function withoutStyles(tree: Tree): Tree {
  const strip = (it: MapEntry | Comment): MapEntry | Comment =>
    it.kind === "entry" && it.key === "sops" && it.value.kind === "map"
      ? { ...it, value: { kind: "map", items: it.value.items.filter((x) => !(x.kind === "entry" && x.key === STYLES_KEY)) } }
      : it;
  return { branches: tree.branches.map((b) => ({ kind: "map", items: b.items.map(strip) })) };
}

/** The style list in the first document's `sops` block, when there is a valid one. */
function stylesOf(tree: Tree): StyleRecord | undefined {
  const sops = tree.branches[0]?.items.find((i) => i.kind === "entry" && i.key === "sops");
  if (!sops || sops.kind !== "entry" || sops.value.kind !== "map") return undefined;
  const rec = sops.value.items.find((i) => i.kind === "entry" && i.key === STYLES_KEY);
  if (!rec || rec.kind !== "entry" || rec.value.kind !== "str") return undefined;
  return decodeStyles(rec.value.value);
}

/** A map anywhere in the node holds the same key twice (only a repeated merge key `<<` is read that way). */
function hasRepeatedKey(n: Node): boolean {
  if (n.kind === "list") return n.items.some((i) => i.kind !== "comment" && hasRepeatedKey(i));
  if (n.kind !== "map") return false;
  const seen = new Set<string>();
  for (const it of n.items) {
    if (it.kind !== "entry") continue;
    if (seen.has(it.key) || hasRepeatedKey(it.value)) return true;
    seen.add(it.key);
  }
  return false;
}

export class YamlStore implements Store {
  readonly name: FormatName = "yaml";
  readonly metadataLayout: MetadataLayout = "nested";
  readonly indent: number;

  /** @throws SealError CANNOT_EMIT when the indent is outside 1–9. */
  constructor(options: StoreOptions = {}) {
    this.indent = options.indent ?? YAML_DEFAULT_INDENT;
    new YamlEmitter(this.indent); // validates the indent now rather than at the first emit
  }

  /**
   * Parses a plaintext file. Unless the canonical emitter would write the file exactly as it is, the tree
   * carries the file's layout (`Tree.layout`), so `emitEncrypted` keeps it as written.
   * @throws SealError BAD_SYNTAX for malformed YAML, a non-mapping document or a duplicate key.
   */
  parsePlain(src: Uint8Array): Tree {
    const text = decodeUtf8(src);
    // The canonical layout has no blank lines outside block scalars: such a file is read once, for its layout.
    const fast = BLANK_LINE.test(text) ? undefined : parseFast(text);
    if (fast && this.canonical(fast) === text) return fast;
    return this.readWithLayout(text, noStyles);
  }

  /**
   * Parses an encrypted file, metadata included. A file this store wrote from a plaintext layout carries a
   * style list in its `sops` block; then the tree carries the layout, so `emitPlain` restores the original.
   * Files without one (written by sops) decrypt to the canonical layout.
   * @throws SealError BAD_SYNTAX
   */
  parseEncrypted(src: Uint8Array): Tree {
    const text = decodeUtf8(src);
    // Read once, with positions, when there may be a style list (it is checked against what was read).
    if (text.includes(STYLES_KEY)) return this.readWithLayout(text, stylesOf);
    return parseFast(text) ?? parseWithLibrary(text);
  }

  /** Canonical output; a tree read from a file this store encrypted is written back in that file's original layout. @throws SealError CANNOT_EMIT */
  emitPlain(tree: Tree): Uint8Array {
    const layout = tree.layout as YamlLayout | undefined;
    if (layout?.sealed) {
      const text = spliceEmit(tree, layout, false, (t) => parseFast(t) ?? parseWithLibrary(t));
      if (text !== undefined) return encoder.encode(text);
    }
    return encoder.encode(this.canonical(tree));
  }

  /** The tree in its source layout when it has one (adding a style list to the `sops` blocks), else canonical. @throws SealError CANNOT_EMIT */
  emitEncrypted(tree: Tree): Uint8Array {
    const layout = tree.layout as YamlLayout | undefined;
    if (layout) {
      const text = spliceEmit(tree, layout, true, (t) => parseFast(t) ?? parseWithLibrary(t));
      if (text !== undefined) return encoder.encode(text);
    }
    if (tree.branches.some(hasRepeatedKey)) {
      // The canonical emitter quotes `<<`, and a repeated quoted key is a duplicate no YAML reader accepts.
      throw new SealError("CANNOT_EMIT", "this YAML file repeats a merge key (`<<`) in a place its layout cannot be kept, so it cannot be written readably", {
        hint: "merge the anchors into one `<<: [*a, *b]` entry, or write the merged keys out",
      });
    }
    return encoder.encode(this.canonical(withoutStyles(tree)));
  }

  private canonical(tree: Tree): string {
    const emitter = new YamlEmitter(this.indent);
    return tree.branches.map((b) => emitter.document(b)).join("---\n");
  }

  /**
   * The file read with its layout attached; without one (or its style list) when they do not fit. The fast
   * reader reads it when it can record the layout as the library would (for an encrypted file, aliases aside).
   */
  private readWithLayout(text: string, stylesFor: (t: Tree) => StyleRecord | undefined): Tree {
    let recorder: ParseRecorder = { origins: new Map(), docs: [] };
    let tree = parseFast(text, recorder, stylesFor !== noStyles);
    let styles = tree ? stylesFor(tree) : undefined;
    // Where an alias was, the encrypted file holds a copy, whose span only the library records.
    if (styles?.d.some((d) => d.a !== undefined && d.a.length > 0)) tree = undefined;
    if (!tree) {
      recorder = { origins: new Map(), docs: [] };
      tree = parseWithLibrary(text, recorder);
      styles = stylesFor(tree);
    }
    if (stylesFor !== noStyles && !styles) return tree;
    let layout: YamlLayout | undefined;
    try {
      layout = buildLayout(text, tree, recorder, this.indent, styles);
    } catch {
      layout = undefined; // presentation only: a file it cannot describe is written canonically
    }
    if (!layout) return tree;
    // The part derived from the plaintext goes to the document layer, which stores it encrypted.
    const withPrivate: YamlLayout & PrivateLayout = Object.assign(layout, {
      privateText: (t: Tree) => privateRecord(t, layout!),
      restorePrivate: (text: string, plain: Tree) => restorePrivate(layout!, text, plain),
    });
    // Non-enumerable: presentation, not content, so deep comparisons and serialisations of trees ignore it.
    Object.defineProperty(tree, "layout", { value: withPrivate, enumerable: false, writable: true, configurable: true });
    return tree;
  }

  emitValue(node: Node): Uint8Array {
    return encoder.encode(new YamlEmitter(this.indent).value(node));
  }
}
