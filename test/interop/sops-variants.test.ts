// Acceptance: files laid out the way sops 3.3–3.13 write them (built by an independent writer from the
// format notes) decrypt through the real CLI to the expected values; MAC tampering exits 51, value
// tampering fails with nothing on stdout.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { parse as parseYaml } from "yaml";
import { generateX25519Identity, identityToRecipient } from "age-encryption";
import { baseEnv, runSecrets, tempHome } from "../helpers/cli.js";
import {
  b, buildMetadata, c, ic, emitBinary, emitDotenv, emitIni, emitJson, emitYaml, f, i, l, m, nul, s, sealTree, tm,
  type KeyEntry, type MapNode, type Node, type Rule, type Scalar,
} from "./sops-writer.js";

const home = tempHome();
const dir = mkdtempSync(join(tmpdir(), "sealfile-variants-"));
afterAll(() => { home.cleanup(); if (!process.env.KEEP_VARIANTS) rmSync(dir, { recursive: true, force: true }); });

const ids: string[] = [];
const rcp: string[] = [];
let keyFile = "";
beforeAll(async () => {
  for (let k = 0; k < 3; k++) { ids.push(await generateX25519Identity()); rcp.push(await identityToRecipient(ids[k]!)); }
  keyFile = join(dir, "keys.txt");
  // identities 0 and 2 are here; identity 1 is "someone else's"
  writeFileSync(keyFile, `# test\n${ids[0]}\n${ids[2]}\n`);
});

// ------------------------------------------------------------------ expected plaintext
function expectedOf(n: Node): unknown {
  if (n.t === "map") {
    const o: Record<string, unknown> = {};
    for (const it of n.items) if (!("comment" in it)) o[it.key] = expectedOf(it.value);
    return o;
  }
  if (n.t === "list") return n.items.filter((x) => !("comment" in x)).map((x) => expectedOf(x as Node));
  const sc = n as Scalar;
  switch (sc.t) {
    case "str": return sc.v;
    case "int": return Number(sc.v);
    case "float": return sc.v;
    case "bool": return sc.v;
    case "time": return sc.v;
    case "null": return null;
  }
}

// ------------------------------------------------------------------ the variants
type Fmt = "yaml" | "json" | "env" | "ini" | "bin";
interface Variant {
  name: string;
  fmt: Fmt;
  version: string;
  docs?: Node[];
  raw?: Buffer;
  groups?: () => KeyEntry[][];
  threshold?: number | string;
  rule?: Rule | "none";
  macOnly?: boolean;
  layout?: "struct" | "sorted";
  order?: "random" | "sorted";
  iniNewlines?: "double" | "multiline";
  /** JSON output is skipped (e.g. .inf has no JSON form); the plain output is still checked. */
  noJson?: boolean;
  /** Literal substrings the JSON output must hold (exact big ints). */
  jsonHas?: string[];
  clearComments?: boolean;
  lastmodified?: string;
}

const single = (): KeyEntry[][] => [[
  { kind: "kms", arn: "arn:aws:kms:us-east-1:111122223333:key/abcd", role: "arn:aws:iam::111122223333:role/r", context: { Env: "prod", "app:name": "web" } },
  { kind: "gcp_kms", resource_id: "projects/p/locations/global/keyRings/r/cryptoKeys/k" },
  { kind: "azure_kv", vault_url: "https://v.vault.azure.net", name: "k", version: "0123456789abcdef" },
  { kind: "hc_vault", vault_address: "https://vault:8200", engine_path: "sops", key_name: "k" },
  { kind: "age", recipient: rcp[1]! },
  { kind: "age", recipient: rcp[0]! },
  { kind: "pgp", fp: "FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4" },
]];
const ageOnly = (): KeyEntry[][] => [[{ kind: "age", recipient: rcp[0]! }]];
const threeGroups = (): KeyEntry[][] => [
  [{ kind: "age", recipient: rcp[0]! }, { kind: "pgp", fp: "FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4" }],
  [{ kind: "kms", arn: "arn:aws:kms:us-east-1:111122223333:key/x", context: { a: "b" } }, { kind: "age", recipient: rcp[1]! }],
  [{ kind: "hc_vault", vault_address: "https://vault:8200", engine_path: "sops", key_name: "k" }, { kind: "age", recipient: rcp[2]! }],
];

