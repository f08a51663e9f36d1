/**
 * Owns: an independent sops-format writer and reader for interop tests, written from
 * /work/shared/sops-format.md only (no import from src/): value cipher, path AAD, MAC, Shamir, metadata
 * layouts per sops version, and the YAML/JSON/dotenv/INI/binary text each version writes.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { Decrypter, Encrypter, armor } from "age-encryption";

// ---------------------------------------------------------------- the plaintext model
export type Scalar =
  | { t: "str"; v: string }
  | { t: "int"; v: bigint }
  | { t: "float"; v: number }
  | { t: "bool"; v: boolean }
  | { t: "time"; v: string; yaml: string } // v: RFC3339Nano (MAC bytes), yaml: the source spelling
  | { t: "null" };
/** `inline`: a YAML line comment (3.13+); in the tree it precedes its item, in the text it ends that item's line. */
export interface Comment { comment: string; inline?: boolean }
export interface MapNode { t: "map"; items: Array<{ key: string; value: Node } | Comment> }
export interface ListNode { t: "list"; items: Array<Node | Comment> }
export type Node = MapNode | ListNode | Scalar;

export const s = (v: string): Scalar => ({ t: "str", v });
export const i = (v: number | bigint): Scalar => ({ t: "int", v: BigInt(v) });
export const f = (v: number): Scalar => ({ t: "float", v });
export const b = (v: boolean): Scalar => ({ t: "bool", v });
export const tm = (yaml: string, rfc3339nano: string): Scalar => ({ t: "time", v: rfc3339nano, yaml });
export const nul: Scalar = { t: "null" };
export const c = (comment: string): Comment => ({ comment });
export const ic = (comment: string): Comment => ({ comment, inline: true });
export function m(...items: Array<[string, Node] | Comment>): MapNode {
  return { t: "map", items: items.map((x) => (Array.isArray(x) ? { key: x[0], value: x[1] } : x)) };
}
export const l = (...items: Array<Node | Comment>): ListNode => ({ t: "list", items });
const isComment = (x: unknown): x is Comment => typeof x === "object" && x !== null && "comment" in x;

// ---------------------------------------------------------------- scalar bytes (format notes §1.2)
/** Go strconv.FormatFloat(f, 'f', -1, 64): shortest digits, never an exponent, no trailing ".0". */
export function goFloat(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "+Inf";
  if (x === -Infinity) return "-Inf";
  const str = String(x);
  const e = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(str);
  if (!e) return str;
  const [, sign, d0, rest = "", expS] = e;
  const digits = d0! + rest;
  const exp = Number(expS);
  if (exp >= 0) return sign + digits.padEnd(exp + 1, "0");
  return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
}

function scalarBytes(v: Scalar): { bytes: Buffer; type: string } {
  switch (v.t) {
    case "str": return { bytes: Buffer.from(v.v, "utf8"), type: "str" };
    case "int": return { bytes: Buffer.from(v.v.toString()), type: "int" };
    case "float": return { bytes: Buffer.from(goFloat(v.v)), type: "float" };
    case "bool": return { bytes: Buffer.from(v.v ? "True" : "False"), type: "bool" };
    case "time": return { bytes: Buffer.from(v.v), type: "time" };
    case "null": throw new Error("null has no bytes");
  }
}

// ---------------------------------------------------------------- value cipher (§1.1)
export function sealBytes(bytes: Buffer, type: string, key: Buffer, aad: string): string {
  const iv = randomBytes(32);
  const ci = createCipheriv("aes-256-gcm", key, iv);
  ci.setAAD(Buffer.from(aad, "utf8"));
  const data = Buffer.concat([ci.update(bytes), ci.final()]);
  const tag = ci.getAuthTag();
  return `ENC[AES256_GCM,data:${data.toString("base64")},iv:${iv.toString("base64")},tag:${tag.toString("base64")},type:${type}]`;
}

const ENC_RE = /^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]/;
export const isEnc = (x: string): boolean => ENC_RE.test(x);

