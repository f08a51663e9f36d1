/**
 * Owns: the three-way merge of plaintext trees for the git merge driver — maps are merged key by key,
 * lists and scalars are values, and each key's comments (the lines above it and the inline one after it)
 * are merged on their own. Nothing here knows about encryption, files or git.
 */
import { cloneNode, type Comment, type MapEntry, type Node, type Tree, type TreeMap } from "../tree/index.js";

export type TreeMergeResult = { readonly ok: true; readonly tree: Tree } | { readonly ok: false; readonly conflicts: string[] };

/** An entry with the comments that belong to it. */
interface Unit {
  readonly lead: Comment[];
  readonly entry: MapEntry;
  readonly tail: Comment[];
}

interface Units {
  readonly byKey: Map<string, Unit>;
  readonly order: string[];
  /** Comments after the last entry. */
  readonly trailing: Comment[];
}

const EMPTY_MAP: TreeMap = { kind: "map", items: [] };

/**
 * Merges `ours` and `theirs`, both descended from `base`: a key changed (or added, or removed) on one side
 * only takes that side; a key changed identically on both sides is fine; maps changed on both sides are
 * merged recursively; anything else changed differently on both sides is a conflict, reported by key path
 * (`a.b.c`, with ` (comment)` for the comments of a key). Key order follows `ours`; keys only `theirs`
 * added go after their predecessor in `theirs`. The inputs are not modified.
 */
export function mergeTrees(base: Tree, ours: Tree, theirs: Tree): TreeMergeResult {
  const { tree, conflicts } = mergeTreesPreferring(base, ours, theirs, "ours");
  return conflicts.length > 0 ? { ok: false, conflicts } : { ok: true, tree };
}

/** Which side a conflicting key (or comment) takes in `mergeTreesPreferring`. */
export type PreferredSide = "ours" | "theirs";

/**
 * Like `mergeTrees`, but always yields a tree: each conflicting key, comment or document count takes the
 * `prefer` side, and the conflicts are still listed. Merging once preferring each side gives the two texts
 * that differ only where the sides conflict (what `secrets merge --resolve` shows between markers).
 */
export function mergeTreesPreferring(base: Tree, ours: Tree, theirs: Tree, prefer: PreferredSide): { tree: Tree; conflicts: string[] } {
  const conflicts: string[] = [];
  const sameCount = base.branches.length === ours.branches.length && ours.branches.length === theirs.branches.length;
  if (!sameCount) {
    const whole = pickWhole(base.branches, ours.branches, theirs.branches, sameBranches);
    if (whole === undefined) {
      const side = prefer === "ours" ? ours : theirs;
      return { tree: { branches: side.branches.map((b) => cloneNode(b)) }, conflicts: ["(the number of YAML documents)"] };
    }
    return { tree: { branches: whole.map((b) => cloneNode(b)) }, conflicts };
  }
  const many = ours.branches.length > 1;
  const m: Merger = { conflicts, prefer };
  const branches = ours.branches.map((o, i) => {
    const prefix = many ? [`(document ${i + 1})`] : [];
    return mergeMap(base.branches[i]!, o, theirs.branches[i]!, prefix, m);
  });
  return { tree: { branches }, conflicts };
}

/** The conflicts found so far, and the side a conflict takes. */
interface Merger {
  readonly conflicts: string[];
  readonly prefer: PreferredSide;
}

/** The side to take when at most one side changed, or undefined when both changed differently. */
function pickWhole<T>(b: T, o: T, t: T, same: (x: T, y: T) => boolean): T | undefined {
  if (same(o, t)) return o;
  if (same(b, o)) return t;
  if (same(b, t)) return o;
  return undefined;
}

function label(path: readonly string[]): string {
  if (path.length === 0) return "(top level)";
  return path[0]!.startsWith("(document ") ? `${path[0]} ${path.slice(1).join(".") || "(top level)"}` : path.join(".");
}

/** Marks a value changed differently on both sides (already reported). */
const CONFLICT = Symbol("conflict");

function mergeValue(b: Node | undefined, o: Node | undefined, t: Node | undefined, path: string[], m: Merger): Node | undefined | typeof CONFLICT {
  if (sameNode(o, t)) return o && cloneNode(o);
  if (sameNode(b, o)) return t && cloneNode(t);
  if (sameNode(b, t)) return o && cloneNode(o);
  if (o?.kind === "map" && t?.kind === "map" && (b === undefined || b.kind === "map")) return mergeMap(b ?? EMPTY_MAP, o, t, path, m);
  m.conflicts.push(label(path));
  return CONFLICT;
}

function mergeComments(b: Comment[], o: Comment[], t: Comment[], what: string, m: Merger): Comment[] {
  const picked = pickWhole(b, o, t, sameComments);
  if (picked === undefined) {
    m.conflicts.push(`${what} (comment)`);
    return (m.prefer === "ours" ? o : t).map((c) => ({ ...c }));
  }
  return picked.map((c) => ({ ...c }));
}

