/**
 * Owns: comparing a file's recipients (its metadata key groups) with the recipients a creation rule names,
 * and how old a file's data key is — both from metadata alone, so no key is needed (status, updatekeys).
 */
import type { CreationRule, KeySpec } from "../config.js";
import type { KeyEntry, KeyKind } from "../keys/types.js";
import type { KeyRef, Metadata } from "../metadata.js";

/** A recipient as people read it: `age age1…`, `kms arn:…`. */
export interface RecipientChange {
  readonly group: number;
  readonly kind: KeyKind;
  readonly id: string;
}

export interface RecipientDiff {
  readonly added: RecipientChange[];
  readonly removed: RecipientChange[];
  /** The number of groups or the Shamir threshold differs (every share must be re-made). */
  readonly regrouped: boolean;
  readonly upToDate: boolean;
}

function str(e: KeyEntry, field: string): string {
  const v = e[field];
  return typeof v === "string" ? v.trim() : "";
}

function contextText(ctx: unknown): string {
  if (!ctx || typeof ctx !== "object") return "";
  const o = ctx as Record<string, unknown>;
  return Object.keys(o)
    .sort()
    .map((k) => `${k}:${String(o[k])}`)
    .join(",");
}

/** The identity of a metadata entry: what stays the same across re-wrapping (no enc, no created_at). */
export function entryIdentity(ref: KeyRef): string {
  const e = ref.entry;
  switch (ref.kind) {
    case "age":
      return `age ${str(e, "recipient")}`;
    case "kms": {
      const role = str(e, "role");
      const ctx = contextText(e.context);
      return `kms ${str(e, "arn")}${role ? `+${role}` : ""}${ctx ? ` {${ctx}}` : ""}`;
    }
    case "gcp_kms":
      return `gcp_kms ${str(e, "resource_id")}`;
    case "azure_kv": {
      const version = str(e, "version");
      return `azure_kv ${str(e, "vault_url").replace(/\/+$/, "")}/keys/${str(e, "name")}${version ? `/${version}` : ""}`;
    }
    case "pgp":
      return `pgp ${str(e, "fp").replace(/ /g, "").toUpperCase()}`;
    case "hc_vault":
      return `hc_vault ${str(e, "vault_address").replace(/\/+$/, "")}/v1/${str(e, "engine_path")}/keys/${str(e, "key_name")}`;
    default:
      return `${ref.kind} ${str(e, "vault_address") || str(e, "key_id") || JSON.stringify(e)}`;
  }
}

/** The identity of a recipient a rule names, comparable with {@link entryIdentity}. */
export function specIdentity(spec: KeySpec): string {
  switch (spec.kind) {
    case "age":
      return `age ${spec.recipient.trim()}`;
    case "kms": {
      const ctx = contextText(spec.context);
      return `kms ${spec.arn.trim()}${spec.role ? `+${spec.role.trim()}` : ""}${ctx ? ` {${ctx}}` : ""}`;
    }
    case "gcp_kms":
      return `gcp_kms ${spec.resourceId.trim()}`;
    case "azure_kv":
      return `azure_kv ${spec.vaultUrl.replace(/\/+$/, "")}/keys/${spec.name}${spec.version ? `/${spec.version}` : ""}`;
    case "pgp":
      return `pgp ${spec.id.trim().replace(/ /g, "").toUpperCase()}`;
    case "hc_vault":
      return `hc_vault ${spec.id.trim().replace(/\/+$/, "")}`;
  }
}

/**
 * True when a rule's recipient and a stored entry are the same key. An Azure key named without a version
 * matches whatever version was resolved when the file was written.
 */
export function sameRecipient(spec: KeySpec, ref: KeyRef): boolean {
  if (spec.kind !== ref.kind) return false;
  if (spec.kind === "azure_kv" && !spec.version) {
    const stored = entryIdentity(ref);
    const base = specIdentity(spec);
    return stored === base || stored.startsWith(`${base}/`);
  }
  return specIdentity(spec) === entryIdentity(ref);
}

function label(kind: KeyKind, identity: string): string {
  return identity.slice(kind.length + 1);
}

/** How a file's recipients differ from the recipients (and Shamir setup) a rule names. */
export function diffRecipients(md: Metadata, wanted: readonly (readonly KeySpec[])[], wantedThreshold: number): RecipientDiff {
  const added: RecipientChange[] = [];
  const removed: RecipientChange[] = [];
  const groups = Math.max(md.keyGroups.length, wanted.length);
  for (let g = 0; g < groups; g++) {
    const have = md.keyGroups[g] ?? [];
    const want = wanted[g] ?? [];
    for (const spec of want) if (!have.some((ref) => sameRecipient(spec, ref))) added.push({ group: g, kind: spec.kind, id: label(spec.kind, specIdentity(spec)) });
    for (const ref of have) if (!want.some((spec) => sameRecipient(spec, ref))) removed.push({ group: g, kind: ref.kind, id: label(ref.kind, entryIdentity(ref)) });
  }
  const thresholdOf = (n: number, t: number): number => (n > 1 ? t || n : 0);
  const regrouped = md.keyGroups.length !== wanted.length || thresholdOf(md.keyGroups.length, md.shamirThreshold) !== thresholdOf(wanted.length, wantedThreshold);
  return { added, removed, regrouped, upToDate: added.length === 0 && removed.length === 0 && !regrouped };
}

/** {@link diffRecipients} against a creation rule. */
export function diffWithRule(md: Metadata, rule: CreationRule): RecipientDiff {
  return diffRecipients(md, rule.keyGroups, rule.shamirThreshold);
}

export interface KeyAge {
  /** When the data key was made, as far as the file tells. */
  readonly since: Date;
  /** Where that came from: sealfile's own record, the oldest key entry, or the last write. */
  readonly source: "sealfile_rotated_at" | "created_at" | "lastmodified";
}

/** The key in `extra` where sealfile records when the data key was last renewed (sops ignores it). */
export const ROTATED_AT_KEY = "sealfile_rotated_at";

function parseTime(s: unknown): Date | undefined {
  if (typeof s !== "string" || s === "") return undefined;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/**
 * The data key's age: `sealfile_rotated_at` when sealfile wrote the key, else the oldest `created_at` of the
 * key entries (KMS kinds record it), else `lastmodified`. Undefined when none parses.
 */
export function dataKeyAge(md: Metadata): KeyAge | undefined {
  const rotated = parseTime(md.extra[ROTATED_AT_KEY]);
  if (rotated) return { since: rotated, source: "sealfile_rotated_at" };
  let oldest: Date | undefined;
  for (const g of md.keyGroups) {
    for (const ref of g) {
      const d = parseTime(ref.entry.created_at);
      if (d && (!oldest || d < oldest)) oldest = d;
    }
  }
  if (oldest) return { since: oldest, source: "created_at" };
  const last = parseTime(md.lastModified);
  return last ? { since: last, source: "lastmodified" } : undefined;
}
