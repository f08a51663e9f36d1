/**
 * Owns: the dotenv store — `.env` text ⇄ one flat tree map, with sops's deliberately small grammar
 * (stores/dotenv/store.go): lines split on `\n` only, `#` comments, key = everything before the first `=`,
 * nothing trimmed or unquoted, `\n` the only escape. Metadata lines (`sops_…`) are ordinary entries here.
 */
import { SealError } from "../errors.js";
import type { MapEntry, Comment, Node, Tree, TreeMap } from "../tree/index.js";
import { valueToString } from "./_value-to-string.js";
import type { Store, StoreOptions } from "./types.js";

// A BOM stays part of the first key, as in sops (it is in that value's AAD).
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
const encoder = new TextEncoder();

function parseDotenv(src: Uint8Array): TreeMap {
  const lines = decoder.decode(src).split("\n");
  const items: Array<MapEntry | Comment> = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.length === 0) continue;
    if (line[0] === "#") {
      items.push({ kind: "comment", text: line.slice(1) });
      continue;
    }
    const eq = line.indexOf("=");
    if (eq === -1) {
      throw new SealError("BAD_SYNTAX", `dotenv syntax error at line ${i + 1}: expected KEY=VALUE`, {
        hint: "every line must be empty, a # comment, or KEY=VALUE",
        details: { line: i + 1 },
      });
    }
    items.push({ kind: "entry", key: line.slice(0, eq), value: { kind: "str", value: line.slice(eq + 1).replaceAll("\\n", "\n") } });
  }
  return { kind: "map", items };
}

function emitLines(m: TreeMap): string {
  let out = "";
  for (const it of m.items) {
    if (it.kind === "comment") {
      out += `#${it.text}\n`;
      continue;
    }
    const v = it.value;
    if (v.kind === "map" || v.kind === "list") {
      throw new SealError("CANNOT_EMIT", `cannot use complex value in dotenv file; offending key ${it.key}`, {
        hint: "dotenv files hold flat KEY=VALUE pairs; use YAML or JSON for nested values",
      });
    }
    if (it.key.includes("=") || it.key.includes("\n") || it.key.startsWith("#")) {
      // sops writes such keys and then reads a different key back (breaking that value's AAD); we refuse.
      throw new SealError("CANNOT_EMIT", `cannot write key ${JSON.stringify(it.key)} in a dotenv file`, {
        hint: "dotenv keys cannot contain '=' or a line break, nor start with '#'",
      });
    }
    const text = v.kind === "str" ? v.value.replaceAll("\n", "\\n") : valueToString(v);
    out += `${it.key}=${text}\n`;
  }
  return out;
}

export class DotenvStore implements Store {
  readonly name = "dotenv" as const;
  readonly metadataLayout = "prefixed" as const;

  /** Options are accepted for a uniform constructor; dotenv has no layout settings. */
  constructor(_options: StoreOptions = {}) {}

  /**
   * Parses `.env` text; every value is a string.
   * @throws SealError BAD_SYNTAX naming the line number of a non-empty line without `=`.
   */
  parsePlain(src: Uint8Array): Tree {
    return { branches: [parseDotenv(src)] };
  }

  parseEncrypted(src: Uint8Array): Tree {
    return this.parsePlain(src);
  }

  /**
   * Writes `#comment` and `KEY=VALUE` lines of the first branch; newlines in strings become `\n`, other
   * scalars are rendered by {@link valueToString}.
   * @throws SealError CANNOT_EMIT when a value is a map or a list.
   */
  emitPlain(tree: Tree): Uint8Array {
    const branch = tree.branches[0];
    return encoder.encode(branch ? emitLines(branch) : "");
  }

  emitEncrypted(tree: Tree): Uint8Array {
    return this.emitPlain(tree);
  }

  /**
   * A map as dotenv lines; a string raw (no newline), other scalars via {@link valueToString}.
   * @throws SealError CANNOT_EMIT for a list or a map holding complex values.
   */
  emitValue(node: Node): Uint8Array {
    if (node.kind === "map") return encoder.encode(emitLines(node));
    if (node.kind === "list") {
      throw new SealError("CANNOT_EMIT", "cannot write a list as a dotenv value", {
        hint: "extract a single item, or use --output-type json",
      });
    }
    return encoder.encode(valueToString(node));
  }
}
