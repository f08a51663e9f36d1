// The three-way merge of plaintext trees: examples for each rule, and fast-check properties.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { mergeTrees, sameNode } from "../../src/git/three-way.js";
import { comment, entry, int, list, map, nul, str, type Comment, type MapEntry, type Node, type Tree, type TreeMap } from "../../src/tree/index.js";

const doc = (...items: Array<MapEntry | Comment>): Tree => ({ branches: [map(items)] });
const e = entry;

function merged(b: Tree, o: Tree, t: Tree): Tree {
  const r = mergeTrees(b, o, t);
  if (!r.ok) throw new Error(`unexpected conflicts: ${r.conflicts.join(", ")}`);
  return r.tree;
}

function conflicts(b: Tree, o: Tree, t: Tree): string[] {
  const r = mergeTrees(b, o, t);
  if (r.ok) throw new Error("expected a conflict");
  return r.conflicts;
}

const sameTree = (a: Tree, b: Tree): boolean => a.branches.length === b.branches.length && a.branches.every((m, i) => sameNode(m, b.branches[i]));

describe("mergeTrees", () => {
  const base = doc(e("db", map([e("user", str("app")), e("password", str("p0"))])), e("port", int(5432)));

  it("takes each side's change to different keys, at any depth", () => {
    const ours = doc(e("db", map([e("user", str("app")), e("password", str("p0"))])), e("port", int(6543)));
    const theirs = doc(e("db", map([e("user", str("app")), e("password", str("p1"))])), e("port", int(5432)));
    expect(sameTree(merged(base, ours, theirs), doc(e("db", map([e("user", str("app")), e("password", str("p1"))])), e("port", int(6543))))).toBe(true);
  });

  it("handles keys added and removed on either side", () => {
    const ours = doc(e("db", map([e("user", str("app")), e("password", str("p0")), e("pool", int(5))])));
    const theirs = doc(e("db", map([e("password", str("p0"))])), e("port", int(5432)), e("new", str("n")));
    const m = merged(base, ours, theirs);
    expect(sameTree(m, doc(e("db", map([e("password", str("p0")), e("pool", int(5))])), e("new", str("n"))))).toBe(true);
  });

  it("places a key only theirs added after its predecessor in theirs", () => {
    const b = doc(e("a", int(1)), e("b", int(2)), e("c", int(3)));
    const o = doc(e("a", int(1)), e("b", int(2)), e("c", int(30)));
    const t = doc(e("a", int(1)), e("x", int(9)), e("b", int(2)), e("c", int(3)));
    expect(sameTree(merged(b, o, t), doc(e("a", int(1)), e("x", int(9)), e("b", int(2)), e("c", int(30))))).toBe(true);
    const first = doc(e("x", int(9)), e("a", int(1)), e("b", int(2)), e("c", int(3)));
    expect(merged(b, o, first).branches[0]!.items.map((i) => (i.kind === "entry" ? i.key : "#"))).toEqual(["x", "a", "b", "c"]);
  });

  it("reports a key changed differently on both sides by its path, and accepts identical changes", () => {
    const o = doc(e("db", map([e("user", str("app")), e("password", str("ours"))])), e("port", int(1)));
    const t = doc(e("db", map([e("user", str("app")), e("password", str("theirs"))])), e("port", int(1)));
    expect(conflicts(base, o, t)).toEqual(["db.password"]);
    const same = doc(e("db", map([e("user", str("app")), e("password", str("both"))])), e("port", int(5432)));
    expect(sameTree(merged(base, same, same), same)).toBe(true);
  });

  it("conflicts on remove-versus-change and on a type change against a change, both ways", () => {
    const removed = doc(e("db", map([e("user", str("app"))])), e("port", int(5432)));
    const changed = doc(e("db", map([e("user", str("app")), e("password", str("new"))])), e("port", int(5432)));
    expect(conflicts(base, removed, changed)).toEqual(["db.password"]);
    expect(conflicts(base, changed, removed)).toEqual(["db.password"]);
    const scalar = doc(e("db", str("gone")), e("port", int(5432)));
    expect(conflicts(base, scalar, changed)).toEqual(["db"]);
    // An int is not the string "5432": a type change is a change.
    const typed = doc(e("db", map([e("user", str("app")), e("password", str("p0"))])), e("port", str("5432")));
    expect(sameTree(merged(base, base, typed), typed)).toBe(true);
  });

  it("treats lists as values", () => {
    const b = doc(e("tags", list([str("a"), str("b")])));
    const o = doc(e("tags", list([str("a"), str("b"), str("c")])));
    const t = doc(e("tags", list([str("z"), str("a"), str("b")])));
    expect(conflicts(b, o, t)).toEqual(["tags"]);
    expect(sameTree(merged(b, b, t), t)).toBe(true);
    expect(sameTree(merged(b, o, o), o)).toBe(true);
  });

  it("merges maps both sides added under the same new key", () => {
    const b = doc(e("a", int(1)));
    const o = doc(e("a", int(1)), e("n", map([e("x", int(1)), e("y", int(2))])));
    const t = doc(e("a", int(1)), e("n", map([e("x", int(1)), e("z", int(3))])));
    expect(sameTree(merged(b, o, t), doc(e("a", int(1)), e("n", map([e("x", int(1)), e("y", int(2)), e("z", int(3))]))))).toBe(true);
    const t2 = doc(e("a", int(1)), e("n", map([e("x", int(2))])));
    expect(conflicts(b, o, t2)).toEqual(["n.x"]);
  });

  it("keeps null apart from a missing key", () => {
    const b = doc(e("a", nul()));
    const t = doc();
    expect(sameTree(merged(b, b, t), t)).toBe(true);
    expect(conflicts(b, doc(e("a", int(1))), t)).toEqual(["a"]);
  });

  it("moves comments with their key and merges them per key", () => {
    const b = doc(comment(" header"), e("a", int(1)), comment(" about b"), e("b", int(2)), comment(" inline b", true), comment(" end"));
    // ours changes b's value; theirs rewrites b's comment and removes a (with its comment).
    const o = doc(comment(" header"), e("a", int(1)), comment(" about b"), e("b", int(20)), comment(" inline b", true), comment(" end"));
    const t = doc(comment(" about b, reworded"), e("b", int(2)), comment(" inline b", true), comment(" end"));
    const want = doc(comment(" about b, reworded"), e("b", int(20)), comment(" inline b", true), comment(" end"));
    expect(sameTree(merged(b, o, t), want)).toBe(true);
    const o2 = doc(comment(" header"), e("a", int(1)), comment(" about b, differently"), e("b", int(2)), comment(" inline b", true), comment(" end"));
    expect(conflicts(b, o2, t)).toEqual(["b (comment)"]);
  });

  it("labels conflicts in later YAML documents, and conflicts when the document count changes on both sides", () => {
    const b: Tree = { branches: [map([e("a", int(1))]), map([e("c", int(1))])] };
    const o: Tree = { branches: [map([e("a", int(1))]), map([e("c", int(2))])] };
    const t: Tree = { branches: [map([e("a", int(1))]), map([e("c", int(3))])] };
    expect(conflicts(b, o, t)).toEqual(["(document 2) c"]);
    const one: Tree = { branches: [map([e("a", int(1))])] };
    const three: Tree = { branches: [...b.branches, map()] };
    expect(conflicts(b, one, three)).toEqual(["(the number of YAML documents)"]);
    expect(sameTree(merged(b, b, one), one)).toBe(true);
  });

  it("does not modify its inputs", () => {
    const b = doc(e("a", map([e("x", int(1))])));
    const o = doc(e("a", map([e("x", int(1)), e("y", int(2))])));
    const t = doc(e("a", map([e("z", int(3))])));
    const snapshot = JSON.stringify([b, o, t], (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
    const m = merged(b, o, t);
    (m.branches[0]!.items[0] as MapEntry).key = "mutated";
    expect(JSON.stringify([b, o, t], (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))).toBe(snapshot);
  });
});

// Trees over a small key alphabet, so the three versions overlap often.
const KEYS = ["a", "b", "c", "d"];
const scalarArb: fc.Arbitrary<Node> = fc.oneof(
  fc.constantFrom("x", "y", "").map(str),
  fc.integer({ min: -2, max: 2 }).map((n) => int(n)),
  fc.constant(nul()),
);
const commentArb: fc.Arbitrary<Comment> = fc.record({ text: fc.constantFrom(" c1", " c2"), inline: fc.boolean() }).map((c) => comment(c.text, c.inline));
const { node: nodeArb } = fc.letrec<{ node: Node; map: TreeMap }>((tie) => ({
  node: fc.oneof({ depthSize: "small", withCrossShrink: true }, scalarArb, tie("map"), fc.array(scalarArb, { maxLength: 3 }).map((xs) => list(xs))),
  map: fc
    .uniqueArray(fc.tuple(fc.constantFrom(...KEYS), tie("node"), fc.option(commentArb, { nil: undefined })), { selector: ([k]) => k, maxLength: 4 })
    .map((entries) => map(entries.flatMap(([k, v, c]) => (c && !c.inline ? [c, entry(k, v)] : c ? [entry(k, v), c] : [entry(k, v)])))),
}));
const treeArb: fc.Arbitrary<Tree> = fc.uniqueArray(fc.tuple(fc.constantFrom(...KEYS), nodeArb), { selector: ([k]) => k, maxLength: 4 }).map((es) => ({ branches: [map(es.map(([k, v]) => entry(k, v)))] }));

/** Every leaf path → value, for comparing contents regardless of order and comments. */
function leaves(t: Tree): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (n: Node, path: string): void => {
    if (n.kind === "map") {
      for (const it of n.items) if (it.kind === "entry") visit(it.value, `${path}/${it.key}`);
      if (n.items.every((i) => i.kind !== "entry")) out.set(path, "{}");
    } else out.set(path, JSON.stringify(n, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v)));
  };
  for (const b of t.branches) visit(b, "");
  return out;
}

