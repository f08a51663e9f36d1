/**
 * Owns: reading a small YAML file (`.sops.yaml`) into plain data — objects, arrays, strings, booleans and
 * nulls — with the fast line reader, when the file keeps to what that reader and the `yaml` package's core
 * schema read alike. Loading and running the `yaml` package costs more than the rest of a `decrypt`; a
 * config that holds a number, a timestamp, an odd key or anything the fast reader does not read gets
 * undefined here, and the caller reads it with the package as before.
 */
import { isSealError } from "../errors.js";
import type { Node } from "../tree/index.js";
import { toPlain } from "../tree/plain.js";
import { parseFast } from "./_yaml-fast-parse.js";
import { resolvePlain } from "./_yaml-scalar.js";

/**
 * Whether the node holds only what both readers read alike: maps, lists, strings, booleans and nulls, under
 * keys that read as strings. Numbers and timestamps are left out (the two resolve some spellings differently:
 * `1_000`, `0b1`, dates), and so are keys that read as another type, merge keys and `__proto__`.
 */
function readsAlike(node: Node): boolean {
  switch (node.kind) {
    case "str":
    case "bool":
    case "null":
      return true;
    case "list":
      return node.items.every((item) => item.kind === "comment" || readsAlike(item));
    case "map":
      return node.items.every(
        (item) => item.kind === "comment" || (item.key !== "<<" && item.key !== "__proto__" && resolvePlain(item.key).kind === "str" && readsAlike(item.value)),
      );
    default:
      return false;
  }
}

/** The one document in `text` as plain data, or undefined when the `yaml` package must read it. */
export function plainDataFast(text: string): unknown {
  let tree;
  try {
    tree = parseFast(text, undefined, false);
  } catch (e) {
    if (isSealError(e)) return undefined; // a repeated key: the package reports it
    throw e;
  }
  const doc = tree?.branches.length === 1 ? tree.branches[0]! : undefined;
  return doc !== undefined && readsAlike(doc) ? toPlain(doc) : undefined;
}
