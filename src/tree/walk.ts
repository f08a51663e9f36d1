/**
 * Owns: visiting every leaf of a tree with its sops path, in document order.
 * The path holds map keys only: sops never adds list indices (sops.go walkSlice), which is what the
 * value AAD and the encryption rules see.
 */
import type { Comment, Node, Scalar, Tree, TreeList, TreeMap } from "./node.js";

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
  for (const branch of tree.branches) walkMap(branch, [], [], onScalar, onComment);
}

function walkMap(
  m: TreeMap,
  path: string[],
  stack: Comment[],
  onScalar: (s: Scalar, v: LeafVisit) => Scalar,
  onComment: (c: Comment, v: LeafVisit) => Comment,
): void {
  const pending: Comment[] = [];
  for (let i = 0; i < m.items.length; i++) {
    const it = m.items[i]!;
    if (it.kind === "comment") {
      m.items[i] = onComment(it, { path, comments: [...stack, ...pending] });
      pending.push(it);
      continue;
    }
    const childPath = [...path, it.key];
    const childStack = [...stack, ...pending];
    it.value = walkNode(it.value, childPath, childStack, onScalar, onComment);
    pending.length = 0;
  }
}

function walkList(
  l: TreeList,
  path: string[],
  stack: Comment[],
  onScalar: (s: Scalar, v: LeafVisit) => Scalar,
  onComment: (c: Comment, v: LeafVisit) => Comment,
): void {
  const pending: Comment[] = [];
  for (let i = 0; i < l.items.length; i++) {
    const it = l.items[i]!;
    if (it.kind === "comment") {
      l.items[i] = onComment(it, { path, comments: [...stack, ...pending] });
      pending.push(it);
      continue;
    }
    l.items[i] = walkNode(it, path, [...stack, ...pending], onScalar, onComment);
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
  if (n.kind === "map") {
    walkMap(n, path, stack, onScalar, onComment);
    return n;
  }
  if (n.kind === "list") {
    walkList(n, path, stack, onScalar, onComment);
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
