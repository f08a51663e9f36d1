/**
 * Owns: removing one key from `.sops.yaml` text for `secrets revoke` — every reference to it in the creation
 * rules (raw key, name, or `*alias`) and its `recipients:` entry — by deleting exactly those source lines, so
 * comments, order, quoting and every other line stay byte for byte as they were.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, parseDocument, type Document, type Node, type Pair, type YAMLMap, type YAMLSeq } from "yaml";
import { SealError } from "../errors.js";
import { comparableKey, parseConfig, resolveRecipient, type KeySpec, type SopsConfig } from "../config.js";

/** One reference that was removed, for the plan (public key material and names only). */
export interface RemovedRef {
  /** e.g. `creation_rules[1].age`, `creation_rules[0].key_groups[0].kms`, `recipients.bob` */
  readonly where: string;
  /** The removed source text (a key, a name or an alias), trimmed to one line. */
  readonly text: string;
}

export interface ConfigRevocation {
  readonly text: string;
  readonly removed: RemovedRef[];
  /** The config as it reads after the edit. */
  readonly config: SopsConfig;
}

interface Edit {
  readonly start: number;
  readonly end: number;
  readonly replacement: string;
}

/** The comparable form of a key string; Azure key URLs lose their version (any version of the key). */
function keyOf(s: string): string {
  const k = comparableKey(s);
  const az = /^(https?:\/\/[^/]+\/keys\/[^/]+)(\/[^/]*)?\/?$/.exec(k);
  if (az) return az[1]!.replace(/\/+$/, "");
  // PGP fingerprints are compared without spaces and case, as gpg reads them
  const fp = k.replace(/ /g, "");
  return /^[0-9A-Fa-f]{16,64}!?$/.test(fp) ? fp.toUpperCase() : k.replace(/\/+$/, "");
}

/** The key string of a rule's resolved recipient, comparable with {@link keyOf}. */
export function specKey(spec: KeySpec): string {
  switch (spec.kind) {
    case "age":
      return keyOf(spec.recipient);
    case "kms":
      return keyOf(spec.arn);
    case "gcp_kms":
      return keyOf(spec.resourceId);
    case "azure_kv":
      return `${spec.vaultUrl.replace(/\/+$/, "")}/keys/${spec.name}`;
    default:
      return keyOf(spec.id);
  }
}

/** True when `spec` is the key `target` (compared as {@link specKey} does). */
export function isRevokedKey(spec: KeySpec, target: string): boolean {
  return specKey(spec) === keyOf(target);
}

class Editor {
  readonly text: string;
  readonly doc: Document;
  readonly edits: Edit[] = [];
  readonly removed: RemovedRef[] = [];
  readonly matches: (value: string) => boolean;

  constructor(text: string, doc: Document, matches: (value: string) => boolean) {
    this.text = text;
    this.doc = doc;
    this.matches = matches;
  }

  /** The string a node stands for, aliases resolved; undefined for anything else. */
  valueOf(node: unknown): string | undefined {
    const n = isAlias(node) ? node.resolve(this.doc) : node;
    return isScalar(n) && typeof n.value === "string" ? n.value : undefined;
  }

  snippet(node: Node | Pair): string {
    const range = isPair(node) ? [(node.key as Node).range![0], (node.value as Node | null)?.range?.[1] ?? (node.key as Node).range![1]] : node.range!;
    return this.text.slice(range[0], range[1]).split("\n")[0]!.trim();
  }

  lineStart(pos: number): number {
    return this.text.lastIndexOf("\n", pos - 1) + 1;
  }

  /** Position just after the newline ending the line that holds `pos`. */
  lineEndAfter(pos: number): number {
    const nl = this.text.indexOf("\n", pos);
    return nl === -1 ? this.text.length : nl + 1;
  }

  fail(where: string): never {
    throw new SealError("BAD_CONFIG", `cannot remove the key from ${where} without rewriting other lines`, {
      hint: "remove it from .sops.yaml by hand, then run `secrets revoke` again to re-key the files",
    });
  }

  /** Deletes one item of a block sequence: its whole line(s). */
  deleteItem(seq: YAMLSeq, index: number, where: string): void {
    const item = seq.items[index] as Node;
    const [start, valueEnd] = item.range!;
    this.removed.push({ where, text: this.snippet(item) });
    const from = this.lineStart(start);
    if (!/^\s*-\s*$/.test(this.text.slice(from, start))) this.fail(where);
    this.edits.push({ start: from, end: this.lineEndAfter(valueEnd - 1), replacement: "" });
  }