export function openEnc(envelope: string, key: Buffer, aad: string): { bytes: Buffer; type: string } {
  const mm = ENC_RE.exec(envelope);
  if (!mm) throw new Error("not an ENC envelope");
  const d = createDecipheriv("aes-256-gcm", key, Buffer.from(mm[2]!, "base64"));
  d.setAAD(Buffer.from(aad, "utf8"));
  d.setAuthTag(Buffer.from(mm[3]!, "base64"));
  return { bytes: Buffer.concat([d.update(Buffer.from(mm[1]!, "base64")), d.final()]), type: mm[4]! };
}

/** Flips one bit of the tag, so the envelope no longer authenticates. */
export function tamperEnc(envelope: string): string {
  const mm = ENC_RE.exec(envelope)!;
  const tag = Buffer.from(mm[3]!, "base64");
  tag[0] ^= 1;
  return envelope.replace(`tag:${mm[3]!}`, `tag:${tag.toString("base64")}`);
}

// ---------------------------------------------------------------- crypt rules (§1.4, sops.go shouldBeEncrypted)
export type RuleKind = "unencrypted_suffix" | "encrypted_suffix" | "unencrypted_regex" | "encrypted_regex" | "unencrypted_comment_regex" | "encrypted_comment_regex";
export interface Rule { kind: RuleKind; value: string }

function shouldEncrypt(rule: Rule | undefined, path: string[], stack: string[][], comment: boolean): boolean {
  if (!rule) return !path.some((p) => p.endsWith("_unencrypted"));
  const re = new RegExp(rule.value);
  switch (rule.kind) {
    case "unencrypted_suffix": return !path.some((p) => p.endsWith(rule.value));
    case "encrypted_suffix": return path.some((p) => p.endsWith(rule.value));
    case "unencrypted_regex": return !path.some((p) => re.test(p));
    case "encrypted_regex": return path.some((p) => re.test(p));
    case "unencrypted_comment_regex": return !stack.some((cs) => cs.some((x) => re.test(x)));
    case "encrypted_comment_regex": {
      const last = stack.length - 1;
      return stack.some((cs, si) => cs.some((x, ci) => !(comment && si === last && ci === cs.length - 1) && re.test(x)));
    }
  }
}

// ---------------------------------------------------------------- sealing a tree (Tree.Encrypt)
/** The sealed tree: encrypted leaves become `{t:"str", v:"ENC[…]"}`; clear ones keep their type. */
export interface SealOptions {
  key: Buffer;
  rule?: Rule;
  macOnlyEncrypted?: boolean;
  /** Applied to the nth encrypted non-comment leaf after sealing (0-based). */
  tamperLeaf?: number;
  /** Leave comments in clear text, as sops files from before comment encryption did. */
  clearComments?: boolean;
}

export interface Sealed { docs: Node[]; macHex: string }

export function sealTree(docs: Node[], opts: SealOptions): Sealed {
  const hash = createHash("sha512");
  if (opts.macOnlyEncrypted) hash.update(createHash("sha256").update("sops").digest());
  let encLeaves = 0;
  const leaf = (v: Scalar, path: string[], stack: string[][]): Node => {
    if (v.t === "null") return v;
    const enc = shouldEncrypt(opts.rule, path, stack, false);
    const { bytes, type } = scalarBytes(v);
    if (!opts.macOnlyEncrypted || enc) hash.update(bytes);
    if (!enc) return v;
    if (v.t === "str" && bytes.length === 0) return v;
    let out = sealBytes(bytes, type, opts.key, `${path.join(":")}:`);
    if (opts.tamperLeaf === encLeaves) out = tamperEnc(out);
    encLeaves++;
    return { t: "str", v: out };
  };
  const comment = (x: Comment, path: string[], stack: string[][]): Comment => {
    const top = stack[stack.length - 1]!;
    top.push(x.comment);
    if (opts.clearComments || !shouldEncrypt(opts.rule, path, stack, true) || x.comment === "") return x;
    return { ...x, comment: sealBytes(Buffer.from(x.comment, "utf8"), "comment", opts.key, `${path.join(":")}:`) };
  };
  const walk = (n: Node, path: string[], stack: string[][]): Node => {
    if (n.t === "map" || n.t === "list") {
      const st = [...stack, [] as string[]];
      const items = n.items.map((it) => {
        if (isComment(it)) return comment(it, path, st);
        if (n.t === "map") {
          const e = it as { key: string; value: Node };
          const out = { key: e.key, value: walk(e.value, [...path, e.key], st) };
          st[st.length - 1] = [];
          return out;
        }
        const out = walk(it as Node, path, st);
        st[st.length - 1] = [];
        return out;
      });
      return { t: n.t, items } as Node;
    }
    return leaf(n, path, stack);
  };
  const out = docs.map((d) => walk(d, [], []));
  return { docs: out, macHex: hash.digest("hex").toUpperCase() };
}