const rich = (): MapNode => m(
  c(" top comment"),
  ["str", s("hello")],
  ["empty", s("")],
  ["nothing", nul],
  ["int", i(-42)],
  ["float", f(1.5)],
  ["whole_float", f(25)],
  ["tiny", f(0.000001)],
  ["yes", b(true)],
  ["no", b(false)],
  ["ünïcødé ключ", s("värde ✓")],
  ["key with spaces", s("v1")],
  ["key:with:colons", s("v2")],
  ["key.with.dots", s("v3")],
  ["10", s("numeric key")],
  ["html", s("<a & b>")],
  ["multi", s("line1\nline2\n")],
  ["plain_unencrypted", s("stays clear")],
  ["db", m(c(" nested comment"), ["user", s("app")], ["password", s("hunter2")], ["port", i(5432)])],
  ["matrix", l(l(s("a"), s("b")), l(m(["deep", s("x")], ["deeper", l(m(["deepest", s("y")]), s("z"))])), l())],
  ["people", l(m(["name", s("ann")], ["tags", l(s("t1"), s("t1"))]), c(" list comment"), m(["name", s("bob")], ["age", i(7)]))],
  ["emptymap", m()],
  ["emptylist", l()],
);

const flatMap = (): MapNode => m(
  c(" dotenv comment"),
  ["FOO", s("bar")],
  ["foo ", s(" bar")],
  ["WITH_EQ", s("a=b=c")],
  ["EMPTY", s("")],
  ["MULTI", s("l1\nl2")],
  ["UNI", s("ü ✓")],
  ["CR", s("v\r")],
  ["X_unencrypted", s("clear")],
);

const iniDoc = (): MapNode => m(
  ["DEFAULT", m(["top", s("level")])],
  ["database", m(c("section comment"), ["user", s("app")], ["password", s("hunter2")], c("key comment"), ["port", s("5432")])],
  ["sec two", m(["path", s("/a/b")], ["x_unencrypted", s("clear")])],
);

