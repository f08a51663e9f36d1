/**
 * Owns: reading a small YAML file (`.sops.yaml`) into plain data — objects, arrays, strings, booleans and
 * nulls — with the fast line reader, when the file keeps to what that reader and the `yaml` package's core
 * schema read alike. Loading and running the `yaml` package costs more than the rest of a `decrypt`; a
 * config that holds a number, a timestamp, an odd key or anything the fast reader does not read gets
 * undefined here, and the caller reads it with the package as before.
 */
import { isSealError } from "../errors.js";
import type { Node } from "../tree/index.js";
import { parseFast } from "./_yaml-fast-parse.js";
import { resolvePlain } from "./_yaml-scalar.js";

class NotPlain extends Error {}

function plain(node: Node): unknown {
  switch (node.kind) {
    case "str":
    case "bool":
      return node.value;
    case "null":
      return null;
    case "list":
      return node.items.flatMap((item) => (item.kind === "comment" ? [] : [plain(item)]));
    case "map": {
      const out: Record<string, unknown> = {};
      for (const item of node.items) {
        if (item.kind === "comment") continue;
        // A key that reads as another type, a merge key or __proto__ is turned into a JS key by rules of its own.
        if (item.key === "<<" || item.key === "__proto__" || resolvePlain(item.key).kind !== "str") throw new NotPlain();
        out[item.key] = plain(item.value);
      }
      return out;
    }
    default:
      // Numbers and timestamps: the two readers resolve some spellings differently (`1_000`, `0b1`, dates).
      throw new NotPlain();
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
  if (!tree || tree.branches.length !== 1) return undefined;
  try {
    return plain(tree.branches[0]!);
  } catch (e) {
    if (e instanceof NotPlain) return undefined;
    throw e;
  }
}
