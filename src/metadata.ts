/**
 * Owns: the `sops` metadata block — finding it in a parsed file (in each format's layout), decoding it
 * leniently as sops does (any key order; empty lists as [], null or missing; weak typing in dotenv/INI),
 * validating it against schemas/metadata.schema.json (its regex rule with the RE2 engine), and writing it
 * back in the sops 3.13 layout (keys sorted alphabetically at every level). Format: sops stores/stores.go, stores/metadata.go.
 */
import { SealError } from "./errors.js";
import type { MetadataLayout } from "./formats/types.js";
import { flattenMap, unflattenPairs } from "./formats/flatten.js";
import { validateMetadata } from "./generated/validators.js";
import type { KeyEntry, KeyKind } from "./keys/types.js";
import { fromPlain, toPlain, type PlainValue } from "./tree/plain.js";
import { compileUserRegex } from "./user-regex.js";
import type { MapEntry, Tree, TreeMap } from "./tree/node.js";

/** The sops version whose layout we write. sops compares it (e.g. the pre-3.3.0 KMS context fix), so it must be a sops version. */
export const SOPS_LAYOUT_VERSION = "3.13.2";

export const CRYPT_RULE_KINDS = [
  "unencrypted_suffix",
  "encrypted_suffix",
  "unencrypted_regex",
  "encrypted_regex",
  "unencrypted_comment_regex",
  "encrypted_comment_regex",
] as const;
export type CryptRuleKind = (typeof CRYPT_RULE_KINDS)[number];

/** Which leaves get encrypted: at most one rule per file (sops). */
export interface CryptRule {
  readonly kind: CryptRuleKind;
  readonly value: string;
}

/** sops's default when a file stores no rule. */
export const DEFAULT_CRYPT_RULE: CryptRule = { kind: "unencrypted_suffix", value: "_unencrypted" };

/** Key kinds in the order sops's metadata struct lists them. */
export const KEY_KINDS: readonly KeyKind[] = ["kms", "gcp_kms", "hckms", "azure_kv", "hc_vault", "age", "pgp"];

export interface KeyRef {
  readonly kind: KeyKind;
  readonly entry: KeyEntry;
}

export interface Metadata {
  keyGroups: KeyRef[][];
  /** Shares needed when there are several groups (0 = all of them). */
  shamirThreshold: number;
  lastModified: string;
  mac: string;
  cryptRule: CryptRule;
  /** False when the file stores no rule (binary files since sops 3.11, very old files). */
  cryptRuleStored: boolean;
  macOnlyEncrypted: boolean;
  version: string;
  /** Fields sops ignores that sealfile keeps (e.g. `sealfile_rotated_at`). */
  extra: Record<string, string>;
}

const METADATA_KEY = "sops";
const PREFIX = "sops_";

/** True when the parsed file carries a metadata block (what makes `encrypt` refuse with exit 203). */
export function hasMetadata(tree: Tree, layout: MetadataLayout): boolean {
  const first = tree.branches[0];
  if (!first) return false;
  if (layout === "prefixed") return first.items.some((it) => it.kind === "entry" && it.key.startsWith(PREFIX));
  return first.items.some((it) => it.kind === "entry" && it.key === METADATA_KEY);
}

/**
 * Removes the metadata block from every branch and decodes the first one.
 * @returns the metadata, or null when the file has none.
 * @throws SealError BAD_METADATA when the block is present but invalid.
 */
export function extractMetadata(tree: Tree, layout: MetadataLayout): Metadata | null {
  let raw: PlainValue | undefined;
  tree.branches.forEach((branch, i) => {
    const found = takeRaw(branch, layout);
    if (i === 0) raw = found;
  });
  if (raw === undefined) return null;
  return decodeMetadata(raw, layout !== "nested");
}

