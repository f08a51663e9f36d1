/**
 * Owns: the YAML store — YAML streams ⇄ tree, one branch per document, comments kept in place.
 * Format: sops stores/yaml/store.go with go.yaml.in/yaml/v3 (see sops-format.md §5.1).
 */
import { SealError } from "../errors.js";
import type { Node, Tree } from "../tree/index.js";
import type { FormatName, MetadataLayout, Store, StoreOptions } from "./types.js";
import { YamlEmitter } from "./_yaml-emit.js";
import { parseFast } from "./_yaml-fast-parse.js";
import { parseWithLibrary } from "./_yaml-parse.js";

/** sops's default YAML indent (stores/yaml IndentDefault). */
export const YAML_DEFAULT_INDENT = 4;

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
const encoder = new TextEncoder();

export class YamlStore implements Store {
  readonly name: FormatName = "yaml";
  readonly metadataLayout: MetadataLayout = "nested";
  readonly indent: number;

  /** @throws SealError CANNOT_EMIT when the indent is outside 1–9. */
  constructor(options: StoreOptions = {}) {
    this.indent = options.indent ?? YAML_DEFAULT_INDENT;
    new YamlEmitter(this.indent); // validates the indent now rather than at the first emit
  }

  /** @throws SealError BAD_SYNTAX for malformed YAML, a non-mapping document or a duplicate key. */
  parsePlain(src: Uint8Array): Tree {
    let text: string;
    try {
      text = utf8.decode(src);
    } catch {
      throw new SealError("BAD_SYNTAX", "YAML input is not valid UTF-8");
    }
    return parseFast(text) ?? parseWithLibrary(text);
  }

  /** Same as {@link parsePlain}: the `sops` block is an ordinary entry to this store. */
  parseEncrypted(src: Uint8Array): Tree {
    return this.parsePlain(src);
  }

  /** @throws SealError CANNOT_EMIT */
  emitPlain(tree: Tree): Uint8Array {
    const emitter = new YamlEmitter(this.indent);
    return encoder.encode(tree.branches.map((b) => emitter.document(b)).join("---\n"));
  }

  emitEncrypted(tree: Tree): Uint8Array {
    return this.emitPlain(tree);
  }

  emitValue(node: Node): Uint8Array {
    return encoder.encode(new YamlEmitter(this.indent).value(node));
  }
}
