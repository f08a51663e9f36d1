// Issue 18 item 1: the pieces of a conflict resolution, without git: the conflict file, the marked plaintext,
// the refusal of leftover markers, and merging that prefers one side.
import { describe, expect, it } from "vitest";
import { isConflictFile, readConflictFile, writeConflictFile } from "../../src/git/conflict-file.js";
import { assertNoMarkers, markConflicts } from "../../src/git/conflict-text.js";
import { mergeTreesPreferring } from "../../src/git/three-way.js";
import { storeFor } from "../../src/formats/index.js";

const yaml = storeFor("yaml");
const tree = (text: string) => yaml.parsePlain(Buffer.from(text));

describe("issue 18 item 1: conflict file and marked plaintext", () => {
  it("round-trips the three encrypted versions, an empty base included", () => {
    const v = { ours: Buffer.from("a: 1\nsops: x\n"), base: Buffer.from(""), theirs: Buffer.from("a: 2\nsops: y") };
    const file = writeConflictFile("s.enc.yaml", ["a"], v);
    expect(isConflictFile(file)).toBe(true);
    expect(isConflictFile(v.ours)).toBe(false);
    const back = readConflictFile(file)!;
    expect(Buffer.from(back.ours).toString()).toBe("a: 1\nsops: x\n");
    expect(Buffer.from(back.base).toString()).toBe("");
    expect(Buffer.from(back.theirs).toString()).toBe("a: 2\nsops: y\n");
    expect(readConflictFile(Buffer.from(Buffer.from(file).toString().replace("=======\n", "")))).toBeUndefined();
  });

  it("marks only the differing lines, each run on its own", () => {
    const ours = "a: 1\nb: x\nc: 3\nd: y\ne: 5\n";
    const theirs = "a: 1\nb: X\nc: 3\nd: Y\ne: 5\n";
    expect(markConflicts(ours, theirs)).toBe(
      "a: 1\n<<<<<<< ours\nb: x\n=======\nb: X\n>>>>>>> theirs\nc: 3\n<<<<<<< ours\nd: y\n=======\nd: Y\n>>>>>>> theirs\ne: 5\n",
    );
    expect(markConflicts(ours, ours)).toBe(ours);
  });

  it("refuses a text with a marker left, naming its line", () => {
    expect(() => assertNoMarkers("a: 1\n=======\n")).toThrow(/line 2/);
    expect(() => assertNoMarkers("a: '======= not a marker'\n")).not.toThrow();
  });

  it("merges preferring each side: the two trees differ only at the conflicting key", () => {
    const base = tree("p: 0\nq: 0\nr: 0\n");
    const ours = tree("p: 1\nq: 1\nr: 0\n");
    const theirs = tree("p: 2\nq: 0\nr: 2\n");
    const o = mergeTreesPreferring(base, ours, theirs, "ours");
    const t = mergeTreesPreferring(base, ours, theirs, "theirs");
    expect(o.conflicts).toEqual(["p"]);
    expect(Buffer.from(yaml.emitPlain(o.tree)).toString()).toBe("p: 1\nq: 1\nr: 2\n");
    expect(Buffer.from(yaml.emitPlain(t.tree)).toString()).toBe("p: 2\nq: 1\nr: 2\n");
  });
});
