// Issue 17: `.sops.yaml` is read by the fast line reader when it holds only maps, lists, strings, booleans and
// nulls (src/formats/yaml-plain-data.ts). Wherever it answers, it must give what the `yaml` package gives, and
// it must never accept a file the package refuses. Checked on the wild YAML corpus and on generated files.
import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { plainDataFast } from "../../src/formats/yaml-plain-data.js";
import { mulberry32 as rng } from "../helpers/seeded.js";

/** The package's reading: its data, or "error" when it refuses the text. */
function library(text: string): unknown {
  const doc = parseDocument(text, { prettyErrors: false });
  return doc.errors.length > 0 ? "error" : (doc.toJS() ?? {});
}


const SCALARS = [
  "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p", "arn:aws:kms:us-east-1:1:key/x", '"quoted: yes"', "'single ''q'''",
  "\\.enc\\.yaml$", "true", "False", "null", "~", "", "yes", "no", "on", "2", "0x1F", "1_000", "0b11", "1.5", ".inf", "2001-12-14",
  "a # not a comment?", "a #comment", '"\\u00e9\\n"', "|\n      block\n      text", "|-\n      kept", ">\n      folded", "&anchor x", "*alias",
  "[a, b]", "{k: v}", "!!str 3", "@at", "`tick`", "- x", "a: b", "key: value: more", '"unterminated', "'unterminated",
];
const KEYS = ["creation_rules", "path_regex", "age", "pgp", "kms", "key_groups", "stores", "indent", "true", "1", "<<", "__proto__", '"quoted key"', "dup", "dup", "with space"];

function scalar(next: () => number): string {
  return SCALARS[Math.floor(next() * SCALARS.length)]!;
}

function block(next: () => number, indent: number, depth: number): string {
  let out = "";
  const n = 1 + Math.floor(next() * 4);
  const asList = next() < 0.3;
  for (let i = 0; i < n; i++) {
    const pad = " ".repeat(indent);
    if (next() < 0.1) out += `${pad}# a comment\n`;
    const head = asList ? `${pad}- ` : `${pad}${KEYS[Math.floor(next() * KEYS.length)]!}:`;
    if (depth < 3 && next() < 0.35) {
      out += `${head}\n${block(next, indent + 2, depth + 1)}`;
    } else {
      out += `${head}${asList ? "" : " "}${scalar(next)}\n`;
    }
  }
  return out;
}

/** Whether the fast reading answers for `text`; when it does, its answer must be the package's. */
function answersAsLibrary(text: string, label: string): boolean {
  const fast = plainDataFast(text);
  if (fast !== undefined) expect(fast, label).toEqual(library(text));
  return fast !== undefined;
}

describe("the fast reading of small YAML files gives the package's data", () => {
  it("generated config-like files: every answer equals the package's, and nothing the package refuses is read (10,000 files)", () => {
    const next = rng(17);
    let answered = 0;
    for (let i = 0; i < 10_000; i++) {
      let text = block(next, 0, 0);
      if (next() < 0.1) text = `${text}---\n${block(next, 0, 0)}`;
      if (next() < 0.05) text = text.replace(/\n  /, "\n   ");
      if (answersAsLibrary(text, text)) answered++;
    }
    expect(answered).toBeGreaterThan(400);
  });

  it("the wild YAML corpus: every answer equals the package's", () => {
    const dir = join(import.meta.dirname, "../fixtures/yaml-wild");
    let answered = 0;
    for (const name of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f))) {
      if (answersAsLibrary(readFileSync(join(dir, name), "utf8"), name)) answered++;
    }
    expect(answered).toBeGreaterThan(5);
  });

  it("a typical .sops.yaml is read fast", () => {
    const text = [
      "# keys of the team",
      "creation_rules:",
      "  - path_regex: secrets/prod/.*\\.yaml$",
      "    key_groups:",
      "      - age:",
      "          - age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p",
      "        kms:",
      "          - arn: arn:aws:kms:us-east-1:111122223333:key/abcd",
      "  - path_regex: \\.enc\\.(yaml|json)$",
      '    age: "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"',
      "    encrypted_regex: ^(data|stringData)$",
      "",
    ].join("\n");
    expect(plainDataFast(text)).toEqual(library(text));
    expect(plainDataFast(text)).toBeDefined();
  });
});
