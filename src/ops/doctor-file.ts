/**
 * Owns: `doctor FILE` — the creation rule that matches the file, each recipient with its name and whether an
 * available identity or credential matches it (and why not), whether the file opens and its MAC holds, and
 * its data key's age against `rotate_after`. Age recipients are compared with the recipients of the loaded
 * identities (no decryption needed for that); KMS recipients call the cloud only when `online`.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { matchRule, nameFor, recipientNames, type CreationRule, type SopsConfig } from "../config.js";
import { SealError, isSealError } from "../errors.js";
import { formatFromPath, sealedFormatOf, type FormatName } from "../formats/index.js";
import { closeDocument, keysOf, openDocument } from "../document/index.js";
import { dataKeyAge, diffWithRule, entryIdentity } from "../document/recipient-diff.js";
import { canonicalRecipient } from "../keys/age.js";
import type { IdentityInfo } from "../keys/age-identities.js";
import { checkVaultAddress } from "../keys/endpoints.js";
import { DEFAULT_DECRYPTION_ORDER } from "../keys/registry.js";
import type { KeyContext, KeyKind } from "../keys/types.js";
import type { KeyRef, Metadata } from "../metadata.js";
import { hasCredentials, type CloudCredentials, type CloudProvider } from "./doctor.js";
import { parseSealed } from "./sealed-file.js";

export type RecipientState = "matches" | "no-match" | "locked" | "credentials-visible" | "no-credentials" | "opened" | "failed" | "unsupported";

export interface RecipientReport {
  readonly group: number;
  readonly kind: KeyKind;
  readonly id: string;
  readonly name?: string;
  readonly state: RecipientState;
  /** Whether this recipient can be expected to open the file here. */
  readonly usable: boolean;
  /** Why (or why not), in words; no key material. */
  readonly why: string;
  /** The source of the identity that matches (age/SSH). */
  readonly identity?: string;
}

export type MacState = "verified" | "mismatch" | "values-damaged" | "not-checked";

export interface FileReport {
  readonly path: string;
  readonly format: FormatName;
  readonly encrypted: boolean;
  readonly rule: { readonly index: number; readonly pathRegex: string | null } | null;
  readonly recipients: RecipientReport[];
  readonly groups: number;
  readonly threshold: number;
  /** Recipients the rule names that the file lacks, and the other way round. */
  readonly upToDate: boolean | null;
  readonly missing: Array<{ readonly kind: KeyKind; readonly id: string; readonly name?: string }>;
  readonly extra: Array<{ readonly kind: KeyKind; readonly id: string; readonly name?: string }>;
  readonly canOpen: boolean;
  readonly opened: boolean;
  readonly mac: { readonly state: MacState; readonly why: string };
  readonly dataKey: {
    readonly since: string;
    readonly source: string;
    readonly ageDays: number;
    readonly rotateAfter: string | null;
    readonly overdue: boolean;
  } | null;
}

const PROVIDER: Partial<Record<KeyKind, CloudProvider>> = { kms: "aws", gcp_kms: "gcp", azure_kv: "azure", hc_vault: "vault" };
const DAY_MS = 86_400_000;

function describeIdentities(ids: readonly IdentityInfo[], names: ReadonlyMap<string, string>): string {
  return ids
    .filter((i) => i.recipient !== undefined)
    .map((i) => {
      const n = nameFor(names, i.recipient!);
      return `${n ? `${n} ` : ""}${short(i.recipient!)} from ${i.source}`;
    })
    .join("; ");
}

/** A long public key shortened for prose (the full key is in the recipient's own line). */
function short(key: string): string {
  const k = canonicalRecipient(key);
  return k.length > 40 ? `${k.slice(0, 24)}…${k.slice(-8)}` : k;
}

function ageState(recipient: string, ids: readonly IdentityInfo[], names: ReadonlyMap<string, string>): Pick<RecipientReport, "state" | "usable" | "why" | "identity"> {
  const want = canonicalRecipient(recipient);
  const hit = ids.find((i) => i.recipient !== undefined && canonicalRecipient(i.recipient) === want);
  if (hit) {
    return { state: "matches", usable: true, why: `matches the ${hit.type} identity from ${hit.source}${hit.locked ? " (passphrase-protected: asked for when used)" : ""}`, identity: hit.source };
  }
  const locked = ids.filter((i) => i.recipient === undefined);
  const known = ids.filter((i) => i.recipient !== undefined);
  if (locked.length > 0 && !recipient.startsWith("ssh-")) {
    return { state: "locked", usable: true, why: `no loaded identity matches; ${locked.map((l) => l.source).join(", ")} ${locked.length === 1 ? "is" : "are"} passphrase-protected and may hold it` };
  }
  if (known.length === 0) return { state: "no-match", usable: false, why: "no age or SSH identity is available (see where sealfile looked above)" };
  const which = known.length === 1 ? "the only identity available is for" : `the ${known.length} identities available are for`;
  return { state: "no-match", usable: false, why: `no identity for this recipient: ${which} ${describeIdentities(known, names)}` };
}