// ---------------------------------------------------------------- Shamir (§4)
function gfMul(a: number, bb: number): number {
  let p = 0;
  for (let k = 0; k < 8; k++) {
    if (bb & 1) p ^= a;
    const hi = a & 0x80;
    a = (a << 1) & 0xff;
    if (hi) a ^= 0x1b;
    bb >>= 1;
  }
  return p;
}

export function shamirSplit(secret: Buffer, parts: number, threshold: number): Buffer[] {
  const out = Array.from({ length: parts }, (_, k) => { const sh = Buffer.alloc(secret.length + 1); sh[secret.length] = k + 1; return sh; });
  for (let j = 0; j < secret.length; j++) {
    const coef = [secret[j]!, ...randomBytes(threshold - 1)];
    for (let k = 0; k < parts; k++) {
      const x = k + 1;
      let y = 0;
      for (let d = coef.length - 1; d >= 0; d--) y = gfMul(y, x) ^ coef[d]!;
      out[k]![j] = y;
    }
  }
  return out;
}

// ---------------------------------------------------------------- metadata (§3)
/** An ordered JSON-like value, so key order in emitted text is exactly as built. */
export type OV = string | number | boolean | null | OV[] | { o: Array<[string, OV]> };
const obj = (...e: Array<[string, OV]>): OV => ({ o: e });

export type KeyEntry =
  | { kind: "age"; recipient: string }
  | { kind: "pgp"; fp: string }
  | { kind: "kms"; arn: string; role?: string; context?: Record<string, string> }
  | { kind: "gcp_kms"; resource_id: string }
  | { kind: "azure_kv"; vault_url: string; name: string; version: string }
  | { kind: "hc_vault"; vault_address: string; engine_path: string; key_name: string };

const CREATED = "2024-02-03T04:05:06Z";

async function wrapEntry(k: KeyEntry, secret: Buffer): Promise<Array<[string, OV]>> {
  const fake = `FAKE-${k.kind}-${randomBytes(12).toString("base64")}`;
  switch (k.kind) {
    case "age": {
      const e = new Encrypter();
      e.addRecipient(k.recipient);
      return [["recipient", k.recipient], ["enc", armor.encode(await e.encrypt(secret))]];
    }
    case "pgp": return [["created_at", CREATED], ["enc", `-----BEGIN PGP MESSAGE-----\n\n${fake}\n-----END PGP MESSAGE-----`], ["fp", k.fp]];
    case "kms": {
      const e: Array<[string, OV]> = [["arn", k.arn]];
      if (k.role) e.push(["role", k.role]);
      if (k.context) e.push(["context", obj(...Object.entries(k.context))]);
      e.push(["created_at", CREATED], ["enc", Buffer.from(fake).toString("base64")], ["aws_profile", ""]);
      return e;
    }
    case "gcp_kms": return [["resource_id", k.resource_id], ["created_at", CREATED], ["enc", Buffer.from(fake).toString("base64")]];
    case "azure_kv": return [["vault_url", k.vault_url], ["name", k.name], ["version", k.version], ["created_at", CREATED], ["enc", Buffer.from(fake).toString("base64url")]];
    case "hc_vault": return [["vault_address", k.vault_address], ["engine_path", k.engine_path], ["key_name", k.key_name], ["created_at", CREATED], ["enc", `vault:v1:${Buffer.from(fake).toString("base64")}`]];
  }
}

