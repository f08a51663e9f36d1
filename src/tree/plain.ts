/**
 * Owns: converting between the tree and plain JavaScript values (for the metadata block, `--extract`,
 * the library API and exec). Comments are dropped; ints become numbers when they are safe, else bigints.
 */
import type { Node, Scalar, TreeMap } from "./node.js";

export type PlainValue = string | number | bigint | boolean | null | Uint8Array | PlainValue[] | { [key: string]: PlainValue };

/** A plain value for a node: maps → objects (key order kept), lists → arrays, scalars → JS values. */
export function toPlain(n: Node): PlainValue {
  if (n.kind === "map") {
    const out: Record<string, PlainValue> = {};
    for (const it of n.items) if (it.kind === "entry") out[it.key] = toPlain(it.value);
    return out;
  }
  if (n.kind === "list") {
    const out: PlainValue[] = [];
    for (const it of n.items) if (it.kind !== "comment") out.push(toPlain(it));
    return out;
  }
  return scalarToPlain(n);
}

export function scalarToPlain(s: Scalar): PlainValue {
  switch (s.kind) {
    case "null":
      return null;
    case "int":
      return s.value >= BigInt(Number.MIN_SAFE_INTEGER) && s.value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(s.value) : s.value;
    default:
      return s.value;
  }
}

/** A tree node for a plain value: integers become `int`, other numbers `float`. */
export function fromPlain(v: PlainValue | undefined): Node {
  if (v === null || v === undefined) return { kind: "null" };
  if (typeof v === "string") return { kind: "str", value: v };
  if (typeof v === "boolean") return { kind: "bool", value: v };
  if (typeof v === "bigint") return { kind: "int", value: v };
  if (typeof v === "number") return Number.isInteger(v) ? { kind: "int", value: BigInt(v) } : { kind: "float", value: v };
  if (v instanceof Uint8Array) return { kind: "bytes", value: v };
  if (Array.isArray(v)) return { kind: "list", items: v.map((x) => fromPlain(x)) };
  return fromPlainObject(v);
}

export function fromPlainObject(o: { [key: string]: PlainValue }): TreeMap {
  return { kind: "map", items: Object.entries(o).map(([key, value]) => ({ kind: "entry" as const, key, value: fromPlain(value) })) };
}