const variants: Variant[] = [
  { name: "yaml 3.7.1 all key types, struct layout, [] lists", fmt: "yaml", version: "3.7.1", docs: [rich()], groups: single },
  { name: "yaml 3.3.1 no crypt rule stored", fmt: "yaml", version: "3.3.1", docs: [rich()], groups: ageOnly, rule: "none" },
  { name: "yaml 3.9.0 mac_only_encrypted + encrypted_regex (clear ints/bools)", fmt: "yaml", version: "3.9.0", docs: [m(
    ["password", s("p")], ["port", i(8080)], ["debug", b(true)], ["ratio", f(0.5)], ["secret_data", m(["inner", i(3)], ["flag", b(false)])],
    ["list", l(i(1), b(true), s("x"))], ["name", s("clear")],
  )], groups: ageOnly, rule: { kind: "encrypted_regex", value: "^(password|secret_.*)$" }, macOnly: true },
  { name: "yaml 3.9.4 encrypted_regex, full MAC", fmt: "yaml", version: "3.9.4", docs: [m(
    c(" top stays clear"), ["password", s("p")], ["port", i(8080)], ["debug", b(false)], ["data", m(c(" inside"), ["k", s("v")])],
  )], groups: ageOnly, rule: { kind: "encrypted_regex", value: "^(password|data)$" } },
  { name: "yaml 3.10.2 time, big ints, inf, multi-doc", fmt: "yaml", version: "3.10.2", docs: [
    m(["when", tm("2024-01-01", "2024-01-01T00:00:00Z")], ["at", tm("2006-01-02T15:04:05+07:06", "2006-01-02T15:04:05+07:06")], ["frac", tm("2024-05-06T07:08:09.123456789Z", "2024-05-06T07:08:09.123456789Z")],
      ["big", i(9223372036854775807n)], ["neg", i(-9223372036854775808n)], ["inf", f(Infinity)], ["ninf", f(-Infinity)], ["huge", f(1e21)]),
    m(["second", s("doc")], ["n", i(2)]),
    m(["third", l(s("a"), m(["b", s("c")]))]),
  ], groups: ageOnly, noJson: true },
  { name: "yaml 3.10.2 big ints as JSON", fmt: "yaml", version: "3.10.2", docs: [m(["big", i(9223372036854775807n)], ["neg", i(-9223372036854775808n)], ["when", tm("2024-01-01", "2024-01-01T00:00:00Z")])], groups: ageOnly, jsonHas: ["9223372036854775807", "-9223372036854775808"] },
  { name: "yaml 3.13.2 sorted, 3 key groups, threshold 2", fmt: "yaml", version: "3.13.2", docs: [rich()], groups: threeGroups, threshold: 2 },
  { name: "yaml 3.12.0 unencrypted_regex", fmt: "yaml", version: "3.12.0", docs: [m(["public", s("p")], ["priv", m(["public_key", s("k")], ["x", s("y")])], ["n", i(1)])], groups: ageOnly, rule: { kind: "unencrypted_regex", value: "^public" } },
  { name: "yaml 3.8.1 encrypted_suffix", fmt: "yaml", version: "3.8.1", docs: [m(["a_secret", s("s")], ["b", s("clear")], ["m_secret", m(["x", i(1)])], ["n", b(true)])], groups: ageOnly, rule: { kind: "encrypted_suffix", value: "_secret" } },
  { name: "yaml 3.9.1 unencrypted_comment_regex", fmt: "yaml", version: "3.9.1", docs: [m(
    c(" sops:nocrypt"), ["a", s("clear")], ["b", s("secret")], c(" sops:nocrypt"), ["m", m(["x", s("clear too")], ["y", i(2)])], c(" other"), ["z", s("enc")],
  )], groups: ageOnly, rule: { kind: "unencrypted_comment_regex", value: "sops:nocrypt" } },
  { name: "yaml 3.11.0 encrypted_comment_regex", fmt: "yaml", version: "3.11.0", docs: [m(
    c(" sops:enc"), ["a", s("secret")], ["b", s("clear")], c(" first"), c(" sops:enc"), ["m", m(["x", s("s2")], c(" inner"), ["y", i(2)])], c(" plain"), ["z", s("clear")],
  )], groups: ageOnly, rule: { kind: "encrypted_comment_regex", value: "sops:enc" } },
  { name: "yaml 3.13.0 struct layout (issue #2223), mac_only_encrypted default suffix", fmt: "yaml", version: "3.13.0", layout: "struct", docs: [rich()], groups: ageOnly, macOnly: true },
  { name: "yaml 3.13.2 inline comments (encrypted) and a comment-regex on an inline comment", fmt: "yaml", version: "3.13.2", docs: [m(
    ic(" inline one"), ["a", s("x")], ["b", i(1)], ic(" nocrypt"), ["c", s("clear")], ["d", m(ic(" deep inline"), ["e", b(true)])],
  )], groups: ageOnly },
  { name: "yaml 3.13.2 unencrypted_comment_regex on an inline comment", fmt: "yaml", version: "3.13.2", docs: [m(
    ["a", s("x")], ic(" nocrypt"), ["c", s("clear")], ["d", s("enc")],
  )], groups: ageOnly, rule: { kind: "unencrypted_comment_regex", value: "nocrypt" } },
  { name: "yaml 3.0-style clear comments in a default-suffix file", fmt: "yaml", version: "3.3.1", docs: [rich()], groups: ageOnly, clearComments: true },
  { name: "yaml 3.10.2 encrypted_regex: clear time, floats, big ints, inf hashed in the MAC", fmt: "yaml", version: "3.10.2", docs: [m(
    ["when", tm("2024-01-01", "2024-01-01T00:00:00Z")], ["at", tm("2001-02-03T04:05:06.7+01:00", "2001-02-03T04:05:06.7+01:00")], ["small", f(1e-7)], ["huge", f(1e21)], ["whole", f(3)],
    ["big", i(9223372036854775807n)], ["inf", f(Infinity)], ["nan_free", f(-0.25)], ["t", b(true)], ["password", s("s")],
  )], groups: ageOnly, rule: { kind: "encrypted_regex", value: "^password$" }, noJson: true },
  { name: "yaml lastmodified with an offset", fmt: "yaml", version: "3.7.1", docs: [m(["a", s("x")])], groups: ageOnly, lastmodified: "2025-03-04T07:06:07+02:00" },
  { name: "json 3.7.1 null lists, no trailing newline, all key types", fmt: "json", version: "3.7.1", docs: [rich()], groups: single },
  { name: "json 3.13.1 every number a float", fmt: "json", version: "3.13.1", docs: [m(
    ["n", f(1234)], ["neg", f(-7)], ["r", f(25.4)], ["big", f(1234567890123)], ["ok", b(true)], ["s", s("x")], ["z", nul], ["2", s("two")], ["1", s("one")],
    ["list", l(f(1), f(2.5), m(["k", f(3)]))],
  )], groups: ageOnly },
  { name: "json 3.13.2 ints as int, key groups", fmt: "json", version: "3.13.2", docs: [m(["n", i(1234)], ["r", f(2.5)], ["s", s("x")], ["deep", l(l(m(["a", i(1)])))])], groups: threeGroups, threshold: 2 },
  { name: "json 3.9.0 encrypted_regex clear numbers, mac_only_encrypted", fmt: "json", version: "3.9.0", docs: [m(["password", s("p")], ["port", f(8080)], ["on", b(true)], ["sub", m(["password", s("q")], ["n", f(1.5)])])], groups: ageOnly, rule: { kind: "encrypted_regex", value: "password" }, macOnly: true },
  { name: "dotenv 3.7.1 random metadata order", fmt: "env", version: "3.7.1", docs: [flatMap()], groups: single, order: "random" },
  { name: "dotenv 3.13.1 sorted, key groups threshold as string", fmt: "env", version: "3.13.1", docs: [flatMap()], groups: threeGroups, threshold: "2", order: "sorted" },
  { name: "dotenv 3.9.0 mac_only_encrypted, unencrypted_regex", fmt: "env", version: "3.9.0", docs: [flatMap()], groups: ageOnly, rule: { kind: "unencrypted_regex", value: "^FOO$" }, macOnly: true, order: "random" },
  { name: "ini 3.7.1 random [sops] order, double-escaped newlines", fmt: "ini", version: "3.7.1", docs: [iniDoc()], groups: single, order: "random", iniNewlines: "double" },
  { name: "ini 3.13.0 multi-line \"\"\" values", fmt: "ini", version: "3.13.0", docs: [iniDoc()], groups: ageOnly, order: "sorted", iniNewlines: "multiline" },
  { name: "ini 3.13.1 multi-line, key groups threshold as string", fmt: "ini", version: "3.13.1", docs: [iniDoc()], groups: threeGroups, threshold: "2", order: "sorted", iniNewlines: "multiline" },
  { name: "ini 3.13.2 double-escaped, encrypted_regex", fmt: "ini", version: "3.13.2", docs: [iniDoc()], groups: ageOnly, rule: { kind: "encrypted_regex", value: "^password$" }, order: "sorted", iniNewlines: "double" },
  { name: "binary 3.7.1 non-UTF-8 bytes", fmt: "bin", version: "3.7.1", raw: Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x41, 0x0a, 0xc3, 0x28, 0xe2, 0x82]), groups: single },
  { name: "binary 3.11.0 no suffix, key groups", fmt: "bin", version: "3.11.0", raw: Buffer.concat([randomBytes(300), Buffer.from("tail\n")]), groups: threeGroups, threshold: 2, rule: "none" },
];

