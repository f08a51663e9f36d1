/**
 * Owns: sops's tree-path syntax (`["a"]["b"][0]`, `['a']`) used by `--extract`, `set` and `unset`, and
 * looking up / replacing / removing the node it names.
 */
import { SealError } from "../errors.js";
import type { Node, Tree, TreeList, TreeMap } from "./node.js";

export type PathStep = string | number;

/** The form every path error shows. */
const PATH_FORM = `write each step as ["key"], ['key'] or [index], with nothing between or around them: '["db"]["password"]', '["hosts"][0]'`;

/**
 * Parses a tree path: one or more steps, each `["key"]` or `['key']` (the key taken verbatim: no escapes, and it
 * may not contain its own quote or `[`; a key with `"` in it is written `['…']`) or `[index]` (decimal digits).
 * Nothing may come before, between or after the steps, spaces included.
 *
 * This is the well-formed part of sops's parser (cmd/sops parseTreePath), and gives the same steps wherever
 * both accept a path. sops also accepts malformed paths by accident — `["db","pw"]` as the key `db","pw`,
 * `["a']`, `[["a"]`, `[-1]`, the empty path — which here are refused rather than silently naming a new key.
 * @param code BAD_TREE_PATH (exit 91) for `--extract`, BAD_SET_FORMAT (exit 7) for `set`/`unset`, as sops.
 */
export function parseTreePath(s: string, code: "BAD_TREE_PATH" | "BAD_SET_FORMAT" = "BAD_TREE_PATH"): PathStep[] {
  const bad = (why: string, hint = PATH_FORM): SealError => new SealError(code, `invalid path ${JSON.stringify(s)}: ${why}`, { hint });
  const steps: PathStep[] = [];
  let i = 0;
  while (i < s.length) {
    if (s[i] !== "[") throw bad(`expected "[" at position ${i + 1}`);
    const q = s[i + 1];
    if (q === '"' || q === "'") {
      let end = i + 2;
      while (end < s.length && s[end] !== q && s[end] !== "[") end++;
      if (end >= s.length) throw bad(`the key starting at position ${i + 1} has no closing ${q}`);
      if (s[end] === "[") throw bad(`a key cannot contain "[" (position ${end + 1})`);
      if (s[end + 1] !== "]") {
        if (!listOfKeys(s, end + 1)) throw bad(`expected "]" after the key at position ${end + 2}`);
        throw bad("a step names one key", `each key is a step of its own: '["db"]["pw"]', not '["db","pw"]'`);
      }
      steps.push(s.slice(i + 2, end));
      i = end + 2;
    } else {
      const end = s.indexOf("]", i);
      if (end < 0) throw bad(`the step at position ${i + 1} has no closing ]`);
      const n = s.slice(i + 1, end);
      if (!/^\d+$/.test(n)) throw bad(`${JSON.stringify(n)} at position ${i + 2} is neither a quoted key nor a list index`);
      const index = Number(n);
      if (!Number.isSafeInteger(index)) throw bad(`list index ${n} is too large`);
      steps.push(index);
      i = end + 1;
    }
  }
  if (steps.length === 0) throw bad("the path is empty");
  return steps;
}

/** After a key's closing quote: `,` (as in `["db","pw"]`) means a list of keys was written inside one step. */
function listOfKeys(s: string, after: number): boolean {
  return s.slice(after).trimStart().startsWith(",");
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

/** `value` placed under the remaining `steps` in fresh containers: a key makes a map, an index a list (sops valueFromPathAndLeaf). */
function fromPathAndLeaf(steps: readonly PathStep[], value: Node): Node {
  return steps.reduceRight<Node>((inner, step) => (typeof step === "string" ? { kind: "map", items: [{ kind: "entry", key: step, value: inner }] } : { kind: "list", items: [inner] }), value);
}

/** `n` with `value` set at `steps`, as sops's tree `set` (sops.go) does it; containers are changed in place. */
function setIn(n: Node, steps: readonly PathStep[], value: Node): Node {
  const [step, ...rest] = steps as [PathStep, ...PathStep[]];
  if (n.kind === "map") {
    if (typeof step !== "string") throw new SealError("BAD_TREE_PATH", `cannot index [${step}]: its parent is a map`, { hint: `name a key of a map with ["key"]` });
    const m: TreeMap = n;
    const e = m.items.find((it) => it.kind === "entry" && it.key === step);
    if (e && e.kind === "entry") e.value = rest.length === 0 ? value : setIn(e.value, rest, value);
    else m.items.push({ kind: "entry", key: step, value: fromPathAndLeaf(rest, value) });
    return m;
  }
  if (n.kind === "list") {
    if (typeof step !== "number") throw new SealError("BAD_TREE_PATH", `cannot set "${step}": its parent is a list`, { hint: "name an item of a list with [index]" });
    const l: TreeList = n;
    const positions = l.items.flatMap((x, idx) => (x.kind === "comment" ? [] : [idx]));
    const at = positions[step];
    // Any index at or past the end appends one item, as sops does (`[9]` on a two-item list adds a third).
    if (at === undefined) l.items.push(fromPathAndLeaf(rest, value));
    else l.items[at] = rest.length === 0 ? value : setIn(l.items[at] as Node, rest, value);
    return l;
  }
  // A scalar (null included) on the way is replaced by what the rest of the path needs.
  return fromPathAndLeaf(steps, value);
}

/**
 * Sets the node at `steps` in the first branch as `sops set` does: maps and lists on the way are created, a
 * scalar on the way is replaced by a map (for a key) or a list (for an index), and an index at or past the end
 * of a list appends.
 * @throws SealError BAD_TREE_PATH when a key step meets a list or an index step meets a map (sops panics on the
 *         first and silently changes nothing on the second).
 */
export function setAtPath(tree: Tree, steps: readonly PathStep[], value: Node): void {
  if (tree.branches.length === 0) tree.branches.push({ kind: "map", items: [] });
  if (steps.length === 0) throw new SealError("BAD_TREE_PATH", "the path is empty", { hint: PATH_FORM });
  setIn(tree.branches[0]!, steps, value);
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
