/**
 * Owns: flattening a nested map into `key → string` pairs and back, with sops's separators
 * (stores/flatten.go): `__map_<key>` for a map level and `__list_<i>` for a list item, e.g.
 * `key_groups__list_1__map_age__list_0__map_recipient`. dotenv and INI keep the `sops` metadata this way.
 * Flattening sorts keys per tree level as sops 3.13 does; empty maps and lists leave no pair (as in sops).
 */
import { SealError } from "../errors.js";
import type { MapEntry, Node, TreeList, TreeMap } from "../tree/index.js";
import { valueToString } from "./_value-to-string.js";

export const MAP_SEPARATOR = "__map_";
export const LIST_SEPARATOR = "__list_";

/** Go's string order (UTF-8 bytes), which is code point order; JS `<` compares UTF-16 units. */
function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(i)!;
    if (ca !== cb) return ca < cb ? -1 : 1;
    if (ca > 0xffff) i++;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

function descend(n: Node, key: string, out: Array<[string, string]>, seen: Set<string>): void {
  if (n.kind === "map") {
    const entries = n.items.filter((it): it is MapEntry => it.kind === "entry");
    entries.sort((x, y) => compareKeys(x.key, y.key));
    for (const e of entries) descend(e.value, key + MAP_SEPARATOR + e.key, out, seen);
    return;
  }
  if (n.kind === "list") {
    let i = 0;
    for (const it of n.items) {
      if (it.kind === "comment") continue;
      descend(it, key + LIST_SEPARATOR + i, out, seen);
      i++;
    }
    return;
  }
  if (seen.has(key)) {
    throw new SealError("CANNOT_EMIT", `key collision "${key}" while flattening`);
  }
  seen.add(key);
  out.push([key, valueToString(n)]);
}

/**
 * Flattens `m` into pairs: top-level keys get `prefix` prepended, deeper levels the separators. Keys are
 * sorted per level, list items keep their order; comments are skipped; scalars become
 * {@link valueToString} text.
 * @throws SealError CANNOT_EMIT when two paths flatten to the same key.
 */
export function flattenMap(m: TreeMap, prefix = ""): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const seen = new Set<string>();
  const entries = m.items.filter((it): it is MapEntry => it.kind === "entry");
  entries.sort((x, y) => compareKeys(x.key, y.key));
  for (const e of entries) descend(e.value, prefix + e.key, out, seen);
  return out;
}

type Token = { map: string } | { index: number };

/** Splits a flattened key at every separator, scanning left to right as sops's tokenize does. */
function tokenize(path: string): Token[] {
  const tokens: Token[] = [];
  let state: "start" | "map" | "list" = "start";
  let last = 0;
  let i = 0;
  const finish = (): void => {
    if (state === "list") {
      const digits = path.slice(last + LIST_SEPARATOR.length, i);
      if (!/^\d+$/.test(digits)) {
        throw new SealError("BAD_METADATA", `invalid list index in flattened key "${path}"`);
      }
      tokens.push({ index: Number(digits) });
    } else {
      tokens.push({ map: path.slice(state === "map" ? last + MAP_SEPARATOR.length : last, i) });
    }
    last = i;
  };
  while (i < path.length) {
    if (path.startsWith(MAP_SEPARATOR, i)) {
      finish();
      state = "map";
      i += MAP_SEPARATOR.length;
    } else if (path.startsWith(LIST_SEPARATOR, i)) {
      finish();
      state = "list";
      i += LIST_SEPARATOR.length;
    } else i++;
  }
  finish();
  return tokens;
}

interface Slot {
  value?: string;
  keys?: Map<string, Slot>;
  indices?: Map<number, Slot>;
}

function build(slot: Slot, path: string): Node {
  const kinds = Number(slot.value !== undefined) + Number(slot.keys !== undefined) + Number(slot.indices !== undefined);
  if (kinds > 1) throw new SealError("BAD_METADATA", `flattened keys under "${path}" mix values, maps and lists`);
  if (slot.value !== undefined) return { kind: "str", value: slot.value };
  if (slot.indices !== undefined) {
    const n = slot.indices.size;
    const items: TreeList["items"] = [];
    for (let i = 0; i < n; i++) {
      const child = slot.indices.get(i);
      if (child === undefined) throw new SealError("BAD_METADATA", `incomplete list under "${path}"`);
      items.push(build(child, `${path}${LIST_SEPARATOR}${i}`));
    }
    return { kind: "list", items };
  }
  const items: MapEntry[] = [];
  for (const [k, child] of slot.keys ?? []) {
    items.push({ kind: "entry", key: k, value: build(child, path ? `${path}${MAP_SEPARATOR}${k}` : k) });
  }
  return { kind: "map", items };
}

/**
 * Rebuilds the nested map from flattened pairs (prefix already removed). Map keys keep the order in which
 * they first appear; list items are placed by index. Every value is a `str`.
 * @throws SealError BAD_METADATA on a repeated key, a key that is both a value and a container, a list
 * with a missing index, or a malformed index.
 */
export function unflattenPairs(pairs: Array<[string, string]>): TreeMap {
  const root: Slot = {};
  for (const [key, value] of pairs) {
    let slot = root;
    for (const t of tokenize(key)) {
      if ("map" in t) {
        slot.keys ??= new Map();
        let next = slot.keys.get(t.map);
        if (next === undefined) slot.keys.set(t.map, (next = {}));
        slot = next;
      } else {
        slot.indices ??= new Map();
        let next = slot.indices.get(t.index);
        if (next === undefined) slot.indices.set(t.index, (next = {}));
        slot = next;
      }
    }
    if (slot.value !== undefined) throw new SealError("BAD_METADATA", `duplicate flattened key "${key}"`);
    slot.value = value;
  }
  if (root.value !== undefined || root.indices !== undefined) {
    throw new SealError("BAD_METADATA", "flattened keys do not describe a map");
  }
  return build(root, "") as TreeMap;
}
