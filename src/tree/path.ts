/**
 * Owns: sops's tree-path syntax (`["a"]["b"][0]`, `['a']`) used by `--extract`, `set` and `unset`, and
 * looking up / replacing / removing the node it names.
 */
import { SealError } from "../errors.js";
import type { Node, Tree, TreeList, TreeMap } from "./node.js";

export type PathStep = string | number;

/**
 * Parses `["key"][0]['other']`. String steps are taken verbatim between the quotes.
 * @throws SealError BAD_TREE_PATH (exit 91)
 */
export function parseTreePath(s: string): PathStep[] {
  const steps: PathStep[] = [];
  let i = 0;
  const bad = (why: string): SealError =>
    new SealError("BAD_TREE_PATH", `invalid path ${JSON.stringify(s)}: ${why}`, { hint: `use the form '["key"]["nested"][0]'` });
  while (i < s.length) {
    if (s[i] !== "[") throw bad(`expected "[" at position ${i + 1}`);
    const q = s[i + 1];
    if (q === '"' || q === "'") {
      const end = s.indexOf(`${q}]`, i + 2);
      if (end < 0) throw bad("unterminated key");
      steps.push(s.slice(i + 2, end));
      i = end + 2;
    } else {
      const end = s.indexOf("]", i);
      if (end < 0) throw bad("unterminated index");
      const n = s.slice(i + 1, end);
      if (!/^\d+$/.test(n)) throw bad(`"${n}" is not a list index`);
      steps.push(Number(n));
      i = end + 1;
    }
  }
  if (steps.length === 0) throw bad("empty path");
  return steps;
}

function child(n: Node, step: PathStep): Node | undefined {
  if (typeof step === "string") {
    if (n.kind !== "map") return undefined;
    for (const it of n.items) if (it.kind === "entry" && it.key === step) return it.value;
    return undefined;
  }
  if (n.kind !== "list") return undefined;
  return n.items.filter((x) => x.kind !== "comment")[step] as Node | undefined;
}

/** The node at `steps` in the first branch, or undefined. */
export function getAtPath(tree: Tree, steps: readonly PathStep[]): Node | undefined {
  let n: Node | undefined = tree.branches[0];
  for (const step of steps) {
    if (!n) return undefined;
    n = child(n, step);
  }
  return n;
}

/**
 * Sets the node at `steps` in the first branch, creating maps on the way (as `sops set` does).
 * @throws SealError BAD_TREE_PATH when the path goes through a scalar or past the end of a list.
 */
export function setAtPath(tree: Tree, steps: readonly PathStep[], value: Node): void {
  if (tree.branches.length === 0) tree.branches.push({ kind: "map", items: [] });
  let n: Node = tree.branches[0]!;
  steps.forEach((step, i) => {
    const last = i === steps.length - 1;
    if (typeof step === "string") {
      if (n.kind !== "map") throw new SealError("BAD_TREE_PATH", `cannot set "${step}": its parent is not a map`);
      const m: TreeMap = n;
      let e = m.items.find((it) => it.kind === "entry" && it.key === step);
      if (!e) {
        e = { kind: "entry", key: step, value: last ? value : { kind: "map", items: [] } };
        m.items.push(e);
      } else if (last && e.kind === "entry") {
        e.value = value;
      }
      if (e.kind === "entry") n = e.value;
    } else {
      if (n.kind !== "list") throw new SealError("BAD_TREE_PATH", `cannot index [${step}]: its parent is not a list`);
      const l: TreeList = n;
      const positions = l.items.flatMap((x, idx) => (x.kind === "comment" ? [] : [idx]));
      if (step < positions.length) {
        if (last) l.items[positions[step]!] = value;
        n = l.items[positions[step]!] as Node;
      } else if (step === positions.length) {
        const fresh: Node = last ? value : { kind: "map", items: [] };
        l.items.push(fresh);
        n = fresh;
      } else {
        throw new SealError("BAD_TREE_PATH", `index [${step}] is past the end of the list`);
      }
    }
  });
}

/**
 * Removes the node at `steps` from the first branch.
 * @returns false when there was nothing there.
 */
export function unsetAtPath(tree: Tree, steps: readonly PathStep[]): boolean {
  const parentSteps = steps.slice(0, -1);
  const parent = parentSteps.length === 0 ? tree.branches[0] : getAtPath(tree, parentSteps);
  const last = steps[steps.length - 1]!;
  if (!parent) return false;
  if (typeof last === "string" && parent.kind === "map") {
    const idx = parent.items.findIndex((it) => it.kind === "entry" && it.key === last);
    if (idx < 0) return false;
    parent.items.splice(idx, 1);
    return true;
  }
  if (typeof last === "number" && parent.kind === "list") {
    const positions = parent.items.flatMap((x, idx) => (x.kind === "comment" ? [] : [idx]));
    if (last >= positions.length) return false;
    parent.items.splice(positions[last]!, 1);
    return true;
  }
  return false;
}
