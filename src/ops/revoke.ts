/**
 * Owns: `revoke` as data — which `.sops.yaml` lines go, which files hold the revoked key (from their metadata,
 * so an interrupted revoke resumes), their recipients before and after, the value paths whose secrets must be
 * changed at their source — and re-keying one file with a new data key. No printing, no prompting.
 */
import { readFileSync } from "node:fs";
import { SealError, isSealError } from "../errors.js";
import { loadConfig, nameFor, recipientNames, resolveRecipient, specFromKeyString, type CreationRule, type KeySpec, type SopsConfig } from "../config.js";
import { formatFromPath, type FormatName, type StoreOptions } from "../formats/index.js";
import { entryIdentity, specIdentity } from "../document/recipient-diff.js";
import { pathLabel } from "../document/index.js";
import type { WantedRecipients } from "../document/rekey.js";
import type { KeyContext, KeyKind } from "../keys/types.js";
import type { KeyRef } from "../metadata.js";
import { mapLeaves } from "../tree/index.js";
import { filesMatchingRules, gitTopLevel, type RuleFile } from "./rule-files.js";
import { rotateBytes } from "./rekey-file.js";
import { parseSealed } from "./sealed-file.js";
import { isRevokedKey, revokeInConfigText, type ConfigRevocation } from "./revoke-config.js";
import { readSmallText } from "../io/small-file.js";

/** A recipient as the plan shows it. */
export interface ShownRecipient {
  readonly group: number;
  readonly kind: KeyKind;
  readonly id: string;
  readonly name?: string;
}

export interface RevokeFilePlan {
  readonly file: RuleFile;
  readonly format: FormatName;
  readonly before: ShownRecipient[];
  readonly after: ShownRecipient[];
  /** Paths of the encrypted values (never the values). */
  readonly valuePaths: string[];
  /** The recipients the file gets: its rule's, as the edited config names them; undefined → only the key is removed. */
  readonly wanted: WantedRecipients | undefined;
}

export interface RevokePlan {
  /** As given: a name or a key. */
  readonly target: string;
  /** The key it stands for. */
  readonly key: string;
  readonly name: string | undefined;
  readonly spec: KeySpec;
  readonly configPath: string;
  /** The edit of `.sops.yaml`; undefined when it no longer names the key (a revoke being resumed). */
  readonly configEdit: ConfigRevocation | undefined;
  readonly files: RevokeFilePlan[];
  /** Covered files that could not be inspected (not encrypted, broken metadata), with why. */
  readonly skipped: Array<{ readonly display: string; readonly reason: string }>;
}

export interface PlanRevokeOptions {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly explicitConfig?: string;
  readonly target: string;
}

function showRef(ref: KeyRef, group: number, names: ReadonlyMap<string, string>): ShownRecipient {
  const id = entryIdentity(ref).slice(ref.kind.length + 1);
  const name = nameFor(names, id);
  return { group, kind: ref.kind, id, ...(name ? { name } : {}) };
}

function showSpec(spec: KeySpec, group: number, names: ReadonlyMap<string, string>): ShownRecipient {
  const id = specIdentity(spec).slice(spec.kind.length + 1);
  const name = nameFor(names, id);
  return { group, kind: spec.kind, id, ...(name ? { name } : {}) };
}

/** A stored entry as the spec it was made from (for comparing with the revoked key). */
function refAsSpec(ref: KeyRef): KeySpec | undefined {
  const s = (f: string): string => (typeof ref.entry[f] === "string" ? (ref.entry[f] as string) : "");
  switch (ref.kind) {
    case "age":
      return { kind: "age", recipient: s("recipient") };
    case "kms":
      return { kind: "kms", arn: s("arn") };
    case "gcp_kms":
      return { kind: "gcp_kms", resourceId: s("resource_id") };
    case "azure_kv":
      return { kind: "azure_kv", vaultUrl: s("vault_url"), name: s("name") };
    case "pgp":
      return { kind: "pgp", id: s("fp") };
    case "hc_vault":
      return { kind: "hc_vault", id: `${s("vault_address").replace(/\/+$/, "")}/v1/${s("engine_path")}/keys/${s("key_name")}` };
    default:
      return undefined;
  }
}

/** True when a file's metadata lists the key. */
export function holdsKey(keyGroups: readonly (readonly KeyRef[])[], key: string): boolean {
  return keyGroups.some((g) => g.some((ref) => {
    const spec = refAsSpec(ref);
    return spec !== undefined && isRevokedKey(spec, key);
  }));
}

/** The distinct paths of a parsed file's encrypted values, in document order. */
function encryptedPaths(tree: Parameters<typeof mapLeaves>[0]): string[] {
  const seen = new Set<string>();
  mapLeaves(tree, (s, { path }) => {
    if (s.kind === "str" && s.value.startsWith("ENC[")) seen.add(pathLabel(path));
    return s;
  });
  return [...seen];
}

/**
 * Works out everything `revoke` will do, reading files but changing nothing.
 * @throws SealError CONFIG_NOT_FOUND without a `.sops.yaml`; USAGE when the target is named nowhere and no file
 *         lists it, or when removing it would leave a rule without recipients; BAD_CONFIG.
 */
