/**
 * Owns: the dotenv store — `.env` text ⇄ one flat tree map. Encrypted files always use sops's deliberately
 * small grammar (stores/dotenv/store.go): lines split on `\n` only, `#` comments, key = everything before
 * the first `=`, nothing trimmed or unquoted, `\n` the only escape; metadata lines (`sops_…`) are ordinary
 * entries here. Plaintext is read and written with the `dotenv` package's grammar (./_dotenv-grammar.ts)
 * unless `dotenvGrammar: "sops"` asks for sops's. Blank lines are kept as items in both.
 */
import { SealError } from "../errors.js";
import type { MapEntry, Comment, Node, Tree, TreeMap } from "../tree/index.js";
import { decodeUtf8Strict } from "./_utf8.js";
import { blankLine, dotenvLine, isBlankLine, parseDotenvGrammar } from "./_dotenv-grammar.js";
import { valueToString } from "./_value-to-string.js";
import type { Store, StoreOptions } from "./types.js";

// A BOM stays part of the first key, as in sops (it is in that value's AAD).
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
const encoder = new TextEncoder();

type Grammar = "dotenv" | "sops";

function parseSopsLines(text: string): TreeMap {
  const lines = text.split("\n");
  const items: Array<MapEntry | Comment> = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.length === 0) {
      // sops skips blank lines; we keep them (never the one after the final newline) so layout survives.
      if (i < lines.length - 1) items.push(blankLine());
      continue;
    }
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

function scalarText(it: MapEntry): string {
  const v = it.value;
  if (v.kind === "map" || v.kind === "list") {
    throw new SealError("CANNOT_EMIT", `cannot use complex value in dotenv file; offending key ${it.key}`, {
      hint: "dotenv files hold flat KEY=VALUE pairs; use YAML or JSON for nested values",
    });
  }
  return v.kind === "str" ? v.value : valueToString(v);
}

/** sops's `KEY=VALUE` line: the value raw with line breaks written as `\n`. */
function sopsLine(key: string, text: string): string {
  if (key.includes("=") || key.includes("\n") || key.startsWith("#")) {
    // sops writes such keys and then reads a different key back (breaking that value's AAD); we refuse.
    throw new SealError("CANNOT_EMIT", `cannot write key ${JSON.stringify(key)} in a dotenv file`, {
      hint: "dotenv keys cannot contain '=' or a line break, nor start with '#'",
    });
  }
  return `${key}=${text.replaceAll("\n", "\\n")}`;
}

/**
 * One line per item. With the dotenv grammar a value is quoted as needed so `dotenv.parse` reads it back;
 * a key dotenv cannot read back (e.g. sops's `foo ` with its trailing space) keeps sops's raw line.
 */
function emitLines(m: TreeMap, grammar: Grammar): string {
  let out = "";
  for (const it of m.items) {
    if (it.kind === "comment") {
      if (isBlankLine(it)) out += "\n";
      else if (grammar === "dotenv") out += it.text.split("\n").map((t) => `#${t}\n`).join("");
      else out += `#${it.text}\n`;
      continue;
    }
    const text = scalarText(it);
    if (grammar === "sops") {
      out += sopsLine(it.key, text) + "\n";
      continue;
    }
    const line = dotenvLine(it.key, text);
    if (line === undefined && /^[\w.-]+$/.test(it.key)) {
      throw new SealError("CANNOT_EMIT", `the value of ${it.key} cannot be written so that dotenv reads it back`, {
        hint: "pass --dotenv-grammar sops to write sops's raw KEY=VALUE lines",
      });
    }
    out += (line ?? sopsLine(it.key, text)) + "\n";
  }
  return out;
}

export class DotenvStore implements Store {
  readonly name = "dotenv" as const;
  readonly metadataLayout = "prefixed" as const;
  readonly #grammar: Grammar;

  /** `options.dotenvGrammar` picks the plaintext grammar: `dotenv` (default) or `sops`. */
  constructor(options: StoreOptions = {}) {
    this.#grammar = options.dotenvGrammar ?? "dotenv";
  }

  /**
   * Parses plaintext `.env` text; every value is a string.
   * @throws SealError BAD_SYNTAX naming the line number of a line that is not blank, a comment or KEY=VALUE,
   *   or the line and column of a byte that is not UTF-8 (it could not come back as it was).
   */
  parsePlain(src: Uint8Array): Tree {
    const text = decodeUtf8Strict(src, "dotenv", { keepBom: true });
    if (this.#grammar === "sops") return { branches: [parseSopsLines(text)] };
    return { branches: [parseDotenvGrammar(text)] };
  }

  /**
   * Parses an encrypted file with sops's grammar, whatever the plaintext grammar.
   * @throws SealError BAD_SYNTAX naming the line number of a non-empty line without `=`.
   */
  parseEncrypted(src: Uint8Array): Tree {
    return { branches: [parseSopsLines(decoder.decode(src))] };
  }

  /**
   * Writes the first branch as lines in the plaintext grammar; other scalars are rendered by
   * {@link valueToString}.
   * @throws SealError CANNOT_EMIT when a value is a map or a list, or cannot be written to read back.
   */
  emitPlain(tree: Tree): Uint8Array {
    const branch = tree.branches[0];
    return encoder.encode(branch ? emitLines(branch, this.#grammar) : "");
  }

  /**
   * Writes the first branch in sops's grammar.
   * @throws SealError CANNOT_EMIT when a value is a map or a list, or a key cannot be written.
   */
  emitEncrypted(tree: Tree): Uint8Array {
    const branch = tree.branches[0];
    return encoder.encode(branch ? emitLines(branch, "sops") : "");
  }

  /**
   * A map as dotenv lines; a string raw (no newline), other scalars via {@link valueToString}.
   * @throws SealError CANNOT_EMIT for a list or a map holding complex values.
   */
  emitValue(node: Node): Uint8Array {
    if (node.kind === "map") return encoder.encode(emitLines(node, this.#grammar));
    if (node.kind === "list") {
      throw new SealError("CANNOT_EMIT", "cannot write a list as a dotenv value", {
        hint: "extract a single item, or use --output-type json",
      });
    }
    return encoder.encode(valueToString(node));
  }
}