function refId(ref: KeyRef): string {
  return entryIdentity(ref).slice(ref.kind.length + 1);
}

/** A PGP recipient: is its secret key in SEALFILE_PGP_KEY_FILE or the GnuPG keyring (asks gpg; no passphrase)? */
async function pgpState(fp: string, ctx: KeyContext): Promise<Pick<RecipientReport, "state" | "usable" | "why" | "identity">> {
  const { findPgpSecretKey } = await import("../keys/pgp.js");
  const found = await findPgpSecretKey(fp, ctx);
  if (found.where !== undefined) return { state: "matches", usable: true, why: `the secret key is in ${found.where}`, identity: found.where };
  return { state: "no-match", usable: false, why: `no secret key for this fingerprint in ${found.looked.join(" or ")}` };
}

/** The recipients' states without calling any cloud. */
async function offlineStates(md: Metadata, ids: readonly IdentityInfo[], cloud: readonly CloudCredentials[], names: ReadonlyMap<string, string>, ctx: KeyContext): Promise<RecipientReport[]> {
  const pgp = new Map<string, Awaited<ReturnType<typeof pgpState>>>();
  for (const ref of md.keyGroups.flat()) {
    if (ref.kind === "pgp" && typeof ref.entry.fp === "string" && !pgp.has(ref.entry.fp)) pgp.set(ref.entry.fp, await pgpState(ref.entry.fp, ctx));
  }
  return offlineStatesWith(md, ids, cloud, names, ctx, pgp);
}

function offlineStatesWith(
  md: Metadata,
  ids: readonly IdentityInfo[],
  cloud: readonly CloudCredentials[],
  names: ReadonlyMap<string, string>,
  ctx: KeyContext,
  pgp: ReadonlyMap<string, Pick<RecipientReport, "state" | "usable" | "why" | "identity">>,
): RecipientReport[] {
  return md.keyGroups.flatMap((g, group) =>
    g.map((ref) => {
      const id = refId(ref);
      const name = nameFor(names, id);
      const base = { group, kind: ref.kind, id, ...(name ? { name } : {}) };
      if (ref.kind === "age") return { ...base, ...ageState(typeof ref.entry.recipient === "string" ? ref.entry.recipient : id, ids, names) };
      if (ref.kind === "pgp") return { ...base, ...(pgp.get(String(ref.entry.fp)) ?? { state: "no-match" as const, usable: false, why: "the entry has no fingerprint" }) };
      if (ref.kind === "hc_vault") {
        const trust = checkVaultAddress(String(ref.entry.vault_address ?? ""), ctx.env);
        if (!trust.ok) return { ...base, state: "failed" as const, usable: false, why: trust.reason };
      }
      const provider = PROVIDER[ref.kind];
      if (!provider) return { ...base, state: "unsupported" as const, usable: false, why: `sealfile cannot use ${ref.kind} keys (sops can)` };
      const profile = ref.kind === "kms" && typeof ref.entry.aws_profile === "string" && ref.entry.aws_profile ? ref.entry.aws_profile : undefined;
      if (hasCredentials(cloud, provider) || profile) {
        const what = cloud.find((c) => c.provider === provider)!.visible;
        return { ...base, state: "credentials-visible" as const, usable: true, why: `${provider.toUpperCase()} credentials visible (${[...(profile ? [`aws_profile ${profile}`] : []), ...what].join(", ")}); not tried without --online` };
      }
      return { ...base, state: "no-credentials" as const, usable: false, why: `no ${provider.toUpperCase()} credentials visible in the environment` };
    }),
  );
}

/** Tries each cloud recipient for real (one call each). */
async function tryOnline(md: Metadata, reports: RecipientReport[], ctx: KeyContext): Promise<RecipientReport[]> {
  const keys = await keysOf(md);
  return Promise.all(
    reports.map(async (r, i) => {
      if (!PROVIDER[r.kind]) return r;
      const flatIndex = md.keyGroups.slice(0, r.group).reduce((n, g) => n + g.length, 0);
      const key = keys[r.group]![i - flatIndex]!;
      try {
        const out = await key.decrypt(ctx);
        if (out.ok) {
          out.dataKey.fill(0);
          return { ...r, state: "opened" as const, usable: true, why: `opened with ${out.via}` };
        }
        return { ...r, state: "failed" as const, usable: false, why: out.reason };
      } catch (e) {
        return { ...r, state: "failed" as const, usable: false, why: isSealError(e) ? e.message.split("\n")[0]! : "the call failed" };
      }
    }),
  );
}

/** Enough usable recipients: one in a single group, or one in each of `threshold` groups. */
function enoughUsable(reports: readonly RecipientReport[], groups: number, threshold: number): boolean {
  const usableGroups = new Set(reports.filter((r) => r.usable).map((r) => r.group)).size;
  return groups <= 1 ? usableGroups >= 1 : usableGroups >= (threshold || groups);
}

export interface FileReportOptions {
  readonly cwd: string;
  readonly file: string;
  readonly config: SopsConfig | undefined;
  readonly identities: readonly IdentityInfo[];
  readonly cloud: readonly CloudCredentials[];
  readonly ctx: KeyContext;
  readonly online: boolean;
  readonly order?: readonly KeyKind[];
  readonly now?: Date;
}