  /** Deletes a key and its value from a block map (their lines), or from a flow map. */
  deletePair(map: YAMLMap, pair: Pair, where: string, record = true): void {
    const key = pair.key as Node;
    const value = pair.value as Node | null;
    const start = key.range![0];
    const end = value?.range?.[1] ?? key.range![1];
    if (record) this.removed.push({ where, text: this.snippet(pair) });
    const index = map.items.indexOf(pair);
    const next = map.items[index + 1];
    const from = this.lineStart(start);
    if (!map.flow && /^\s*$/.test(this.text.slice(from, start))) {
      this.edits.push({ start: from, end: this.lineEndAfter(end - 1), replacement: "" });
      return;
    }
    // The first key of a map that is a list item (`- age: …`): the next key moves up onto the dash's line.
    if (next) {
      this.edits.push({ start, end: (next.key as Node).range![0], replacement: "" });
      return;
    }
    if (map.items.length === 1) {
      throw new SealError("USAGE", `revoking would leave ${where.replace(/\.[a-z_]+$/, "")} empty`, { hint: "add the replacement recipient there first, then revoke" });
    }
    this.fail(where);
  }

  /** A comma-separated string with the matching keys taken out; undefined when nothing matches. */
  trimList(node: Node, where: string): { replacement: string; empty: boolean } | undefined {
    if (!isScalar(node) || typeof node.value !== "string" || !node.value.includes(",")) return undefined;
    const pieces = node.value.split(",");
    const kept = pieces.filter((p) => p.trim() === "" || !this.matches(p.trim()));
    if (kept.length === pieces.length) return undefined;
    const src = this.text.slice(node.range![0], node.range![1]);
    const quote = node.type === "QUOTE_DOUBLE" ? '"' : node.type === "QUOTE_SINGLE" ? "'" : "";
    const inner = quote ? src.slice(1, -1) : src;
    if (inner !== node.value || src.includes("\n")) this.fail(where);
    for (const p of pieces) if (!kept.includes(p)) this.removed.push({ where, text: p.trim() });
    const body = kept.join(",").replace(/^\s+/, "");
    return { replacement: `${quote}${body}${quote}`, empty: kept.every((p) => p.trim() === "") };
  }

  /**
   * Removes matching entries of `pair`'s value (a key string, a comma list, an alias, or a list of those —
   * or of maps whose `field` holds the key). Returns how many entries remain.
   */
  prune(map: YAMLMap, pair: Pair, where: string, field?: (m: YAMLMap) => string | undefined): number {
    const value = pair.value as Node | null;
    if (value === null || value === undefined) return 0;
    if (isSeq(value)) {
      const doomed: number[] = [];
      value.items.forEach((item, i) => {
        const v = field && isMap(item) ? field(item) : this.valueOf(item);
        if (v !== undefined && this.matches(v)) doomed.push(i);
      });
      const remain = value.items.length - doomed.length;
      if (doomed.length === 0) return remain;
      if (remain === 0) {
        for (const i of doomed) this.removed.push({ where, text: this.snippet(value.items[i] as Node) });
        this.deletePair(map, pair, where, false);
      } else if (value.flow) {
        // `[a, b, c]`: the items kept, written back with ", " between them.
        const items = value.items as Node[];
        for (const i of doomed) this.removed.push({ where, text: this.snippet(items[i]!) });
        const kept = items.filter((_, i) => !doomed.includes(i)).map((n) => this.text.slice(n.range![0], n.range![1]));
        this.edits.push({ start: items[0]!.range![0], end: items[items.length - 1]!.range![1], replacement: kept.join(", ") });
      } else {
        for (const i of doomed) this.deleteItem(value, i, where);
      }
      return remain;
    }
    const trimmed = this.trimList(value, where);
    if (trimmed) {
      if (trimmed.empty) this.deletePair(map, pair, where, false);
      else this.edits.push({ start: value.range![0], end: value.range![1], replacement: trimmed.replacement });
      return trimmed.empty ? 0 : 1;
    }
    const v = this.valueOf(value);
    if (v !== undefined && this.matches(v)) {
      this.deletePair(map, pair, where);
      return 0;
    }
    return 1;
  }

  apply(): string {
    const sorted = [...this.edits].sort((a, b) => b.start - a.start);
    let out = this.text;
    let floor = Infinity;
    for (const e of sorted) {
      if (e.end > floor) continue; // inside a larger deletion already made
      out = out.slice(0, e.start) + e.replacement + out.slice(e.end);
      floor = e.start;
    }
    return out;
  }
}