function takeRaw(branch: TreeMap, layout: MetadataLayout): PlainValue | undefined {
  if (layout === "prefixed") {
    const pairs: Array<[string, string]> = [];
    branch.items = branch.items.filter((it) => {
      if (it.kind !== "entry" || !it.key.startsWith(PREFIX)) return true;
      pairs.push([it.key.slice(PREFIX.length), scalarText(it)]);
      return false;
    });
    return pairs.length ? toPlain(unflattenPairs(pairs)) : undefined;
  }
  const idx = branch.items.findIndex((it) => it.kind === "entry" && it.key === METADATA_KEY);
  if (idx < 0) return undefined;
  const [item] = branch.items.splice(idx, 1) as [MapEntry];
  if (layout === "section") {
    if (item.value.kind !== "map") throw new SealError("BAD_METADATA", "the [sops] section is malformed");
    // INI metadata escapes newlines as the two characters \n (sops 3.13.0–3.13.1 wrote real ones; accept both).
    const pairs: Array<[string, string]> = [];
    for (const it of item.value.items) if (it.kind === "entry") pairs.push([it.key, scalarText(it).replace(/\\n/g, "\n")]);
    return toPlain(unflattenPairs(pairs));
  }
  return toPlain(item.value);
}

function scalarText(e: MapEntry): string {
  const v = e.value;
  if (v.kind === "str") return v.value;
  if (v.kind === "int") return v.value.toString();
  if (v.kind === "float" || v.kind === "bool") return String(v.value);
  if (v.kind === "null") return "";
  throw new SealError("BAD_METADATA", `metadata key ${e.key} is malformed`);
}

/** Weak typing as sops's mapstructure decoder applies it to flattened (string-only) formats. */
function coerceWeak(raw: Record<string, PlainValue>): void {
  if (typeof raw.shamir_threshold === "string") raw.shamir_threshold = Number.parseInt(raw.shamir_threshold, 10);
  if (typeof raw.mac_only_encrypted === "string") raw.mac_only_encrypted = /^(1|t|true)$/i.test(raw.mac_only_encrypted);
}

/**
 * Decodes a raw metadata object.
 * @throws SealError BAD_METADATA naming the first schema violation.
 */
export function decodeMetadata(raw: PlainValue, weak: boolean): Metadata {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw) || raw instanceof Uint8Array) {
    throw new SealError("BAD_METADATA", "the sops metadata block is not a map");
  }
  const obj = normalizeNumbers(raw) as Record<string, PlainValue>;
  if (weak) coerceWeak(obj);
  if (obj.shamir_threshold === null) delete obj.shamir_threshold;
  // sops decodes a missing mac as "", which fails later as a MAC mismatch (exit 51, common.go:104), not here.
  if (obj.mac === undefined) obj.mac = "";
  if (!validateMetadata(obj)) {
    const err = validateMetadata.errors?.[0];
    const where = err?.instancePath ? `sops${err.instancePath.replace(/\//g, ".")}` : "sops";
    throw new SealError("BAD_METADATA", `invalid metadata: ${where} ${err?.message ?? "is malformed"}`, {
      hint: "the file's sops block was edited by hand or is damaged",
    });
  }
  const rules = CRYPT_RULE_KINDS.filter((k) => typeof obj[k] === "string" && obj[k] !== "");
  if (rules.length > 1) throw new SealError("BAD_METADATA", `the metadata sets more than one encryption rule (${rules.join(", ")})`);
  const ruleKind = rules[0];
  if (ruleKind?.endsWith("regex")) {
    compileUserRegex(obj[ruleKind] as string, {
      code: "BAD_METADATA",
      at: `invalid metadata: sops.${ruleKind}`,
      hint: "the file's sops block was edited by hand or is damaged (sops reads this rule as an RE2 regular expression)",
    });
  }
  const groups = decodeGroups(obj);
  const extra: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj)) if (k.startsWith("sealfile_") && typeof v === "string") extra[k] = v;
  return {
    keyGroups: groups,
    shamirThreshold: typeof obj.shamir_threshold === "number" ? obj.shamir_threshold : 0,
    lastModified: obj.lastmodified as string,
    // Files from very old sops may have no MAC: opening them then needs --ignore-mac (sops: "File has no MAC").
    mac: typeof obj.mac === "string" ? obj.mac : "",
    cryptRule: ruleKind ? { kind: ruleKind, value: obj[ruleKind] as string } : DEFAULT_CRYPT_RULE,
    cryptRuleStored: ruleKind !== undefined,
    macOnlyEncrypted: obj.mac_only_encrypted === true,
    version: typeof obj.version === "string" ? obj.version : "",
    extra,
  };
}

