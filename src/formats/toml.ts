/**
 * Owns: the TOML store (https://toml.io/en/v1.0.0) over smol-toml — TOML text ⇄ tree, metadata in a
 * `[sops]` table (layout `nested`, so key entries become `[[sops.age]]` arrays of tables). sops has no
 * TOML store (it treats `.toml` as binary); this layout is sealfile's own.
 * Types: integer → `int`, float → `float`, boolean → `bool`, string → `str`, offset date-time → `time`;
 * local dates, times and date-times have no sops type and are kept as `str`. Comments and the file's own
 * layout are not kept: output is smol-toml's canonical form.
 */
import { tomlPackage } from "./_toml-package.lazy.js";
import { MAX_DEPTH, tooDeep } from "./limits.js";
import { SealError } from "../errors.js";
import type { MapEntry, Node, Tree, TreeMap } from "../tree/index.js";
import type { Store, StoreOptions } from "./types.js";

const decoder = new TextDecoder();
const encoder = new TextEncoder();

type TomlIn = string | bigint | number | boolean | Date | TomlIn[] | { [k: string]: TomlIn };

function fromToml(v: TomlIn): Node {
  if (typeof v === "string") return { kind: "str", value: v };
  if (typeof v === "bigint") return { kind: "int", value: v };
  if (typeof v === "number") return { kind: "float", value: v };
  if (typeof v === "boolean") return { kind: "bool", value: v };
  if (v instanceof tomlPackage().TomlDate) {
    return v.isDateTime() && !v.isLocal() ? { kind: "time", value: v.toISOString() } : { kind: "str", value: v.toISOString() };
  }
  if (v instanceof Date) return { kind: "time", value: v.toISOString() };
  if (Array.isArray(v)) return { kind: "list", items: v.map(fromToml) };
  return tableToMap(v);
}

/** True when tables and arrays nest more than `max` levels (the top table is 1), walked without recursion. */
function depthOver(root: object, max: number): boolean {
  const todo: Array<[unknown, number]> = [[root, 1]];
  while (todo.length > 0) {
    const [v, d] = todo.pop()!;
    const container = Array.isArray(v) || (v !== null && typeof v === "object" && !(v instanceof Date));
    if (!container) continue;
    if (d > max) return true;
    if (Array.isArray(v)) for (const x of v) todo.push([x, d + 1]);
    else for (const x of Object.values(v)) todo.push([x, d + 1]);
  }
  return false;
}

/** A value smol-toml writes as a `[table]` or `[[array of tables]]` section, after the plain keys. */
function isSection(n: Node): boolean {
  if (n.kind === "map") return true;
  return n.kind === "list" && n.items.length > 0 && n.items.every((it) => it.kind === "map");
}

/**
 * Keys in the order smol-toml writes them back (plain values first, then sections, each group in parse
 * order), so the MAC, computed in document order, sees the same order after a round trip.
 */
function tableToMap(t: { [k: string]: TomlIn }): TreeMap {
  const entries: MapEntry[] = Object.keys(t).map((k) => ({ kind: "entry", key: k, value: fromToml(t[k]!) }));
  return { kind: "map", items: [...entries.filter((e) => !isSection(e.value)), ...entries.filter((e) => isSection(e.value))] };
}

type TomlOut = string | bigint | number | boolean | Date | TomlOut[] | { [k: string]: TomlOut };

function toToml(n: Node, where: string): TomlOut {
  switch (n.kind) {
    case "str":
      return n.value;
    case "int":
      return n.value;
    case "float":
      return n.value;
    case "bool":
      return n.value;
    case "time":
      return new (tomlPackage().TomlDate)(n.value);
    case "bytes":
      return decoder.decode(n.value);
    case "null":
      throw new SealError("CANNOT_EMIT", `TOML has no null; offending key ${where || "(top level)"}`, {
        hint: "give the key a value, or use --output-type yaml or json",
      });
    case "list":
      return n.items.filter((it) => it.kind !== "comment").map((it) => toToml(it as Node, where));
    case "map": {
      const out: { [k: string]: TomlOut } = {};
      for (const it of n.items) {
        if (it.kind !== "entry") continue;
        Object.defineProperty(out, it.key, { value: toToml(it.value, where ? `${where}.${it.key}` : it.key), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
  }
}

function emitMap(m: TreeMap): Uint8Array {
  try {
    return encoder.encode(tomlPackage().stringify(toToml(m, ""), { numbersAsFloat: true }));
  } catch (e) {
    if (e instanceof SealError) throw e;
    throw new SealError("CANNOT_EMIT", "cannot write this tree as TOML", { hint: "use --output-type yaml or json" });
  }
}

export class TomlStore implements Store {
  readonly name = "toml" as const;
  readonly metadataLayout = "nested" as const;

  /** Options are accepted for a uniform constructor; TOML output has no layout settings. */
  constructor(_options: StoreOptions = {}) {}

  /**
   * Parses a TOML document.
   * @throws SealError BAD_SYNTAX with line and column (never the offending text).
   */
  parsePlain(src: Uint8Array): Tree {
    const { parse, TomlError } = tomlPackage();
    let doc: { [k: string]: TomlIn };
    try {
      doc = parse(decoder.decode(src), { integersAsBigInt: true, maxDepth: MAX_DEPTH }) as { [k: string]: TomlIn };
    } catch (e) {
      const at = e instanceof TomlError ? ` at line ${e.line}, column ${e.column}` : "";
      throw new SealError("BAD_SYNTAX", `TOML syntax error${at}`, {
        hint: "check the file against https://toml.io; a file sops encrypted as binary needs --input-type binary",
        ...(e instanceof TomlError ? { details: { line: e.line, column: e.column } } : {}),
      });
    }
    // Dotted keys (`[a.b.c…]`) nest without brackets, which the parser's maxDepth does not see.
    if (depthOver(doc, MAX_DEPTH)) throw tooDeep("TOML");
    return { branches: [tableToMap(doc)] };
  }

  /** Same grammar as plaintext; the `sops` table is left in the tree for the metadata module. */
  parseEncrypted(src: Uint8Array): Tree {
    return this.parsePlain(src);
  }

  /**
   * Writes the first branch as TOML.
   * @throws SealError CANNOT_EMIT for null values or keys TOML cannot hold.
   */
  emitPlain(tree: Tree): Uint8Array {
    return emitMap(tree.branches[0] ?? { kind: "map", items: [] });
  }

  emitEncrypted(tree: Tree): Uint8Array {
    return this.emitPlain(tree);
  }

  /**
   * A map as a TOML document; a scalar or list as its TOML value text.
   * @throws SealError CANNOT_EMIT for null values.
   */
  emitValue(node: Node): Uint8Array {
    if (node.kind === "map") return emitMap(node);
    if (isSection(node)) {
      throw new SealError("CANNOT_EMIT", "cannot write a list of tables as a single TOML value", { hint: "use --output-type json" });
    }
    const text = tomlPackage().stringify({ v: toToml(node, "") }, { numbersAsFloat: true });
    return encoder.encode(text.slice("v = ".length).replace(/\n$/, ""));
  }
}