const DIRECT_FIELDS = ["age", "pgp", "kms", "gcp_kms", "azure_keyvault", "hc_vault_transit_uri"] as const;

function pairOf(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((p) => isScalar(p.key) && p.key.value === key) as Pair | undefined;
}

function pruneGroup(ed: Editor, group: YAMLMap, where: string, names: Record<string, string>): void {
  const str = (m: YAMLMap, k: string): string | undefined => ed.valueOf(m.get(k, true));
  const fields: Array<[string, ((m: YAMLMap) => string | undefined) | undefined]> = [
    ["age", undefined],
    ["pgp", undefined],
    ["hc_vault", undefined],
    ["kms", (m) => str(m, "arn")],
    ["gcp_kms", (m) => str(m, "resource_id")],
    ["azure_keyvault", (m) => (str(m, "vaultUrl") ? `${str(m, "vaultUrl")!.replace(/\/+$/, "")}/keys/${str(m, "key") ?? ""}` : undefined)],
  ];
  for (const [name, field] of fields) {
    const pair = pairOf(group, name);
    if (pair) ed.prune(group, pair, `${where}.${name}`, field);
  }
  const merge = pairOf(group, "merge")?.value;
  if (isSeq(merge)) merge.items.forEach((m, i) => isMap(m) && pruneGroup(ed, m, `${where}.merge[${i}]`, names));
}

/**
 * `.sops.yaml` text with every reference to `target` removed. `target` is a name from `recipients:` or a
 * key; names and `*aliases` that stand for the key go too, and so does its `recipients:` entry.
 * @throws SealError USAGE when the key is named nowhere, or a rule or key group would be left without
 *         recipients; BAD_CONFIG when the file cannot be edited line by line or is invalid.
 */
export function revokeInConfigText(text: string, path: string, target: string): ConfigRevocation {
  const before = parseConfig(text, path);
  const key = resolveRecipient(target, before.recipients);
  const wanted = keyOf(key);
  const names = before.recipients;
  const matches = (v: string): boolean => keyOf(resolveRecipient(v.trim(), names)) === wanted;
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: false });
  const ed = new Editor(text, doc, matches);
  const root = doc.contents;
  if (!isMap(root)) throw new SealError("BAD_CONFIG", `${path}: the top level is not a map`);
  const rules = root.get("creation_rules", true);
  if (isSeq(rules)) {
    rules.items.forEach((rule, i) => {
      if (!isMap(rule)) return;
      const at = `creation_rules[${i}]`;
      const groups = pairOf(rule, "key_groups")?.value;
      if (isSeq(groups) && groups.items.length > 0) {
        groups.items.forEach((g, j) => isMap(g) && pruneGroup(ed, g, `${at}.key_groups[${j}]`, names));
        return;
      }
      for (const f of DIRECT_FIELDS) {
        const pair = pairOf(rule, f);
        if (pair) ed.prune(rule, pair, `${at}.${f}`);
      }
    });
  }
  const recipients = pairOf(root, "recipients");
  if (recipients && isMap(recipients.value)) {
    const map = recipients.value;
    const doomed = map.items.filter((p) => isScalar(p.key) && (p.key.value === target || matches(String(ed.valueOf(p.value) ?? ""))));
    if (doomed.length === map.items.length && doomed.length > 0) {
      for (const p of doomed) ed.removed.push({ where: `recipients.${String((p.key as { value: unknown }).value)}`, text: ed.snippet(p as Pair) });
      ed.deletePair(root, recipients, "recipients", false);
    } else {
      for (const p of doomed) ed.deletePair(map, p as Pair, `recipients.${String((p.key as { value: unknown }).value)}`);
    }
  }
  if (ed.removed.length === 0) {
    throw new SealError("USAGE", `${target} is not named in ${path}`, { hint: "give a name from its `recipients:` map or a key one of its creation rules lists" });
  }
  const out = ed.apply();
  const after = parseConfig(out, path, before.foundBy);
  for (const rule of after.rules) {
    const old = before.rules[rule.index]!;
    const at = `creation_rules[${rule.index}]`;
    if (rule.keyGroups.some((g) => g.some((s) => isRevokedKey(s, key)))) ed.fail(at);
    if (old.keyGroups.length > 0 && rule.keyGroups.length < old.keyGroups.length) {
      throw new SealError("USAGE", `revoking ${target} would leave ${at} ${old.keyGroups.length > 1 ? "with an empty key group" : "without recipients"}`, {
        hint: "add the replacement recipient to that rule first, then revoke",
      });
    }
  }
  return { text: out, removed: ed.removed, config: after };
}