export interface MetaOptions {
  version: string; // e.g. "3.7.1"
  key: Buffer;
  groups: KeyEntry[][];
  threshold?: number | string; // written as given (string for the "weakly typed" variants)
  rule?: Rule | "none"; // "none": write no crypt rule at all (very old files)
  macOnlyEncrypted?: boolean;
  lastmodified: string;
  macHex: string;
  /** Overrides the layout the version implies. */
  layout?: "struct" | "sorted";
}

const KINDS = ["kms", "gcp_kms", "azure_kv", "hc_vault", "age", "pgp"] as const;

function cmpVersion(a: string, bb: string): number {
  const pa = a.split(".").map(Number), pb = bb.split(".").map(Number);
  for (let k = 0; k < 3; k++) if ((pa[k] ?? 0) !== (pb[k] ?? 0)) return (pa[k] ?? 0) - (pb[k] ?? 0);
  return 0;
}

function sortOV(v: OV): OV {
  if (Array.isArray(v)) return v.map(sortOV);
  if (v && typeof v === "object") return { o: [...v.o].sort(([a], [bb]) => (a < bb ? -1 : a > bb ? 1 : 0)).map(([k, x]) => [k, sortOV(x)] as [string, OV]) };
  return v;
}

/** Builds the `sops` block the way sops `version` lays it out (§3.2). */
export async function buildMetadata(o: MetaOptions): Promise<OV> {
  const old = cmpVersion(o.version, "3.10.0") < 0;
  const layout = o.layout ?? (cmpVersion(o.version, "3.13.0") >= 0 ? "sorted" : "struct");
  const groups = o.groups;
  const secrets = groups.length > 1
    ? shamirSplit(o.key, groups.length, typeof o.threshold === "string" ? Number(o.threshold) : o.threshold ?? groups.length)
    : [o.key];
  const wrapped = await Promise.all(groups.map(async (g, gi) => {
    const byKind = new Map<string, OV[]>();
    for (const k of g) {
      const e = await wrapEntry(k, secrets[gi]!);
      byKind.set(k.kind, [...(byKind.get(k.kind) ?? []), { o: e }]);
    }
    return byKind;
  }));
  const e: Array<[string, OV]> = [];
  const emptyList: OV = old ? [] : null;
  const mac = sealBytes(Buffer.from(o.macHex), "str", o.key, o.lastmodified);
  if (groups.length > 1) {
    e.push(["shamir_threshold", o.threshold ?? groups.length]);
    e.push(["key_groups", wrapped.map((w) => {
      const ge: Array<[string, OV]> = [];
      for (const k of ["pgp", "kms", "gcp_kms", "azure_kv"]) if (w.has(k)) ge.push([k, w.get(k)!]);
      ge.push(["hc_vault", w.get("hc_vault") ?? emptyList], ["age", w.get("age") ?? emptyList]);
      return { o: ge };
    })]);
  }
  const single = groups.length === 1 ? wrapped[0]! : new Map<string, OV[]>();
  for (const k of KINDS) {
    if (k === "pgp") continue;
    if (single.has(k)) e.push([k, single.get(k)!]);
    else if (old) e.push([k, emptyList]);
  }
  e.push(["lastmodified", o.lastmodified], ["mac", mac]);
  if (single.has("pgp")) e.push(["pgp", single.get("pgp")!]);
  else if (old) e.push(["pgp", emptyList]);
  const rule = o.rule ?? { kind: "unencrypted_suffix", value: "_unencrypted" };
  if (rule !== "none") e.push([rule.kind, rule.value]);
  if (o.macOnlyEncrypted) e.push(["mac_only_encrypted", true]);
  e.push(["version", o.version]);
  const meta: OV = { o: e };
  return layout === "sorted" ? sortOV(meta) : meta;
}

/** JSON null for empty lists (≤3.9 JSON writes `null`, YAML `[]`). */
function jsonEmpty(v: OV): OV {
  if (Array.isArray(v)) return v.length === 0 ? null : v.map(jsonEmpty);
  if (v && typeof v === "object") return { o: v.o.map(([k, x]) => [k, jsonEmpty(x)] as [string, OV]) };
  return v;
}

// ---------------------------------------------------------------- YAML (yaml.v3 style, indent 4)
const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_\-]*(?: [A-Za-z0-9_\-]+)*$/;
const yKey = (k: string): string => (PLAIN_KEY.test(k) && !/^(true|false|null|yes|no|on|off|y|n|~)$/i.test(k) ? k : JSON.stringify(k));

