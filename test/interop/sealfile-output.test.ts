// Acceptance: what `secrets encrypt` writes (YAML, JSON, dotenv, INI, binary; comments, key groups, each
// crypt rule, mac_only_encrypted) is read correctly by an independent reader written from the format notes:
// every value opens at its path AAD, the MAC re-derives, and the metadata block has a layout sops accepts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { isMap, isScalar, isSeq, parseAllDocuments, type Node as YNode } from "yaml";
import { generateX25519Identity, identityToRecipient } from "age-encryption";
import { baseEnv, runSecrets, tempHome } from "../helpers/cli.js";
import {
  b, f, i, isEnc, nul, openEnc, openTree, s, sha512Upper, shamirCombine, unflattenMeta, unwrapAge,
  type Comment, type MapNode, type Node, type Rule, type Scalar,
} from "./sops-writer.js";

const home = tempHome();
const dir = mkdtempSync(join(tmpdir(), "sealfile-output-"));
afterAll(() => { home.cleanup(); rmSync(dir, { recursive: true, force: true }); });
const ids: string[] = [];
const rcp: string[] = [];
beforeAll(async () => {
  for (let k = 0; k < 3; k++) { ids.push(await generateX25519Identity()); rcp.push(await identityToRecipient(ids[k]!)); }
});

// ------------------------------------------------------------------ format readers (independent of src/)
const comments = (text: string | null | undefined): Comment[] => (text ? text.split("\n").map((x) => ({ comment: x })) : []);

function fromYaml(n: YNode | null, into?: Array<MapNode["items"][number]>): Node {
  if (n === null) return nul;
  if (isMap(n)) {
    const items: MapNode["items"] = [...comments(n.commentBefore)];
    for (const p of n.items) {
      const k = p.key as YNode;
      items.push(...comments((k as { commentBefore?: string }).commentBefore));
      const v = p.value as YNode | null;
      if (v && isScalar(v) && v.comment) items.push({ comment: v.comment, inline: true });
      items.push({ key: String((k as { value: unknown }).value), value: fromYaml(v) });
    }
    items.push(...comments(n.comment));
    return { t: "map", items };
  }
  if (isSeq(n)) {
    const items: Array<Node | Comment> = [...comments(n.commentBefore)];
    for (const x of n.items as YNode[]) { items.push(...comments((x as { commentBefore?: string }).commentBefore)); items.push(fromYaml(x)); }
    items.push(...comments(n.comment));
    return { t: "list", items };
  }
  void into;
  const v = (n as { value: unknown }).value;
  if (v === null) return nul;
  if (typeof v === "bigint") return i(v);
  if (typeof v === "number") return f(v);
  if (typeof v === "boolean") return b(v);
  return s(String(v));
}

function readYaml(text: string): { docs: Node[]; metas: unknown[] } {
  const docs: Node[] = [];
  const metas: unknown[] = [];
  for (const d of parseAllDocuments(text, { intAsBigInt: true })) {
    expect(d.errors).toEqual([]);
    const tree = fromYaml(d.contents as YNode) as MapNode;
    tree.items = [...comments(d.commentBefore), ...tree.items, ...comments(d.comment)];
    const sopsIdx = tree.items.findIndex((x) => "key" in x && x.key === "sops");
    expect(sopsIdx).toBe(tree.items.length - 1 - tree.items.slice(sopsIdx + 1).length); // sops is the last data key
    tree.items.splice(sopsIdx, 1);
    docs.push(tree);
    metas.push((d.toJS({ intAsBigInt: false }) as { sops: unknown }).sops);
  }
  return { docs, metas };
}

function fromJson(v: unknown): Node {
  if (Array.isArray(v)) return { t: "list", items: v.map(fromJson) };
  if (v === null) return nul;
  if (typeof v === "object") return { t: "map", items: Object.entries(v as object).map(([k, x]) => ({ key: k, value: fromJson(x) })) };
  if (typeof v === "number") return Number.isInteger(v) ? i(v) : f(v);
  if (typeof v === "boolean") return b(v);
  return s(String(v));
}

function readJson(text: string): { docs: Node[]; metas: unknown[] } {
  const o = JSON.parse(text) as Record<string, unknown>;
  expect(Object.keys(o).at(-1)).toBe("sops");
  const { sops, ...data } = o;
  return { docs: [fromJson(data)], metas: [sops] };
}

function readDotenv(text: string): { docs: Node[]; metas: unknown[] } {
  const items: MapNode["items"] = [];
  const meta: Array<[string, string]> = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    if (line.startsWith("#")) { items.push({ comment: line.slice(1) }); continue; }
    const eq = line.indexOf("=");
    const k = line.slice(0, eq), v = line.slice(eq + 1).replace(/\\n/g, "\n");
    if (k.startsWith("sops_")) meta.push([k.slice(5), v]);
    else items.push({ key: k, value: s(v) });
  }
  return { docs: [{ t: "map", items }], metas: [unflattenMeta(meta)] };
}