describe("mergeTrees properties", () => {
  it("a side that did not change yields the other: merge(x, x, y) = y, merge(x, y, x) = y, merge(x, y, y) = y", () => {
    fc.assert(
      fc.property(treeArb, treeArb, (x, y) => {
        for (const [b, o, t] of [[x, x, y], [x, y, x], [x, y, y]] as const) {
          const r = mergeTrees(b, o, t);
          if (!r.ok || !sameTree(r.tree, y)) return false;
        }
        return true;
      }),
      { numRuns: 500 },
    );
  });

  it("is symmetric in ours and theirs, up to order: same conflicts, same contents", () => {
    fc.assert(
      fc.property(treeArb, treeArb, treeArb, (b, o, t) => {
        const ot = mergeTrees(b, o, t);
        const to = mergeTrees(b, t, o);
        if (ot.ok !== to.ok) return false;
        if (!ot.ok || !to.ok) return [...(ot as { conflicts: string[] }).conflicts].sort().join() === [...(to as { conflicts: string[] }).conflicts].sort().join();
        const [l1, l2] = [leaves(ot.tree), leaves(to.tree)];
        return l1.size === l2.size && [...l1].every(([k, v]) => l2.get(k) === v);
      }),
      { numRuns: 500 },
    );
  });

  it("changes to different top-level keys always merge, and the result has both", () => {
    fc.assert(
      fc.property(treeArb, fc.dictionary(fc.constantFrom("a", "b"), nodeArb), fc.dictionary(fc.constantFrom("c", "d"), nodeArb), (b, oursEdits, theirsEdits) => {
        const edit = (edits: Record<string, Node>): Tree => {
          const m = map(b.branches[0]!.items.map((i) => (i.kind === "entry" ? entry(i.key, i.value) : i)));
          for (const [k, v] of Object.entries(edits)) {
            const at = m.items.findIndex((i) => i.kind === "entry" && i.key === k);
            if (at >= 0) m.items[at] = entry(k, v);
            else m.items.push(entry(k, v));
          }
          return { branches: [m] };
        };
        const r = mergeTrees(b, edit(oursEdits), edit(theirsEdits));
        if (!r.ok) return false;
        const got = leaves(r.tree);
        const want = leaves(edit({ ...oursEdits, ...theirsEdits }));
        return got.size === want.size && [...want].every(([k, v]) => got.get(k) === v);
      }),
      { numRuns: 300 },
    );
  });
});