/** Strings yaml.v3 would leave unquoted (conservative: nothing that could read as another type). */
const plainSafe = (x: string): boolean =>
  /^[A-Za-z_\/][A-Za-z0-9_\/.+=:@-]*( [A-Za-z0-9_\/.+=@-]+)*$/.test(x) && !/: |:$/.test(x) &&
  !/^(true|false|yes|no|on|off|y|n|null|~)$/i.test(x);

function yScalar(v: Scalar | { t: "str"; v: string }, ind: string): string {
  switch (v.t) {
    case "str":
      if (isEnc(v.v)) return v.v;
      if (v.v.includes("\n") && !/ \n|\n /.test(v.v) && !v.v.startsWith(" ")) {
        const body = v.v.endsWith("\n") ? v.v.slice(0, -1) : v.v;
        return `${v.v.endsWith("\n") ? "|" : "|-"}\n${body.split("\n").map((x) => (x === "" ? "" : ind + x)).join("\n")}`;
      }
      return plainSafe(v.v) ? v.v : JSON.stringify(v.v);
    case "int": return v.v.toString();
    case "float": return Number.isNaN(v.v) ? ".nan" : v.v === Infinity ? ".inf" : v.v === -Infinity ? "-.inf" : Number.isInteger(v.v) && Math.abs(v.v) < 1e21 ? `${v.v}.0` : String(v.v);
    case "bool": return v.v ? "true" : "false";
    case "time": return v.yaml;
    case "null": return "null";
  }
}

function yNode(n: Node, ind: string, lines: string[], prefix: string): void {
  // `prefix` is what goes before the first line ("key:" handled by caller; "- " for list items)
  if (n.t === "map") {
    if (n.items.length === 0) { lines.push(`${prefix}{}`); return; }
    let first = true;
    let inline: string[] = [];
    for (const it of n.items) {
      if (isComment(it) && it.inline) { inline.push(it.comment); continue; }
      const lead = first ? prefix : ind;
      first = false;
      if (isComment(it)) { lines.push(`${lead}#${it.comment}`); continue; }
      const e = it as { key: string; value: Node };
      if (inline.length > 0 && (e.value.t === "map" || e.value.t === "list")) throw new Error("inline comments only before scalar entries");
      const tail = inline.map((x) => ` #${x}`).join("");
      inline = [];
      const k = `${lead}${yKey(e.key)}:`;
      if (e.value.t === "map" && e.value.items.length > 0) { lines.push(k); yNode(e.value, `${ind}    `, lines, `${ind}    `); }
      else if (e.value.t === "list" && e.value.items.length > 0) { lines.push(k); yNode(e.value, `${ind}    `, lines, `${ind}    `); }
      else if (e.value.t === "map") lines.push(`${k} {}`);
      else if (e.value.t === "list") lines.push(`${k} []`);
      else lines.push(`${k} ${yScalar(e.value, `${ind}    `)}${tail}`);
    }
    return;
  }
  if (n.t === "list") {
    if (n.items.length === 0) { lines.push(`${prefix}[]`); return; }
    let first = true;
    for (const it of n.items) {
      const lead = first ? prefix : ind;
      first = false;
      if (isComment(it)) { lines.push(`${lead}#${it.comment}`); continue; }
      const x = it as Node;
      if ((x.t === "map" || x.t === "list") && x.items.length > 0) yNode(x, `${ind}  `, lines, `${lead}- `);
      else if (x.t === "map") lines.push(`${lead}- {}`);
      else if (x.t === "list") lines.push(`${lead}- []`);
      else lines.push(`${lead}- ${yScalar(x, `${ind}  `)}`);
    }
    return;
  }
  lines.push(`${prefix}${yScalar(n, ind)}`);
}

function ovToNode(v: OV): Node {
  if (Array.isArray(v)) return { t: "list", items: v.map(ovToNode) };
  if (v === null) return nul;
  if (typeof v === "object") return { t: "map", items: v.o.map(([k, x]) => ({ key: k, value: ovToNode(x) })) };
  if (typeof v === "number") return Number.isInteger(v) ? i(v) : f(v);
  if (typeof v === "boolean") return b(v);
  return s(v);
}