/** Metadata numbers arrive as bigint from some stores; the schema wants plain numbers. */
function normalizeNumbers(v: PlainValue): PlainValue {
  if (typeof v === "bigint") return Number(v);
  if (Array.isArray(v)) return v.map(normalizeNumbers);
  if (v && typeof v === "object" && !(v instanceof Uint8Array)) {
    const out: Record<string, PlainValue> = {};
    for (const [k, x] of Object.entries(v)) out[k] = normalizeNumbers(x);
    return out;
  }
  return v;
}

function groupFrom(obj: Record<string, PlainValue>): KeyRef[] {
  const refs: KeyRef[] = [];
  for (const kind of KEY_KINDS) {
    const list = obj[kind];
    if (Array.isArray(list)) for (const entry of list) refs.push({ kind, entry: entry as KeyEntry });
  }
  return refs;
}

function decodeGroups(obj: Record<string, PlainValue>): KeyRef[][] {
  const top = groupFrom(obj);
  if (top.length > 0) return [top];
  const kg = obj.key_groups;
  if (Array.isArray(kg) && kg.length > 0) return kg.map((g) => groupFrom(g as Record<string, PlainValue>));
  throw new SealError("BAD_METADATA", "no keys found in the file's metadata");
}

/** The metadata as a plain object in the sops 3.13 layout (sorted keys; key lists only when non-empty). */
export function encodeMetadata(md: Metadata): Record<string, PlainValue> {
  const out: Record<string, PlainValue> = {};
  if (md.keyGroups.length === 1) {
    Object.assign(out, encodeGroup(md.keyGroups[0]!, false));
  } else {
    out.key_groups = md.keyGroups.map((g) => encodeGroup(g, true));
    out.shamir_threshold = md.shamirThreshold || md.keyGroups.length;
  }
  out.lastmodified = md.lastModified;
  out.mac = md.mac;
  if (md.cryptRuleStored) out[md.cryptRule.kind] = md.cryptRule.value;
  if (md.macOnlyEncrypted) out.mac_only_encrypted = true;
  out.version = md.version;
  for (const [k, v] of Object.entries(md.extra)) out[k] = v;
  return sortDeep(out) as Record<string, PlainValue>;
}

function encodeGroup(group: KeyRef[], inKeyGroups: boolean): Record<string, PlainValue> {
  const out: Record<string, PlainValue> = {};
  for (const ref of group) ((out[ref.kind] ??= []) as PlainValue[]).push(ref.entry as PlainValue);
  // Inside key_groups sops always writes hc_vault and age (not omitempty).
  if (inKeyGroups) {
    out.hc_vault ??= [];
    out.age ??= [];
  }
  return out;
}

function sortDeep(v: PlainValue): PlainValue {
  if (Array.isArray(v)) return v.map(sortDeep);
  if (v && typeof v === "object" && !(v instanceof Uint8Array) && typeof v !== "bigint") {
    const out: Record<string, PlainValue> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortDeep(v[k]!);
    return out;
  }
  return v;
}

/** Appends the metadata block to every branch in the format's layout. */
export function insertMetadata(tree: Tree, md: Metadata, layout: MetadataLayout): void {
  const encoded = encodeMetadata(md);
  for (const branch of tree.branches) {
    if (layout === "nested") {
      branch.items.push({ kind: "entry", key: METADATA_KEY, value: fromPlain(encoded) });
      continue;
    }
    const pairs = flattenMap(fromPlain(encoded) as TreeMap);
    if (layout === "prefixed") {
      for (const [k, v] of pairs) branch.items.push({ kind: "entry", key: PREFIX + k, value: { kind: "str", value: v } });
    } else {
      const section: TreeMap = {
        kind: "map",
        items: pairs.map(([k, v]) => ({ kind: "entry" as const, key: k, value: { kind: "str" as const, value: v.replace(/\n/g, "\\n") } })),
      };
      branch.items.push({ kind: "entry", key: METADATA_KEY, value: section });
    }
  }
}