const LASTMOD = "2025-03-04T05:06:07Z";

async function render(v: Variant, t: { tamperLeaf?: number; badMac?: boolean } = {}): Promise<string> {
  const key = randomBytes(32);
  const rule = v.rule === "none" ? undefined : v.rule;
  const groups = (v.groups ?? ageOnly)();
  if (v.fmt === "bin") {
    const macHex = t.badMac ? "00".repeat(64) : (await import("node:crypto")).createHash("sha512").update(v.raw!).digest("hex").toUpperCase();
    const meta = await buildMetadata({ version: v.version, key, groups, ...(v.threshold !== undefined ? { threshold: v.threshold } : {}), rule: v.rule ?? { kind: "unencrypted_suffix", value: "_unencrypted" }, lastmodified: LASTMOD, macHex });
    return emitBinary(v.raw!, key, meta, v.version, t.tamperLeaf !== undefined);
  }
  const sealed = sealTree(v.docs!, { key, ...(v.clearComments ? { clearComments: true } : {}), ...(rule ? { rule } : {}), ...(v.macOnly ? { macOnlyEncrypted: true } : {}), ...(t.tamperLeaf !== undefined ? { tamperLeaf: t.tamperLeaf } : {}) });
  const macHex = t.badMac ? sealed.macHex.replace(/^./, (ch) => (ch === "A" ? "B" : "A")) : sealed.macHex;
  const meta = await buildMetadata({
    version: v.version, key, groups, lastmodified: v.lastmodified ?? LASTMOD, macHex,
    ...(v.threshold !== undefined ? { threshold: v.threshold } : {}),
    ...(v.rule !== undefined ? { rule: v.rule } : {}),
    ...(v.macOnly ? { macOnlyEncrypted: true } : {}),
    ...(v.layout ? { layout: v.layout } : {}),
  });
  switch (v.fmt) {
    case "yaml": return emitYaml(sealed.docs, meta);
    case "json": return emitJson(sealed.docs[0]!, meta, v.version);
    case "env": return emitDotenv(sealed.docs[0] as MapNode, meta, v.order ?? "sorted");
    case "ini": return emitIni(sealed.docs[0] as MapNode, meta, v.iniNewlines ?? "double", v.order ?? "sorted");
  }
}