export function emitYaml(docs: Node[], meta: OV): string {
  const out: string[] = [];
  for (const d of docs) {
    const withMeta: MapNode = { t: "map", items: [...(d as MapNode).items, { key: "sops", value: ovToNode(meta) }] };
    const lines: string[] = [];
    yNode(withMeta, "", lines, "");
    out.push(`${lines.join("\n")}\n`);
  }
  return out.join("---\n");
}

// ---------------------------------------------------------------- JSON (Go json.Indent with a tab)
const goJsonString = (x: string): string =>
  JSON.stringify(x).replace(/[<>&\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);

function jScalar(v: Scalar): string {
  switch (v.t) {
    case "str": return goJsonString(v.v);
    case "int": return v.v.toString();
    case "float": return String(v.v);
    case "bool": return String(v.v);
    case "time": return goJsonString(v.v);
    case "null": return "null";
  }
}

function jNode(n: Node | OV, ind: string): string {
  const inner = `${ind}\t`;
  if (n !== null && typeof n === "object" && !Array.isArray(n) && "o" in n) {
    if (n.o.length === 0) return "{}";
    return `{\n${n.o.map(([k, x]) => `${inner}${goJsonString(k)}: ${jNode(x, inner)}`).join(",\n")}\n${ind}}`;
  }
  if (Array.isArray(n)) return n.length === 0 ? "[]" : `[\n${n.map((x) => `${inner}${jNode(x, inner)}`).join(",\n")}\n${ind}]`;
  if (n === null) return "null";
  if (typeof n === "string") return goJsonString(n);
  if (typeof n === "number" || typeof n === "boolean") return String(n);
  const node = n;
  if (node.t === "map") {
    const es = node.items.filter((x) => !isComment(x)) as Array<{ key: string; value: Node }>;
    if (es.length === 0) return "{}";
    return `{\n${es.map((e) => `${inner}${goJsonString(e.key)}: ${jNode(e.value, inner)}`).join(",\n")}\n${ind}}`;
  }
  if (node.t === "list") {
    const xs = node.items.filter((x) => !isComment(x)) as Node[];
    return xs.length === 0 ? "[]" : `[\n${xs.map((x) => `${inner}${jNode(x, inner)}`).join(",\n")}\n${ind}]`;
  }
  return jScalar(node);
}

export function emitJson(doc: Node, meta: OV, version: string): string {
  const items = (doc as MapNode).items.filter((x) => !isComment(x)) as Array<{ key: string; value: Node }>;
  const m2 = cmpVersion(version, "3.10.0") < 0 ? jsonEmpty(meta) : meta;
  const body = [...items.map((e) => `\t${goJsonString(e.key)}: ${jNode(e.value, "\t")}`), `\t"sops": ${jNode(m2, "\t")}`];
  return `{\n${body.join(",\n")}\n}${cmpVersion(version, "3.10.0") < 0 ? "" : "\n"}`;
}

export function emitBinary(raw: Buffer, key: Buffer, meta: OV, version: string, tamper = false): string {
  let enc = sealBytes(raw, "str", key, "data:");
  if (tamper) enc = tamperEnc(enc);
  return emitJson(m(["data", s(enc)]), meta, version);
}

// ---------------------------------------------------------------- flattened metadata (dotenv / INI)
export function flattenMeta(meta: OV, prefix = ""): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const go = (v: OV, p: string): void => {
    if (Array.isArray(v)) { v.forEach((x, k) => go(x, `${p}__list_${k}`)); return; }
    if (v && typeof v === "object") { for (const [k, x] of v.o) go(x, p === prefix ? `${p}${k}` : `${p}__map_${k}`); return; }
    if (v === null) return;
    out.push([p, typeof v === "boolean" ? String(v) : String(v)]);
  };
  go(meta, prefix);
  return out;
}

function shuffle<T>(xs: T[]): T[] {
  const a = [...xs];
  for (let k = a.length - 1; k > 0; k--) { const j = randomBytes(1)[0]! % (k + 1); [a[k], a[j]] = [a[j]!, a[k]!]; }
  return a;
}

