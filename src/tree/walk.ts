/**
 * Owns: visiting every leaf of a tree with its sops path, in document order.
 * The path holds map keys only: sops never adds list indices (sops.go walkSlice), which is what the
 * value AAD and the encryption rules see.
 */
import type { Comment, MapEntry, Node, Scalar, Tree, TreeMap } from "./node.js";

export interface LeafVisit {
  /** Map keys from the branch root to this leaf (list indices are not part of it). */
  readonly path: readonly string[];
  /** Comments at each nesting level that precede the item being visited (sops's comment stack). */
  readonly comments: readonly Comment[];
}

/**
 * Calls `onScalar` for every scalar and `onComment` for every comment, depth first in document order,
 * across all branches. The callbacks return the node to store in place (or the same node).
 */
export function mapLeaves(
  tree: Tree,
  onScalar: (s: Scalar, visit: LeafVisit) => Scalar,
  onComment: (c: Comment, visit: LeafVisit) => Comment = (c) => c,
): void {
  for (const branch of tree.branches) walkItems(branch.items, [], [], onScalar, onComment);
}

/**
 * Walks the items of a map or list. Comments on lines of their own apply to the next item (sops's
 * comment stack); an inline comment (`key: v # c`) applies to the item on its line, as in sops, where it
 * sits before that item in the tree.
 */
function walkItems(
  items: Array<MapEntry | Node | Comment>,
  path: string[],
  stack: Comment[],
  onScalar: (s: Scalar, v: LeafVisit) => Scalar,
  onComment: (c: Comment, v: LeafVisit) => Comment,
): void {
  const pending: Comment[] = [];
  for (let i = 0; i < items.length; i++) {
    const it = items[i]!;
    if (it.kind === "comment") {
      items[i] = onComment(it, { path, comments: [...stack, ...pending] });
      if (!it.inline) pending.push(it);
      continue;
    }
    const next = items[i + 1];
    const own = next?.kind === "comment" && next.inline ? [next] : [];
    const childStack = [...stack, ...pending, ...own];
    if (it.kind === "entry") it.value = walkNode(it.value, [...path, it.key], childStack, onScalar, onComment);
    else items[i] = walkNode(it, path, childStack, onScalar, onComment);
    pending.length = 0;
  }
}

function walkNode(
  n: Node,
  path: string[],
  stack: Comment[],
  onScalar: (s: Scalar, v: LeafVisit) => Scalar,
  onComment: (c: Comment, v: LeafVisit) => Comment,
): Node {
  if (n.kind === "map" || n.kind === "list") {
    walkItems(n.items, path, stack, onScalar, onComment);
    return n;
  }
  return onScalar(n, { path, comments: stack });
}

/** A deep copy of a tree (scalars are immutable and shared). */
export function cloneTree(tree: Tree): Tree {
  const out: Tree = { branches: tree.branches.map((b) => cloneNode(b) as TreeMap) };
  if (tree.layout !== undefined) Object.defineProperty(out, "layout", { value: tree.layout, enumerable: false, writable: true, configurable: true });
  return out;
}

export function cloneNode<T extends Node | Comment>(n: T): T {
  if (n.kind === "map") return { kind: "map", items: n.items.map((i) => (i.kind === "entry" ? { ...i, value: cloneNode(i.value) } : { ...i })) } as T;
  if (n.kind === "list") return { kind: "list", items: n.items.map((i) => cloneNode(i)) } as T;
  if (n.kind === "comment") return { ...n };
  return n;
}