const EXT: Record<Fmt, string> = { yaml: "yaml", json: "json", env: "env", ini: "ini", bin: "bin" };
let seq = 0;
function writeVariant(v: Variant, text: string): string {
  const p = join(dir, `v${seq++}.${EXT[v.fmt]}`);
  writeFileSync(p, text);
  return p;
}
const env = (): Record<string, string> => baseEnv(home.dir, { SOPS_AGE_KEY_FILE: keyFile, AWS_EC2_METADATA_DISABLED: "true", AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "" });

/** Multi-document YAML: sealfile's JSON output of a stream is not defined by sops, so compare doc 0 only. */
function expectedJson(v: Variant): unknown {
  if (v.fmt === "ini") {
    const o = expectedOf(v.docs![0]!) as Record<string, Record<string, unknown>>;
    return o;
  }
  return expectedOf(v.docs![0]!);
}

describe("sops-written variants decrypt through the CLI", () => {
  for (const v of variants) {
    it(v.name, async () => {
      const p = writeVariant(v, await render(v));
      if (v.fmt === "bin") {
        const r = runSecrets(["decrypt", p], { env: env() });
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        expect(r.stdoutBytes.equals(v.raw!)).toBe(true);
        return;
      }
      if (!v.noJson) {
        const r = runSecrets(["decrypt", "--output-type", "json", p], { env: env() });
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        expect(JSON.parse(r.stdout)).toEqual(expectedJson(v));
        for (const lit of v.jsonHas ?? []) expect(r.stdout).toContain(lit);
      }
      const plain = runSecrets(["decrypt", p], { env: env() });
      expect(plain.stderr).toBe("");
      expect(plain.code).toBe(0);
      checkPlain(v, plain.stdout);
    });
  }
});