function mergeMap(base: TreeMap, ours: TreeMap, theirs: TreeMap, path: string[], m: Merger): TreeMap {
  const whole = pickWhole(base, ours, theirs, sameNode);
  if (whole !== undefined) return cloneNode(whole);
  const [b, o, t] = [unitsOf(base), unitsOf(ours), unitsOf(theirs)];
  if (!b || !o || !t) {
    // A map with a repeated key has no key-wise meaning; both sides changed it, so it conflicts.
    m.conflicts.push(label(path));
    return cloneNode(m.prefer === "ours" ? ours : theirs);
  }
  const merged = new Map<string, Unit>();
  const keys = new Set([...o.order, ...t.order, ...b.order]);
  for (const key of keys) {
    const [ub, uo, ut] = [b.byKey.get(key), o.byKey.get(key), t.byKey.get(key)];
    const childPath = [...path, key];
    const value = mergeValue(ub?.entry.value, uo?.entry.value, ut?.entry.value, childPath, m);
    if (value === undefined) continue;
    if (value === CONFLICT) {
      // Reported once; the preferred side's entry comes whole, comments included (or stays absent).
      const side = m.prefer === "ours" ? uo : ut;
      if (side) merged.set(key, { lead: side.lead.map((c) => ({ ...c })), entry: { kind: "entry", key, value: cloneNode(side.entry.value) }, tail: side.tail.map((c) => ({ ...c })) });
      continue;
    }
    // A removed key takes its comments with it.
    const lead = mergeComments(ub?.lead ?? [], uo?.lead ?? [], ut?.lead ?? [], label(childPath), m);
    const tail = mergeComments(ub?.tail ?? [], uo?.tail ?? [], ut?.tail ?? [], label(childPath), m);
    merged.set(key, { lead, entry: { kind: "entry", key, value }, tail });
  }
  const order = o.order.filter((k) => merged.has(k));
  // Keys only theirs has (it added them) go after their predecessor in theirs' order (else first), and
  // after keys ours added at the same place, so two appended keys come out as ours', then theirs'.
  t.order.forEach((k, i) => {
    if (!merged.has(k) || order.includes(k)) return;
    let at = 0;
    for (let j = i - 1; j >= 0; j--) {
      const pos = order.indexOf(t.order[j]!);
      if (pos >= 0) {
        at = pos + 1;
        break;
      }
    }
    while (at < order.length && !t.byKey.has(order[at]!)) at++;
    order.splice(at, 0, k);
  });
  const trailing = mergeComments(b.trailing, o.trailing, t.trailing, label(path), m);
  const items: Array<MapEntry | Comment> = [];
  for (const k of order) {
    const u = merged.get(k)!;
    items.push(...u.lead, u.entry, ...u.tail);
  }
  items.push(...trailing);
  return { kind: "map", items };
}

/** Splits a map into entries with their comments; undefined when a key repeats. */
function unitsOf(m: TreeMap): Units | undefined {
  const byKey = new Map<string, Unit>();
  const order: string[] = [];
  let pending: Comment[] = [];
  let last: Unit | undefined;
  for (const it of m.items) {
    if (it.kind === "comment") {
      if (it.inline && last && pending.length === 0) last.tail.push(it);
      else pending.push(it);
      continue;
    }
    if (byKey.has(it.key)) return undefined;
    last = { lead: pending, entry: it, tail: [] };
    pending = [];
    byKey.set(it.key, last);
    order.push(it.key);
  }
  return { byKey, order, trailing: pending };
}

function sameComment(a: Comment, b: Comment): boolean {
  return a.text === b.text && Boolean(a.inline) === Boolean(b.inline);
}

function sameComments(a: readonly Comment[], b: readonly Comment[]): boolean {
  return a.length === b.length && a.every((c, i) => sameComment(c, b[i]!));
}

function sameBranches(a: readonly TreeMap[], b: readonly TreeMap[]): boolean {
  return a.length === b.length && a.every((m, i) => sameNode(m, b[i]));
}

/** Deep equality of values, comments and order included; `undefined` stands for "no such key". */
export function sameNode(a: Node | Comment | undefined, b: Node | Comment | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case "map":
    case "list": {
      const bi = (b as typeof a).items;
      return a.items.length === bi.length && a.items.every((x, i) => sameItem(x, bi[i]!));
    }
    case "comment":
      return sameComment(a, b as Comment);
    case "null":
      return true;
    case "bytes": {
      const bv = (b as typeof a).value;
      return a.value.length === bv.length && a.value.every((x, i) => x === bv[i]);
    }
    default:
      return Object.is(a.value, (b as typeof a).value);
  }
}

function sameItem(a: Node | Comment | MapEntry, b: Node | Comment | MapEntry): boolean {
  if (a.kind === "entry" || b.kind === "entry") return a.kind === b.kind && (a as MapEntry).key === (b as MapEntry).key && sameNode((a as MapEntry).value, (b as MapEntry).value);
  return sameNode(a, b);
}
