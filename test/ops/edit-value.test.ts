import { describe, expect, it } from "vitest";
import { nodesEqual, parseJsonValue } from "../../src/ops/edit-value.js";
import { isSealError } from "../../src/errors.js";

const j = (s: string) => parseJsonValue(Buffer.from(s));

describe("parseJsonValue", () => {
  it("keeps int apart from float, 64-bit ints exact, objects as ordered subtrees", () => {
    expect(j("5")).toEqual({ kind: "int", value: 5n });
    expect(j("9223372036854775807")).toEqual({ kind: "int", value: 9223372036854775807n });
    expect(j("5.5")).toEqual({ kind: "float", value: 5.5 });
    expect(j("true")).toEqual({ kind: "bool", value: true });
    expect(j("null")).toEqual({ kind: "null" });
    expect(j(' "s" \n')).toEqual({ kind: "str", value: "s" });
    const m = j('{"z": 1, "a": [1, "x"]}');
    expect(m.kind === "map" && m.items.map((i) => (i.kind === "entry" ? i.key : ""))).toEqual(["z", "a"]);
  });

  it("reports bad JSON by line and column, never quoting it", () => {
    try {
      j("{\n  bad-s3cret }");
      expect.unreachable();
    } catch (e) {
      expect(isSealError(e, "BAD_SET_FORMAT")).toBe(true);
      expect((e as Error).message).toMatch(/line 2, column \d+/);
      expect((e as Error).message).not.toContain("s3cret");
    }
  });
});

describe("nodesEqual", () => {
  it("compares structure and typed values, ignoring comments", () => {
    expect(nodesEqual(j('{"a": [1, 2]}'), j('{"a": [1, 2]}'))).toBe(true);
    expect(nodesEqual(j('{"a": [1, 2]}'), j('{"a": [1, 3]}'))).toBe(false);
    expect(nodesEqual(j("1"), j("1.0"))).toBe(false);
    expect(nodesEqual(j('{"a": 1, "b": 2}'), j('{"b": 2, "a": 1}'))).toBe(false);
  });
});