function checkPlain(v: Variant, out: string): void {
  const doc = v.docs![0]! as MapNode;
  switch (v.fmt) {
    case "yaml": {
      const docs = out.split(/^---$/m).map((d) => parseYaml(d, { intAsBigInt: true }) as unknown);
      expect(docs.length).toBe(v.docs!.length);
      const norm = (x: unknown): unknown => JSON.parse(JSON.stringify(x, (_k, val: unknown) => (typeof val === "bigint" ? `big:${val}` : val === Infinity ? "inf" : val === -Infinity ? "-inf" : val)));
      const exp = (n: Node): unknown => {
        if (n.t === "map") return Object.fromEntries(n.items.filter((x) => !("comment" in x)).map((x) => [(x as { key: string }).key, exp((x as { value: Node }).value)]));
        if (n.t === "list") return n.items.filter((x) => !("comment" in x)).map((x) => exp(x as Node));
        if (n.t === "int") return `big:${n.v}`;
        if (n.t === "float") return n.v === Infinity ? "inf" : n.v === -Infinity ? "-inf" : n.v;
        return expectedOf(n);
      };
      v.docs!.forEach((d, k) => expect(norm(docs[k])).toEqual(norm(exp(d))));
      // comments come back in clear text
      for (const it of doc.items) if ("comment" in it) expect(out).toContain(`#${it.comment}`);
      break;
    }
    case "json":
      expect(JSON.parse(out)).toEqual(expectedJson(v));
      break;
    case "env": {
      for (const it of doc.items) {
        if ("comment" in it) { expect(out).toContain(`#${it.comment}\n`); continue; }
        const val = (it.value as { v: string }).v;
        // sealfile may quote values for its own .env grammar; the value must come back whichever way
        expect(out).toMatch(new RegExp(`^${escapeRe(it.key.trim())}`, "m"));
        if (val !== "" && !val.includes("\n")) expect(out).toContain(val.trim());
      }
      break;
    }
    case "ini": {
      for (const it of doc.items) {
        if ("comment" in it) continue;
        if (it.key !== "DEFAULT") expect(out).toContain(`[${it.key}]`);
        for (const x of (it.value as MapNode).items) if ("comment" in x) expect(out).toContain(x.comment);
        for (const x of (it.value as MapNode).items) if (!("comment" in x)) expect(out).toMatch(new RegExp(`^${escapeRe(x.key)}\\s*=\\s*${escapeRe((x.value as { v: string }).v)}$`, "m"));
      }
      break;
    }
  }
}
const escapeRe = (x: string): string => x.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe("tampered variants fail", () => {
  for (const v of variants) {
    it(`${v.name}: MAC mismatch exits 51`, async () => {
      const p = writeVariant(v, await render(v, { badMac: true }));
      const r = runSecrets(["decrypt", p], { env: env() });
      expect(r.stdout).toBe("");
      expect(r.code).toBe(51);
    });
    it(`${v.name}: a tampered value fails, nothing on stdout`, async () => {
      const p = writeVariant(v, await render(v, { tamperLeaf: 0 }));
      const r = runSecrets(["decrypt", p], { env: env() });
      expect(r.stdout).toBe("");
      expect(r.code).not.toBe(0);
      expect(r.stderr).not.toBe("");
    });
  }
});