export async function planRevoke(opts: PlanRevokeOptions): Promise<RevokePlan> {
  const config = loadConfig({ cwd: opts.cwd, env: opts.env, ...(opts.explicitConfig ? { explicit: opts.explicitConfig } : {}) });
  if (!config) throw new SealError("CONFIG_NOT_FOUND", "no .sops.yaml found from the working directory upward", { hint: "run revoke inside the repository, or pass --config" });
  const key = resolveRecipient(opts.target, config.recipients).trim();
  const names = recipientNames(config);
  const name = nameFor(names, key);
  let configEdit: ConfigRevocation | undefined;
  try {
    configEdit = revokeInConfigText(readSmallText(config.path, config.path, "BAD_CONFIG"), config.path, opts.target);
  } catch (e) {
    // Not named any more: a revoke that was interrupted after its config edit, or one done by hand.
    if (!(isSealError(e, "USAGE") && /is not named in/.test(e.message))) throw e;
  }
  const after: SopsConfig = configEdit?.config ?? config;
  const newNames = new Map([...recipientNames(after), ...names]);
  const root = (await gitTopLevel(opts.cwd)) ?? opts.cwd;
  const { files: covered, links } = await filesMatchingRules(root, { cwd: opts.cwd, env: opts.env, explicitConfig: config.path });
  const files: RevokeFilePlan[] = [];
  const skipped: RevokePlan["skipped"] = links.map((l) => ({ display: l.display, reason: "a symbolic link (left alone)" }));
  for (const file of covered) {
    const format = formatFromPath(file.path);
    let parsed;
    try {
      parsed = parseSealed(readFileSync(file.path), format, file.display);
    } catch (e) {
      skipped.push({ display: file.display, reason: isSealError(e, "NOT_ENCRYPTED") ? "not encrypted" : isSealError(e) ? e.message : "unreadable" });
      continue;
    }
    const md = parsed.metadata;
    if (!holdsKey(md.keyGroups, key)) continue;
    const rule: CreationRule | undefined = after.rules[file.rule.index];
    const wanted = rule && rule.keyGroups.length > 0 && !rule.keyGroups.some((g) => g.some((s) => isRevokedKey(s, key)))
      ? { keyGroups: rule.keyGroups, shamirThreshold: rule.shamirThreshold }
      : undefined;
    const before = md.keyGroups.flatMap((g, i) => g.map((ref) => showRef(ref, i, newNames)));
    const afterList = wanted
      ? wanted.keyGroups.flatMap((g, i) => g.map((s) => showSpec(s, i, newNames)))
      : md.keyGroups.flatMap((g, i) => g.filter((ref) => !holdsKey([[ref]], key)).map((ref) => showRef(ref, i, newNames)));
    files.push({ file, format, before, after: afterList, valuePaths: encryptedPaths(parsed.tree), wanted });
  }
  if (!configEdit && files.length === 0) {
    throw new SealError("USAGE", `${opts.target} is not named in ${config.path} and no file lists it`, { hint: "give a name from its `recipients:` map or a key a file is encrypted for" });
  }
  return { target: opts.target, key, name, spec: specFromKeyString(key, "age"), configPath: config.path, configEdit, files, skipped };
}

export interface RevokeFileOptions {
  readonly ctx: KeyContext;
  readonly order?: readonly KeyKind[];
  readonly storeOptions?: StoreOptions;
}

/**
 * One file re-keyed without the revoked key: a new data key, every value re-encrypted, recipients as planned.
 * @throws SealError NO_USABLE_KEY, MAC_MISMATCH, USAGE, ENCRYPT_FAILED
 */
export async function revokeFile(plan: RevokePlan, file: RevokeFilePlan, opts: RevokeFileOptions): Promise<{ bytes: Uint8Array; warnings: string[] }> {
  const bytes = readFileSync(file.file.path);
  const out = await rotateBytes(bytes, {
    format: file.format,
    ctx: opts.ctx,
    file: file.file.display,
    ...(opts.order ? { order: opts.order } : {}),
    ...(opts.storeOptions ? { storeOptions: opts.storeOptions } : {}),
    names: recipientNames(file.file.config),
    ...(file.wanted ? { replaceWith: file.wanted } : { remove: [plan.spec] }),
  });
  const reread = parseSealed(out.bytes, file.format, file.file.display, opts.storeOptions);
  if (holdsKey(reread.metadata.keyGroups, plan.key)) {
    throw new SealError("GENERIC", `${file.file.display}: the revoked key is still a recipient after re-keying`, { hint: "check the file's creation rule" });
  }
  return out;
}

/**
 * The `.sops.yaml` text with the key removed, worked out again from the file as it is now (the caller holds
 * its lock), so a change made to it since the plan is kept. Undefined when it no longer names the key.
 * @throws SealError as revokeInConfigText
 */
export function configTextWithoutKey(plan: RevokePlan): string | undefined {
  try {
    return revokeInConfigText(readSmallText(plan.configPath, plan.configPath, "BAD_CONFIG"), plan.configPath, plan.target).text;
  } catch (e) {
    if (isSealError(e, "USAGE") && /is not named in/.test(e.message)) return undefined;
    throw e;
  }
}