/** Go ValToString for the clear non-string values dotenv/INI write. */
function valToString(v: Scalar): string {
  switch (v.t) {
    case "str": return v.v;
    case "bool": return String(v.v);
    case "int": return v.v.toString();
    default: return goFloat((v as { v: number }).v);
  }
}

export function emitDotenv(doc: MapNode, meta: OV, order: "random" | "sorted"): string {
  const lines: string[] = [];
  for (const it of doc.items) {
    if (isComment(it)) { lines.push(`#${it.comment}`); continue; }
    const e = it as { key: string; value: Node };
    lines.push(`${e.key}=${valToString(e.value as Scalar).replace(/\n/g, "\\n")}`);
  }
  let flat = flattenMeta(meta, "sops_");
  flat = order === "random" ? shuffle(flat) : flat.sort(([a], [bb]) => (a < bb ? -1 : 1));
  for (const [k, v] of flat) lines.push(`${k}=${v.replace(/\n/g, "\\n")}`);
  return `${lines.join("\n")}\n`;
}

/**
 * INI (go-ini pretty format): sections are the top-level map's entries. In the tree a section's comment is
 * its first item and a key's comment follows the key; in the file both come before what they describe.
 * A leading DEFAULT section gets no header. `newlines`: how `[sops]` values write newlines.
 */
export function emitIni(doc: MapNode, meta: OV, newlines: "double" | "multiline", order: "random" | "sorted"): string {
  const out: string[] = [];
  const value = (v: string): string => {
    if (v.includes("\n") || v.includes("`")) return `"""${v}"""`;
    if (v.includes("#") || v.includes(";")) return `\`${v}\``;
    if (/^\s|\s$/.test(v)) return `"${v}"`;
    return v;
  };
  const section = (name: string, items: Array<[string, string] | Comment>, first: boolean): void => {
    const width = Math.max(0, ...items.map((e) => (Array.isArray(e) ? e[0].length : 0)));
    let k0 = 0;
    if (items[0] && !Array.isArray(items[0])) { out.push(`; ${items[0].comment}`); k0 = 1; }
    if (!(first && name === "DEFAULT")) out.push(`[${name}]`);
    const rows: string[][] = [];
    for (let k = k0; k < items.length; k++) {
      const e = items[k]!;
      if (!Array.isArray(e)) { rows[rows.length - 1]?.unshift(`; ${e.comment}`); continue; }
      rows.push([`${e[0].padEnd(width)} = ${value(e[1])}`]);
    }
    for (const r of rows) out.push(...r);
    out.push("");
  };
  let first = true;
  for (const it of doc.items) {
    if (isComment(it)) continue;
    const e = it as { key: string; value: Node };
    const entries: Array<[string, string] | Comment> = [];
    for (const x of (e.value as MapNode).items) entries.push(isComment(x) ? x : [x.key, valToString(x.value as Scalar)]);
    section(e.key, entries, first);
    first = false;
  }
  let flat = flattenMeta(meta);
  flat = order === "random" ? shuffle(flat) : flat.sort(([a], [bb]) => (a < bb ? -1 : 1));
  section("sops", flat.map(([k, v]) => [k, newlines === "double" ? v.replace(/\n/g, "\\n") : v]), false);
  return out.join("\n");
}

// ---------------------------------------------------------------- reading (the reverse direction)
/** Opens an age-armored stanza with an identity string. */
export async function unwrapAge(encArmored: string, identity: string): Promise<Buffer> {
  const d = new Decrypter();
  d.addIdentity(identity);
  return Buffer.from(await d.decrypt(armor.decode(encArmored)));
}

export function shamirCombine(parts: Buffer[]): Buffer {
  const len = parts[0]!.length - 1;
  const out = Buffer.alloc(len);
  const xs = parts.map((p) => p[len]!);
  const inv = (a: number): number => { let r = 1; for (let k = 0; k < 254; k++) r = gfMul(r, a); return r; };
  for (let j = 0; j < len; j++) {
    let acc = 0;
    for (let a = 0; a < parts.length; a++) {
      let num = 1, den = 1;
      for (let bb = 0; bb < parts.length; bb++) if (a !== bb) { num = gfMul(num, xs[bb]!); den = gfMul(den, xs[a]! ^ xs[bb]!); }
      acc ^= gfMul(parts[a]![j]!, gfMul(num, inv(den)));
    }
    out[j] = acc;
  }
  return out;
}