/**
 * Everything `doctor FILE` reports. Decrypts only with keys that need no network unless `online`.
 * @throws SealError FILE_NOT_FOUND when the file cannot be read; BAD_SYNTAX, BAD_METADATA for a damaged file.
 */
export async function fileReport(opts: FileReportOptions): Promise<FileReport> {
  const path = resolve(opts.cwd, opts.file);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch {
    throw new SealError("FILE_NOT_FOUND", `${opts.file} cannot be read`);
  }
  const format = sealedFormatOf(formatFromPath(path), bytes);
  const names = recipientNames(opts.config);
  const rule: CreationRule | undefined = opts.config ? matchRule(opts.config, path, opts.cwd) : undefined;
  const ruleInfo = rule ? { index: rule.index, pathRegex: rule.pathRegex ?? null } : null;
  let parsed;
  try {
    parsed = parseSealed(bytes, format, opts.file);
  } catch (e) {
    if (!isSealError(e, "NOT_ENCRYPTED")) throw e;
    return {
      path: opts.file, format, encrypted: false, rule: ruleInfo, recipients: [], groups: 0, threshold: 0, upToDate: null, missing: [], extra: [],
      canOpen: true, opened: false, mac: { state: "not-checked", why: "the file is not encrypted" }, dataKey: null,
    };
  }
  const md = parsed.metadata;
  let recipients = await offlineStates(md, opts.identities, opts.cloud, names, opts.ctx);
  if (opts.online) recipients = await tryOnline(md, recipients, opts.ctx);
  const groups = md.keyGroups.length;
  const threshold = groups > 1 ? md.shamirThreshold || groups : 0;

  // Open for real with what needs no network (age/SSH), or with everything when online.
  const local: Metadata = opts.online ? md : { ...md, keyGroups: md.keyGroups.map((g) => g.filter((ref) => ref.kind === "age" || ref.kind === "pgp")) };
  let opened = false;
  let mac: FileReport["mac"] = { state: "not-checked", why: opts.online ? "no key opened the data key" : "no age or SSH identity opened the data key; cloud keys are tried only with --online" };
  if (enoughUsable(recipients, groups, threshold) || opts.online) {
    try {
      const doc = await openDocument(parsed.tree, local, { ctx: opts.ctx, order: opts.order ?? DEFAULT_DECRYPTION_ORDER, file: opts.file, names });
      closeDocument(doc);
      opened = true;
      mac = { state: "verified", why: "the data key opened and every value matches the MAC" };
    } catch (e) {
      if (isSealError(e, "MAC_MISMATCH")) {
        opened = true;
        mac = { state: "mismatch", why: e.message };
      } else if (isSealError(e, "DECRYPT_VALUE_FAILED")) {
        opened = true;
        mac = { state: "values-damaged", why: e.message.split("\n")[0]! };
      } else if (isSealError(e, "NO_USABLE_KEY") || isSealError(e, "KEY_FAILED")) {
        const failures = (e.details?.failures ?? []) as Array<{ group: number; kind: KeyKind; key: string; reason: string }>;
        recipients = recipients.map((r) => {
          const f = failures.find((x) => x.group === r.group && x.kind === r.kind && (x.key === r.id || canonicalRecipient(x.key) === canonicalRecipient(r.id)));
          return f && r.usable && r.kind === "age" ? { ...r, state: "failed" as const, usable: false, why: `${r.why}, but opening failed: ${f.reason}` } : r;
        });
      } else {
        throw e;
      }
    }
  }
  // Offline, a visible cloud credential counts as a way in (it was not tried); failed age identities do not.
  const canOpen = opened || (!opts.online && enoughUsable(recipients, groups, threshold));

  const diff = rule && rule.keyGroups.length > 0 ? diffWithRule(md, rule) : undefined;
  const named = (c: { kind: KeyKind; id: string }): { kind: KeyKind; id: string; name?: string } => {
    const n = nameFor(names, c.id);
    return { kind: c.kind, id: c.id, ...(n ? { name: n } : {}) };
  };
  const age = dataKeyAge(md);
  const now = opts.now ?? new Date();
  const ageMs = age ? now.getTime() - age.since.getTime() : undefined;
  return {
    path: opts.file,
    format,
    encrypted: true,
    rule: ruleInfo,
    recipients,
    groups,
    threshold,
    upToDate: diff ? diff.upToDate : null,
    missing: (diff?.added ?? []).map(named),
    extra: (diff?.removed ?? []).map(named),
    canOpen,
    opened,
    mac,
    dataKey: age
      ? {
          since: age.since.toISOString().replace(/\.\d{3}Z$/, "Z"),
          source: age.source,
          ageDays: Math.floor((ageMs ?? 0) / DAY_MS),
          rotateAfter: rule?.rotateAfter ?? null,
          overdue: rule?.rotateAfterMs !== undefined && ageMs !== undefined && ageMs > rule.rotateAfterMs,
        }
      : null,
  };
}
