/**
 * Owns: the JSON store — JSON text ⇄ tree as sops 3.13.2 reads and writes it (stores/json/store.go).
 * Key order and duplicate keys are kept; an integer literal in int64 range is an `int`, any other number a
 * `float`. Note: Go writes the float 2.0 as `2`, so it reads back as an int — sops does the same.
 * The `sops` metadata is an ordinary top-level key here (layout `nested`).
 */
import type { Node, Tree, TreeMap } from "../tree/index.js";
import { nodeToJson, indentUnit } from "./_json-emit.js";
import { parseJsonObject } from "./_json-parse.js";
import { decodeUtf8Strict } from "./_utf8.js";
import type { Store, StoreOptions } from "./types.js";

const decoder = new TextDecoder();
const encoder = new TextEncoder();

export class JsonStore implements Store {
  readonly name = "json" as const;
  readonly metadataLayout = "nested" as const;
  readonly #unit: string;

  /** @throws SealError USAGE when `options.indent` is below -1 or not a whole number. */
  constructor(options: StoreOptions = {}) {
    this.#unit = indentUnit(options.indent);
  }

  /**
   * Parses a JSON document whose top level is an object, refusing what could not come back exactly:
   * invalid UTF-8, a lone surrogate escape, an integer beyond int64.
   * @throws SealError BAD_SYNTAX with line and column, or when the top level is not an object.
   */
  parsePlain(src: Uint8Array): Tree {
    return { branches: [parseJsonObject(decodeUtf8Strict(src, "JSON"), { strict: true })] };
  }

  /**
   * Same grammar, read as sops reads it (U+FFFD, float64), so files sops wrote keep their MAC; the `sops`
   * key is left in the tree for the metadata module.
   */
  parseEncrypted(src: Uint8Array): Tree {
    return { branches: [parseJsonObject(decoder.decode(src))] };
  }

  /**
   * Writes the first branch (JSON holds one document, as in sops) with a trailing newline.
   * @throws SealError CANNOT_EMIT for NaN/Infinity floats.
   */
  emitPlain(tree: Tree): Uint8Array {
    const branch: TreeMap = tree.branches[0] ?? { kind: "map", items: [] };
    return encoder.encode(nodeToJson(branch, this.#unit) + "\n");
  }

  emitEncrypted(tree: Tree): Uint8Array {
    return this.emitPlain(tree);
  }

  /**
   * One value for `decrypt --extract`: its indented JSON text with no trailing newline, as sops's
   * `EmitValue` (a string therefore comes out quoted; printing strings raw is the caller's choice).
   * @throws SealError CANNOT_EMIT for NaN/Infinity floats.
   */
  emitValue(node: Node): Uint8Array {
    return encoder.encode(nodeToJson(node, this.#unit));
  }
}