/**
 * Tree.Decrypt: opens every encrypted leaf and comment at its path AAD and re-derives the MAC. `wrongState`
 * lists places whose encrypted/clear state disagrees with the crypt rule (what a writer must get right).
 */
export function openTree(docs: Node[], key: Buffer, rule: Rule | undefined, macOnly: boolean): { plain: Node[]; macHex: string; wrongState: string[] } {
  const hash = createHash("sha512");
  if (macOnly) hash.update(createHash("sha256").update("sops").digest());
  const wrongState: string[] = [];
  const typed = (bytes: Buffer, type: string): Scalar => {
    const t = bytes.toString("utf8");
    switch (type) {
      case "str": return s(t);
      case "int": return i(BigInt(t));
      case "float": return f(t === "+Inf" ? Infinity : t === "-Inf" ? -Infinity : Number(t));
      case "bool": return b(t === "True" || t === "true");
      case "time": return tm(t, t);
      default: throw new Error(`unknown type ${type}`);
    }
  };
  const walk = (n: Node, path: string[], stack: string[][]): Node => {
    if (n.t === "map" || n.t === "list") {
      const st = [...stack, [] as string[]];
      const items = n.items.map((it) => {
        if (isComment(it)) {
          const enc = isEnc(it.comment);
          const text = enc ? openEnc(it.comment, key, `${path.join(":")}:`).bytes.toString("utf8") : it.comment;
          st[st.length - 1]!.push(text);
          const want = shouldEncrypt(rule, path, st, true) && text !== "";
          if (want !== enc) wrongState.push(`comment ${JSON.stringify(text)} at ${path.join(".") || "<top>"}`);
          return { ...it, comment: text };
        }
        const e = n.t === "map" ? (it as { key: string; value: Node }) : { key: undefined, value: it as Node };
        const p2 = e.key === undefined ? path : [...path, e.key];
        const out = walk(e.value, p2, st);
        st[st.length - 1] = [];
        return e.key === undefined ? out : { key: e.key, value: out };
      });
      return { t: n.t, items } as Node;
    }
    if (n.t === "null") return n;
    const want = shouldEncrypt(rule, path, stack, false);
    let v: Scalar = n;
    const enc = n.t === "str" && isEnc(n.v);
    if (enc) { const o = openEnc((n as { v: string }).v, key, `${path.join(":")}:`); v = typed(o.bytes, o.type); }
    const isEmpty = v.t === "str" && v.v === "";
    if (want !== enc && !(isEmpty && !enc)) wrongState.push(`value at ${path.join(".")}`);
    if (!macOnly || want) hash.update(scalarBytes(v).bytes);
    return v;
  };
  const plain = docs.map((d) => walk(d, [], []));
  return { plain, macHex: hash.digest("hex").toUpperCase(), wrongState };
}

/** Inverse of flattenMeta: `a__list_0__map_b` paths back into nested objects/arrays. */
export function unflattenMeta(pairs: Array<[string, string]>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [k, v] of pairs) {
    const parts = k.split(/__(?=list_\d+|map_)/);
    let cur: Record<string, unknown> | unknown[] = root;
    parts.forEach((p, idx) => {
      const last = idx === parts.length - 1;
      const seg: string | number = p.startsWith("list_") && idx > 0 ? Number(p.slice(5)) : p.startsWith("map_") && idx > 0 ? p.slice(4) : p;
      const nextIsList = !last && parts[idx + 1]!.startsWith("list_");
      const container = cur as Record<string | number, unknown>;
      if (last) container[seg] = v;
      else { container[seg] ??= nextIsList ? [] : {}; cur = container[seg] as Record<string, unknown>; }
    });
  }
  return root;
}

export function sha512Upper(x: Buffer): string { return createHash("sha512").update(x).digest("hex").toUpperCase(); }