function readIni(text: string): { docs: Node[]; metas: unknown[] } {
  const top: MapNode = { t: "map", items: [] };
  let cur: MapNode | undefined;
  let pending: Comment[] = [];
  const meta: Array<[string, string]> = [];
  let inSops = false;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "") continue;
    if (line.startsWith(";") || line.startsWith("#")) { pending.push({ comment: line.replace(/^[;#] ?/, "") }); continue; }
    const sec = /^\[(.*)\]$/.exec(line);
    if (sec) {
      inSops = sec[1] === "sops";
      cur = { t: "map", items: [...pending] };
      pending = [];
      if (!inSops) top.items.push({ key: sec[1]!, value: cur });
      continue;
    }
    const eq = line.indexOf("=");
    const k = line.slice(0, eq).trim();
    let v = line.slice(eq + 1).trim();
    if (/^""".*"""$/.test(v)) v = v.slice(3, -3);
    else if (/^`.*`$/.test(v) || /^".*"$/.test(v)) v = v.slice(1, -1);
    if (inSops) { meta.push([k, v.replace(/\\n/g, "\n")]); continue; }
    if (!cur) { cur = { t: "map", items: [] }; top.items.push({ key: "DEFAULT", value: cur }); }
    cur.items.push({ key: k, value: s(v) }, ...pending);
    pending = [];
  }
  return { docs: [top], metas: [unflattenMeta(meta)] };
}

// ------------------------------------------------------------------ metadata checks and the data key
type Meta = Record<string, unknown>;
const RULES = ["unencrypted_suffix", "encrypted_suffix", "unencrypted_regex", "encrypted_regex", "unencrypted_comment_regex", "encrypted_comment_regex"] as const;

function checkAgeEntry(e: unknown): void {
  const a = e as { recipient: string; enc: string };
  expect(a.recipient).toMatch(/^age1[0-9a-z]+$/);
  expect(a.enc.startsWith("-----BEGIN AGE ENCRYPTED FILE-----\n")).toBe(true);
  expect(a.enc.endsWith("\n-----END AGE ENCRYPTED FILE-----\n")).toBe(true);
  for (const line of a.enc.split("\n")) expect(line.length).toBeLessThanOrEqual(64);
}

function checkMeta(meta: Meta, flat: boolean): { rule: Rule | undefined; macOnly: boolean } {
  expect(String(meta.lastmodified)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  expect(String(meta.version)).toMatch(/^3\.\d+\.\d+$/);
  expect(isEnc(String(meta.mac))).toBe(true);
  expect(String(meta.mac)).toMatch(/type:str\]$/);
  const keys = Object.keys(meta);
  expect(keys).toEqual([...keys].sort()); // the 3.13 layout: alphabetical
  const rules = RULES.filter((r) => r in meta);
  expect(rules.length).toBeLessThanOrEqual(1);
  if ("mac_only_encrypted" in meta) expect(meta.mac_only_encrypted).toBe(flat ? "true" : true);
  if (meta.key_groups !== undefined) {
    const groups = meta.key_groups as Array<Record<string, unknown>>;
    expect(groups.length).toBeGreaterThan(1);
    if (flat) expect(String(meta.shamir_threshold)).toMatch(/^\d+$/);
    else expect(["number", "bigint"]).toContain(typeof meta.shamir_threshold);
    for (const g of groups) { expect(Object.keys(g)).toEqual([...Object.keys(g)].sort()); for (const a of (g.age as unknown[] | null) ?? []) checkAgeEntry(a); }
  } else {
    expect(Array.isArray(meta.age)).toBe(true);
    for (const a of meta.age as unknown[]) checkAgeEntry(a);
  }
  const r = rules[0];
  return { rule: r ? { kind: r, value: String(meta[r]) } : undefined, macOnly: meta.mac_only_encrypted === true || meta.mac_only_encrypted === "true" };
}

async function dataKeyOf(meta: Meta): Promise<Buffer> {
  const tryAll = async (entries: unknown): Promise<Buffer | undefined> => {
    for (const e of (entries as Array<{ enc: string }> | null) ?? []) for (const id of ids) { try { return await unwrapAge(e.enc, id); } catch { /* next */ } }
    return undefined;
  };
  if (meta.key_groups === undefined) { const k = await tryAll(meta.age); expect(k?.length).toBe(32); return k!; }
  const parts: Buffer[] = [];
  for (const g of meta.key_groups as Array<{ age: unknown }>) { const p = await tryAll(g.age); if (p) parts.push(p); }
  expect(parts.length).toBeGreaterThanOrEqual(Number(meta.shamir_threshold));
  for (const p of parts) expect(p.length).toBe(33);
  return shamirCombine(parts.slice(0, Number(meta.shamir_threshold)));
}

/** Reads a sealed text independently; returns the plaintext tree(s) and checks MAC, AAD and layout. */
async function independentlyOpen(text: string, fmt: "yaml" | "json" | "env" | "ini"): Promise<Node[]> {
  const { docs, metas } = fmt === "yaml" ? readYaml(text) : fmt === "json" ? readJson(text) : fmt === "env" ? readDotenv(text) : readIni(text);
  for (const m2 of metas) expect(m2).toEqual(metas[0]); // multi-doc: the same block in every document
  const meta = metas[0] as Meta;
  const { rule, macOnly } = checkMeta(meta, fmt === "env" || fmt === "ini");
  const key = await dataKeyOf(meta);
  const opened = openTree(docs, key, rule ?? { kind: "unencrypted_suffix", value: "_unencrypted" }, macOnly);
  expect(opened.wrongState).toEqual([]);
  const stored = openEnc(String(meta.mac), key, String(meta.lastmodified)).bytes.toString("utf8");
  expect(stored).toBe(opened.macHex);
  return opened.plain;
}

function plainOf(n: Node): unknown {
  if (n.t === "map") return Object.fromEntries(n.items.filter((x) => "key" in x).map((x) => [(x as { key: string }).key, plainOf((x as { value: Node }).value)]));
  if (n.t === "list") return n.items.filter((x) => !("comment" in x)).map((x) => plainOf(x as Node));
  const sc = n as Scalar;
  return sc.t === "null" ? null : sc.t === "int" ? Number(sc.v) : sc.v;
}
const commentsOf = (n: Node): string[] =>
  n.t === "map" ? n.items.flatMap((x) => ("comment" in x ? [x.comment] : commentsOf(x.value))) : n.t === "list" ? n.items.flatMap((x) => ("comment" in x ? [x.comment] : commentsOf(x as Node))) : [];

// ------------------------------------------------------------------ the cases
interface Case { name: string; file: string; text: string; flags?: string[]; config?: (r: string[]) => string; expected: unknown; comments?: string[] }

const YAML_RICH = `# top comment
str: hello
empty: ""
nothing: null
int: -42
float: 1.5
whole: 25.0
big: 9007199254740993
on: true
off_: false
"ünï ключ": värde
"key:colon": v2
db:
    # nested comment
    user: app
    password: hunter2 # inline
list:
    - - a
      - b
    - deep: x
      # in list
      deeper:
          - y
plain_unencrypted: clear
`;
const YAML_EXPECT = {
  str: "hello", empty: "", nothing: null, int: -42, float: 1.5, whole: 25, big: 9007199254740993, on: true, off_: false, "ünï ключ": "värde", "key:colon": "v2",
  db: { user: "app", password: "hunter2" }, list: [["a", "b"], { deep: "x", deeper: ["y"] }], plain_unencrypted: "clear",
};

const cases: Case[] = [
  { name: "yaml, default rule, comments", file: "a.yaml", text: YAML_RICH, expected: YAML_EXPECT, comments: [" top comment", " nested comment", " inline", " in list"] },
  { name: "yaml, encrypted_regex", file: "b.yaml", text: YAML_RICH, flags: ["--encrypted-regex", "^(password|str|list)$"], expected: YAML_EXPECT },
  { name: "yaml, unencrypted_regex + mac_only_encrypted", file: "c.yaml", text: YAML_RICH, flags: ["--unencrypted-regex", "^(db|int)$", "--mac-only-encrypted"], expected: YAML_EXPECT },
  { name: "yaml, encrypted_suffix", file: "d.yaml", text: "a_secret: 1\nb: 2\nm_secret:\n    x: y\n", flags: ["--encrypted-suffix", "_secret"], expected: { a_secret: 1, b: 2, m_secret: { x: "y" } } },
  { name: "yaml, unencrypted_comment_regex", file: "e.yaml", text: "# sops:clear\na: 1\nb: 2\n# sops:clear\nm:\n    x: y\n# other\nz: q\n", flags: ["--unencrypted-comment-regex", "sops:clear"], expected: { a: 1, b: 2, m: { x: "y" }, z: "q" } },
  { name: "yaml, encrypted_comment_regex", file: "f.yaml", text: "# sops:enc\na: 1\nb: 2\n# first\n# sops:enc\nm:\n    x: y\n    # inner\n    w: v\nz: q\n", flags: ["--encrypted-comment-regex", "sops:enc"], expected: { a: 1, b: 2, m: { x: "y", w: "v" }, z: "q" } },
  { name: "yaml, multi-document", file: "g.yaml", text: "a: 1\n---\nb: two\nc:\n    - 3\n", expected: { a: 1 } },
  { name: "yaml, key groups (threshold 2 of 3)", file: "kg.yaml", text: YAML_RICH, config: (r) => `creation_rules:\n  - path_regex: kg\\.\n    shamir_threshold: 2\n    key_groups:\n      - age: [${r[0]}]\n      - age: [${r[1]}]\n      - age: [${r[2]}]\n`, expected: YAML_EXPECT },
  { name: "json", file: "h.json", text: JSON.stringify({ a: "x", n: 1, f: 2.5, t: true, z: null, e: "", nest: { l: [1, "two", { k: "v" }] }, html: "<&>", p_unencrypted: 3 }, null, 2), expected: { a: "x", n: 1, f: 2.5, t: true, z: null, e: "", nest: { l: [1, "two", { k: "v" }] }, html: "<&>", p_unencrypted: 3 } },
  { name: "json, key groups, mac_only_encrypted, encrypted_regex", file: "kg.json", text: JSON.stringify({ password: "p", port: 5432, sub: { password: 1.5, x: true } }), flags: ["--encrypted-regex", "password", "--mac-only-encrypted"], config: (r) => `creation_rules:\n  - path_regex: kg\\.\n    key_groups:\n      - age: [${r[0]}]\n      - age: [${r[1]}]\n`, expected: { password: "p", port: 5432, sub: { password: 1.5, x: true } } },
  { name: "dotenv (sops grammar), comments", file: "i.env", text: "# c1\nA=1\nfoo = bar \nMULTI=l1\\nl2\nE=\nX_unencrypted=clear\n", flags: ["--dotenv-grammar", "sops"], expected: { A: "1", "foo ": " bar ", MULTI: "l1\nl2", E: "", X_unencrypted: "clear" }, comments: [" c1"] },
  { name: "dotenv, key groups, mac_only_encrypted", file: "kg.env", text: "A=1\nB=two\n", flags: ["--mac-only-encrypted", "--unencrypted-regex", "^A$"], config: (r) => `creation_rules:\n  - path_regex: kg\\.\n    key_groups:\n      - age: [${r[0]}]\n      - age: [${r[2]}]\n`, expected: { A: "1", B: "two" } },
  { name: "ini, comments", file: "j.ini", text: "; section c\n[db]\nuser = app\n; key c\npassword = hunter2\n\n[other]\nx_unencrypted = clear\n", expected: { db: { user: "app", password: "hunter2" }, other: { x_unencrypted: "clear" } } },
  { name: "ini, key groups, encrypted_regex", file: "kg.ini", text: "[db]\nuser = app\npassword = hunter2\n", flags: ["--encrypted-regex", "^password$"], config: (r) => `creation_rules:\n  - path_regex: kg\\.\n    shamir_threshold: 2\n    key_groups:\n      - age: [${r[0]}]\n      - age: [${r[1]}]\n      - age: [${r[2]}]\n`, expected: { db: { user: "app", password: "hunter2" } } },
];

describe("an independent reader opens what sealfile writes", () => {
  for (const c of cases) {
    it(c.name, async () => {
      const d = mkdtempSync(join(dir, "c-"));
      const p = join(d, c.file);
      writeFileSync(p, c.text);
      const args = ["encrypt", ...(c.flags ?? [])];
      if (c.config) writeFileSync(join(d, ".sops.yaml"), c.config(rcp));
      else args.push("--age", rcp[0]!);
      const r = runSecrets([...args, p], { env: baseEnv(home.dir), cwd: d });
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const fmt = c.file.endsWith(".yaml") ? "yaml" : c.file.endsWith(".json") ? "json" : c.file.endsWith(".env") ? "env" : "ini";
      const plain = await independentlyOpen(r.stdout, fmt);
      expect(plainOf(plain[0]!)).toEqual(c.expected);
      for (const cm of c.comments ?? []) expect(plain.flatMap(commentsOf)).toContain(cm);
      if (c.name.includes("multi-document")) expect(plain.map(plainOf)).toEqual([{ a: 1 }, { b: "two", c: [3] }]);
    });
  }

  it("binary, non-UTF-8 bytes: data opens at data: and the MAC is SHA-512 of the raw bytes", async () => {
    const raw = Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x41, 0x0a, 0xc3, 0x28]);
    const p = join(dir, "blob.bin");
    writeFileSync(p, raw);
    const r = runSecrets(["encrypt", "--age", rcp[0]!, p], { env: baseEnv(home.dir) });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { data: string; sops: Meta };
    expect(Object.keys(doc)).toEqual(["data", "sops"]);
    checkMeta(doc.sops, false);
    const key = await dataKeyOf(doc.sops);
    expect(openEnc(doc.data, key, "data:").bytes.equals(raw)).toBe(true);
    expect(openEnc(String(doc.sops.mac), key, String(doc.sops.lastmodified)).bytes.toString()).toBe(sha512Upper(raw));
    void readFileSync;
  });
});
