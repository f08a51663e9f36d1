/**
 * Owns: the format-neutral document every format parses into and emits from.
 * Maps are ordered lists of items (entries and comments), so key order, comments and the MAC input
 * (document order) survive a round trip. Scalars keep their sops type explicitly, because JavaScript has
 * one `number` and sops tells `int` from `float`.
 */

/** A leaf value with its sops type. `int` is a bigint so 64-bit integers stay exact. */
export type Scalar =
  | { readonly kind: "str"; readonly value: string }
  | { readonly kind: "int"; readonly value: bigint }
  | { readonly kind: "float"; readonly value: number }
  | { readonly kind: "bool"; readonly value: boolean }
  /** RFC 3339 text, as Go's time.MarshalText writes it (e.g. `2024-01-01T00:00:00Z`). */
  | { readonly kind: "time"; readonly value: string }
  /** Raw bytes that are not valid UTF-8 (binary files), or legacy `type:bytes` values. Written as `type:str`. */
  | { readonly kind: "bytes"; readonly value: Uint8Array }
  | { readonly kind: "null" };

/** A comment line; `text` is what follows the comment marker (`# foo` → ` foo`), or an `ENC[…]` string. */
export interface Comment {
  readonly kind: "comment";
  text: string;
  /** The comment sat at the end of a value's line (`key: v # c`), not on a line of its own. */
  inline?: boolean;
}

export interface MapEntry {
  readonly kind: "entry";
  key: string;
  value: Node;
}

export interface TreeMap {
  readonly kind: "map";
  items: Array<MapEntry | Comment>;
}

export interface TreeList {
  readonly kind: "list";
  items: Array<Node | Comment>;
}

/** Anything that can stand as a value. */
export type Node = Scalar | TreeMap | TreeList;

/** A whole file: one branch per YAML document (every other format has exactly one). */
export interface Tree {
  branches: TreeMap[];
  /** Format-private record of how the source was written (opaque here; non-enumerable; kept by cloneTree). */
  layout?: unknown;
}

/**
 * A layout that also holds presentation derived from the plaintext (where a value wraps, how a number was
 * spelled): that part may only be stored encrypted. The document layer seals `privateText` under the data
 * key and hands the opened text back through `restorePrivate`.
 */
export interface PrivateLayout {
  /** The text to store encrypted for `tree` as it is now (the plaintext tree), or undefined for none. */
  privateText(tree: Tree): string | undefined;
  /** Receives the opened text, with the decrypted tree it belongs to. */
  restorePrivate(text: string, plain: Tree): void;
}

/** The tree's layout when it carries a private part. */
export function privateLayoutOf(tree: Tree): PrivateLayout | undefined {
  const l = tree.layout as Partial<PrivateLayout> | undefined;
  return l && typeof l.privateText === "function" && typeof l.restorePrivate === "function" ? (l as PrivateLayout) : undefined;
}

export const str = (value: string): Scalar => ({ kind: "str", value });
export const int = (value: bigint | number): Scalar => ({ kind: "int", value: BigInt(value) });
export const float = (value: number): Scalar => ({ kind: "float", value });
export const bool = (value: boolean): Scalar => ({ kind: "bool", value });
export const nul = (): Scalar => ({ kind: "null" });
export const comment = (text: string, inline?: boolean): Comment =>
  inline ? { kind: "comment", text, inline } : { kind: "comment", text };
export const entry = (key: string, value: Node): MapEntry => ({ kind: "entry", key, value });
export const map = (items: Array<MapEntry | Comment> = []): TreeMap => ({ kind: "map", items });
export const list = (items: Array<Node | Comment> = []): TreeList => ({ kind: "list", items });

export function isScalar(n: Node | Comment): n is Scalar {
  return n.kind !== "map" && n.kind !== "list" && n.kind !== "comment";
}

/** The value stored under `key` in `m`, or undefined. */
export function getEntry(m: TreeMap, key: string): MapEntry | undefined {
  for (const it of m.items) if (it.kind === "entry" && it.key === key) return it;
  return undefined;
}
