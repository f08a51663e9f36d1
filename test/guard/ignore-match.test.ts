import { describe, expect, it } from "vitest";
import { compileIgnore } from "../../src/guard/ignore-match.js";

const m = (text: string) => compileIgnore(text);

describe("compileIgnore (gitignore syntax)", () => {
  it("matches a bare name at any depth, and a path with a slash from the root only", () => {
    const ig = m("secret.txt\ndocs/notes.md\n");
    expect(ig.ignores("secret.txt")).toBe(true);
    expect(ig.ignores("a/b/secret.txt")).toBe(true);
    expect(ig.ignores("docs/notes.md")).toBe(true);
    expect(ig.ignores("x/docs/notes.md")).toBe(false);
  });

  it("supports *, ? and character classes without crossing /", () => {
    const ig = m("*.pem\nkey?.txt\nid_[re]sa\n");
    expect(ig.ignores("certs/a.pem")).toBe(true);
    expect(ig.ignores("key1.txt")).toBe(true);
    expect(ig.ignores("key12.txt")).toBe(false);
    expect(ig.ignores("id_rsa")).toBe(true);
    expect(ig.ignores("id_dsa")).toBe(false);
    expect(m("a/*.txt").ignores("a/b/c.txt")).toBe(false);
  });

  it("supports ** at the start, middle and end", () => {
    expect(m("test/fixtures/**").ignores("test/fixtures/guard/positives/01.yaml")).toBe(true);
    expect(m("test/fixtures/**").ignores("test/fixtures")).toBe(false);
    expect(m("**/keys.txt").ignores("keys.txt")).toBe(true);
    expect(m("**/keys.txt").ignores("a/b/keys.txt")).toBe(true);
    expect(m("a/**/z.txt").ignores("a/z.txt")).toBe(true);
    expect(m("a/**/z.txt").ignores("a/b/c/z.txt")).toBe(true);
    expect(m("a/**/z.txt").ignores("b/a/z.txt")).toBe(false);
  });

  it("anchors a leading slash, and a trailing slash matches directories only", () => {
    expect(m("/top.env").ignores("top.env")).toBe(true);
    expect(m("/top.env").ignores("sub/top.env")).toBe(false);
    const ig = m("build/\n");
    expect(ig.ignores("build/out.js")).toBe(true);
    expect(ig.ignores("src/build/out.js")).toBe(true);
    expect(ig.ignores("build")).toBe(false); // a file named build
  });

  it("negates with !, last rule wins, but never re-includes inside an ignored directory", () => {
    const ig = m("*.key\n!public.key\n");
    expect(ig.ignores("a.key")).toBe(true);
    expect(ig.ignores("public.key")).toBe(false);
    const dir = m("vendor/\n!vendor/keep.txt\n");
    expect(dir.ignores("vendor/keep.txt")).toBe(true);
  });

  it("skips comments and blank lines, honours escapes", () => {
    const ig = m("# a comment\n\n\\#literal\n\\!bang\n");
    expect(ig.ignores("# a comment")).toBe(false);
    expect(ig.ignores("#literal")).toBe(true);
    expect(ig.ignores("!bang")).toBe(true);
    expect(m("").ignores("anything")).toBe(false);
  });
});
