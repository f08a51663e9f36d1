/**
 * Owns: `.sops.yaml` — finding it (the target file's folder upward, then the working directory upward,
 * unless `--config`/SOPS_CONFIG names one), validating it against schemas/config.schema.json, and matching
 * creation rules. Format: sops config/config.go. Its regexes are compiled here with the RE2 engine (as sops
 * compiles them with Go's). The file paths it names (`audit_log`, `exec.files`) leave here already confined to
 * the repository, through repo-paths.ts.
 */
import { existsSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { SealError } from "./errors.js";
import { checkYamlDepth } from "./formats/_yaml-depth.js";
import { yamlPackage } from "./formats/yaml-package.lazy.js";
import { plainDataFast } from "./formats/yaml-plain-data.js";
import { validateConfig } from "./generated/validators.js";
import { CRYPT_RULE_KINDS, type CryptRule } from "./metadata.js";
import { confineToRepository, repositoryRoot } from "./repo-paths.js";
import { compileUserRegex, type UserRegex } from "./user-regex.js";
import { readSmallText } from "./io/small-file.js";

export const CONFIG_NAME = ".sops.yaml";
const MAX_LEVELS = 100;

/** A recipient as a rule names it, before any key source is loaded. */
export type KeySpec =
  | { readonly kind: "age"; readonly recipient: string }
  | { readonly kind: "kms"; readonly arn: string; readonly role?: string; readonly context?: Record<string, string>; readonly awsProfile?: string }
  | { readonly kind: "gcp_kms"; readonly resourceId: string }
  | { readonly kind: "azure_kv"; readonly vaultUrl: string; readonly name: string; readonly version?: string }
  | { readonly kind: "pgp" | "hc_vault"; readonly id: string };

export interface CreationRule {
  /** Position in `creation_rules`, for messages. */
  readonly index: number;
  readonly pathRegex: string | undefined;
  /** `pathRegex` compiled (RE2). */
  readonly pathMatcher: UserRegex | undefined;
  readonly keyGroups: KeySpec[][];
  /** The keys are the rule's flat lists (`age:`, `kms:`, …), not `key_groups`: sops gives their KMS keys `--encryption-context`. */
  readonly flatKeys: boolean;
  readonly shamirThreshold: number;
  readonly cryptRule: CryptRule | undefined;
  readonly macOnlyEncrypted: boolean;
  /** sealfile extension: how old a data key may get (`90d`), in milliseconds. */
  readonly rotateAfterMs: number | undefined;
  readonly rotateAfter: string | undefined;
}

export interface SopsConfig {
  readonly path: string;
  /** How the file was found, for `doctor` and verbose output. */
  readonly foundBy: "flag" | "env" | "file-folder" | "cwd";
  readonly rules: CreationRule[];
  /** Named recipients (sealfile extension; sops ignores the key). */
  readonly recipients: Record<string, string>;
  readonly stores: { yamlIndent?: number; jsonIndent?: number; jsonBinaryIndent?: number };
  /** `exec.files`: absolute paths, confined to the repository (see repo-paths.ts). */
  readonly execFiles: string[] | undefined;
  /** `audit_log`: an absolute path, confined to the repository (see repo-paths.ts). */
  readonly auditLog: string | undefined;
}

function findUpward(start: string): string | undefined {
  let dir = resolve(start);
  for (let i = 0; i < MAX_LEVELS; i++) {
    const candidate = join(dir, CONFIG_NAME);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
  return undefined;
}

export interface FindConfigOptions {
  readonly cwd: string;
  /** The file being worked on; lookup starts at its folder. */
  readonly file?: string;
  /** `--config` */
  readonly explicit?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * Finds and loads the config in effect, or returns undefined when there is none.
 * @throws SealError CONFIG_NOT_FOUND when an explicitly named config does not exist; BAD_CONFIG when invalid.
 */
export function loadConfig(opts: FindConfigOptions): SopsConfig | undefined {
  const found = locateConfig(opts);
  return found ? parseConfig(readSmallText(found.path, found.path, "BAD_CONFIG"), found.path, found.foundBy) : undefined;
}

/**
 * Where the config in effect is and how it was found, without reading it (for `doctor`, which must report an
 * invalid config too). Undefined when there is none.
 * @throws SealError CONFIG_NOT_FOUND when an explicitly named config does not exist.
 */
export function locateConfig(opts: FindConfigOptions): { path: string; foundBy: SopsConfig["foundBy"] } | undefined {
  const named = opts.explicit ?? opts.env.SOPS_CONFIG;
  if (named) {
    const path = resolve(opts.cwd, named);
    if (!existsSync(path)) throw new SealError("CONFIG_NOT_FOUND", `config file ${named} does not exist`, { hint: "check the path given with --config or SOPS_CONFIG" });
    return { path, foundBy: opts.explicit ? "flag" : "env" };
  }
  if (opts.file) {
    const fromFile = findUpward(dirname(resolve(opts.cwd, opts.file)));
    if (fromFile) return { path: fromFile, foundBy: "file-folder" };
  }
  const fromCwd = findUpward(opts.cwd);
  return fromCwd ? { path: fromCwd, foundBy: "cwd" } : undefined;
}

const DURATION_UNITS: Record<string, number> = { h: 3600e3, d: 86400e3, w: 7 * 86400e3, m: 30 * 86400e3, y: 365 * 86400e3 };

/** `90d` → milliseconds. */
export function parseDuration(s: string): number {
  const m = /^(\d+)([hdwmy])$/.exec(s);
  if (!m) throw new SealError("BAD_CONFIG", `invalid duration "${s}" (use e.g. 90d, 12w, 1y)`);
  return Number(m[1]) * DURATION_UNITS[m[2]!]!;
}

type Raw = Record<string, unknown>;

/** Config text read by the `yaml` package. @throws SealError BAD_CONFIG for a YAML syntax error, with its position. */
function libraryData(text: string, path: string): unknown {
  const { LineCounter, parseDocument } = yamlPackage();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, lineCounter });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const pos = lineCounter.linePos(e.pos[0]);
    throw new SealError("BAD_CONFIG", `${path}: YAML syntax error${pos ? ` at line ${pos.line}, column ${pos.col}` : ""} (${e.code})`, { hint: "fix the YAML syntax of the config file" });
  }
  return configDataOf(doc, path);
}

/**
 * The data of a parsed config. An alias the yaml package will not expand — its anchor undefined, or
 * expanding into too large a tree (a "billion laughs" file) — is BAD_CONFIG, not a crash.
 */
export function configDataOf(doc: { toJS(): unknown }, path: string): unknown {
  try {
    return (doc.toJS() ?? {}) as unknown;
  } catch (e) {
    if (!(e instanceof ReferenceError)) throw e;
    throw new SealError("BAD_CONFIG", `${path}: ${e.message}`, {
      hint: "define each anchor (&name) before its aliases (*name), and keep aliases from expanding into huge trees",
      details: { why: e.message },
    });
  }
}

/**
 * Parses and validates config text.
 * @throws SealError BAD_CONFIG with the position of the first problem.
 */
export function parseConfig(text: string, path: string, foundBy: SopsConfig["foundBy"] = "flag"): SopsConfig {
  try {
    checkYamlDepth(text);
  } catch (e) {
    if (!(e instanceof SealError)) throw e;
    throw new SealError("BAD_CONFIG", `${path}: ${e.message}`, { hint: e.hint ?? "fix the YAML" });
  }
  const data = plainDataFast(text) ?? libraryData(text, path);
  if (!validateConfig(data)) {
    const err = validateConfig.errors?.[0];
    const where = (err?.instancePath ?? "").replace(/^\//, "").replace(/\/(\d+)/g, "[$1]").replace(/\//g, ".");
    throw new SealError("BAD_CONFIG", `${path}: ${where || "(top level)"} ${err?.message ?? "is invalid"}`);
  }
  const raw = data as Raw;
  const recipients = (raw.recipients ?? {}) as Record<string, string>;
  const rules = ((raw.creation_rules ?? []) as Raw[]).map((r, i) => parseRule(r, i, path, recipients));
  const stores = (raw.stores ?? {}) as Record<string, Raw | undefined>;
  const execFiles = (raw.exec as { files?: string[] } | undefined)?.files;
  const auditLog = typeof raw.audit_log === "string" ? raw.audit_log : undefined;
  // Only these two keys name files; both are attacker-controlled in a cloned repository.
  const root = execFiles !== undefined || auditLog !== undefined ? repositoryRoot(path) : "";
  return {
    path,
    foundBy,
    rules,
    recipients,
    stores: {
      yamlIndent: numberOrUndefined(stores.yaml?.indent),
      jsonIndent: numberOrUndefined(stores.json?.indent),
      jsonBinaryIndent: numberOrUndefined(stores.json_binary?.indent),
    },
    execFiles: execFiles?.map((f, i) => confineToRepository(f, `exec.files[${i}]`, path, root)),
    auditLog: auditLog === undefined ? undefined : confineToRepository(auditLog, "audit_log", path, root),
  };
}

function numberOrUndefined(v: unknown): number | undefined {
  return typeof v === "number" ? v : undefined;
}

/** A comma-separated string or a list of strings → trimmed, non-empty items. */
export function splitList(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  const items = Array.isArray(v) ? v.map(String) : String(v).split(",");
  return items.map((s) => s.trim()).filter((s) => s !== "");
}

/** Key → name, from the config's `recipients:` map (for showing names wherever a key is printed). */
export function recipientNames(config: SopsConfig | undefined): Map<string, string> {
  const names = new Map<string, string>();
  for (const [name, key] of Object.entries(config?.recipients ?? {})) {
    names.set(key.trim(), name);
    if (!names.has(comparableKey(key))) names.set(comparableKey(key), name);
  }
  return names;
}

/**
 * The part of a key string that identifies the key: an SSH public key without its comment, a KMS ARN
 * without `+role`, a printed recipient without a trailing ` {context}`.
 */
export function comparableKey(key: string): string {
  const k = key.trim().replace(/\s+\{[^}]*\}$/, "");
  if (/^ssh-(ed25519|rsa)\s/.test(k)) return k.split(/\s+/).slice(0, 2).join(" ");
  if (k.startsWith("arn:")) return k.split("+", 1)[0]!;
  return k;
}

/** The name `.sops.yaml` gives a key (as stored in a file or printed), if any. */
export function nameFor(names: ReadonlyMap<string, string>, key: string): string | undefined {
  return names.get(key.trim()) ?? names.get(comparableKey(key));
}

/** Resolves a named recipient (`recipients:` map) to its key; anything else is returned as is. */
export function resolveRecipient(nameOrKey: string, recipients: Record<string, string>): string {
  return recipients[nameOrKey] ?? nameOrKey;
}

function parseRule(r: Raw, index: number, path: string, recipients: Record<string, string>): CreationRule {
  const at = `${path}: creation_rules[${index}]`;
  const compile = (key: string): UserRegex =>
    compileUserRegex(r[key] as string, { code: "BAD_CONFIG", at: `${at}.${key}`, hint: `fix ${key} in ${CONFIG_NAME} (RE2 syntax, as sops reads it)` });
  const pathMatcher = typeof r.path_regex === "string" ? compile("path_regex") : undefined;
  const rules = CRYPT_RULE_KINDS.filter((k) => typeof r[k] === "string");
  if (rules.length > 1) throw new SealError("BAD_CONFIG", `${at}: only one of ${rules.join(", ")} may be set`);
  const kind = rules[0];
  if (kind?.endsWith("regex")) compile(kind);
  const listed = Array.isArray(r.key_groups) && r.key_groups.length > 0;
  const groups = listed ? (r.key_groups as Raw[]).map((g) => groupSpecs(g, recipients, r)) : [directSpecs(r, recipients)];
  const rotateAfter = typeof r.rotate_after === "string" ? r.rotate_after : undefined;
  return {
    index,
    pathRegex: typeof r.path_regex === "string" ? r.path_regex : undefined,
    pathMatcher,
    keyGroups: groups.filter((g) => g.length > 0),
    flatKeys: !listed,
    shamirThreshold: typeof r.shamir_threshold === "number" ? r.shamir_threshold : 0,
    cryptRule: kind ? { kind, value: r[kind] as string } : undefined,
    macOnlyEncrypted: r.mac_only_encrypted === true,
    rotateAfter,
    rotateAfterMs: rotateAfter ? parseDuration(rotateAfter) : undefined,
  };
}

/** A flat rule's keys, in sops's order (config.go getKeyGroupsFromCreationRule): age, pgp, kms, gcp_kms, azure_keyvault, hc_vault. */
function directSpecs(r: Raw, recipients: Record<string, string>): KeySpec[] {
  const specs: KeySpec[] = [];
  const awsProfile = typeof r.aws_profile === "string" ? r.aws_profile : undefined;
  for (const rec of splitList(r.age)) specs.push(...ageSpecs(rec, recipients));
  for (const fp of splitList(r.pgp)) specs.push({ kind: "pgp", id: resolveRecipient(fp, recipients) });
  for (const arn of splitList(r.kms)) specs.push(kmsSpecFromString(resolveRecipient(arn, recipients), undefined, awsProfile));
  for (const id of splitList(r.gcp_kms)) specs.push({ kind: "gcp_kms", resourceId: resolveRecipient(id, recipients) });
  for (const url of splitList(r.azure_keyvault)) specs.push(azureSpecFromUrl(resolveRecipient(url, recipients)));
  for (const uri of splitList(r.hc_vault_transit_uri)) specs.push({ kind: "hc_vault", id: resolveRecipient(uri, recipients) });
  return specs;
}

/** A named recipient may stand for any kind of key; an unnamed entry in an `age` list is an age/SSH recipient. */
function ageSpecs(nameOrKey: string, recipients: Record<string, string>): KeySpec[] {
  const key = resolveRecipient(nameOrKey, recipients);
  return [specFromKeyString(key, "age")];
}

/** Guesses the kind of a key string (for named recipients, which may be any kind). */
export function specFromKeyString(key: string, fallback: "age"): KeySpec {
  if (key.startsWith("arn:")) return kmsSpecFromString(key);
  if (key.startsWith("projects/")) return { kind: "gcp_kms", resourceId: key };
  if (/^https?:\/\/[^/]+\/keys\//.test(key)) return azureSpecFromUrl(key);
  if (/^https?:\/\/[^/]+\/v\d+\/.+\/keys\/[^/]+\/?$/.test(key)) return { kind: "hc_vault", id: key };
  if (/^(?:[0-9A-Fa-f]{40}|[0-9A-Fa-f]{64})$/.test(key.replace(/ /g, ""))) return { kind: "pgp", id: key };
  return { kind: fallback, recipient: key };
}

/**
 * One `key_groups` entry's keys in sops's order (config.go extractMasterKeys): the keys of its `merge:` groups
 * first (recursively), then its own age, pgp, kms, gcp_kms, azure_keyvault, hc_vault keys; a key already
 * listed (same kind and the string sops shows for it) is dropped.
 */
function groupSpecs(g: Raw, recipients: Record<string, string>, rule: Raw): KeySpec[] {
  const specs: KeySpec[] = [];
  for (const m of (g.merge ?? []) as Raw[]) specs.push(...groupSpecs(m, recipients, rule));
  for (const rec of (g.age ?? []) as string[]) specs.push(...ageSpecs(rec, recipients));
  for (const fp of (g.pgp ?? []) as string[]) specs.push({ kind: "pgp", id: resolveRecipient(fp, recipients) });
  const defaultProfile = typeof rule.aws_profile === "string" ? rule.aws_profile : undefined;
  for (const k of (g.kms ?? []) as Raw[]) {
    specs.push({
      kind: "kms",
      arn: resolveRecipient(String(k.arn), recipients),
      ...(typeof k.role === "string" && k.role ? { role: k.role } : {}),
      ...(k.context ? { context: k.context as Record<string, string> } : {}),
      ...((k.aws_profile ?? defaultProfile) ? { awsProfile: String(k.aws_profile ?? defaultProfile) } : {}),
    });
  }
  for (const k of (g.gcp_kms ?? []) as Raw[]) specs.push({ kind: "gcp_kms", resourceId: String(k.resource_id) });
  for (const k of (g.azure_keyvault ?? []) as Raw[]) {
    specs.push({ kind: "azure_kv", vaultUrl: String(k.vaultUrl), name: String(k.key), ...(k.version ? { version: String(k.version) } : {}) });
  }
  for (const uri of (g.hc_vault ?? []) as string[]) specs.push({ kind: "hc_vault", id: resolveRecipient(uri, recipients) });
  const seen = new Set<string>();
  return specs.filter((s) => {
    const id = `${s.kind}/${shownAs(s)}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** The string sops's deduplication compares a key by (its MasterKey.ToString). */
function shownAs(s: KeySpec): string {
  switch (s.kind) {
    case "kms":
      return s.arn;
    case "gcp_kms":
      return s.resourceId;
    case "azure_kv":
      return `${s.vaultUrl}/keys/${s.name}/${s.version ?? ""}`;
    case "age":
      return s.recipient;
    default:
      return s.id;
  }
}

/** sops's `arn[+role]` syntax. */
export function kmsSpecFromString(s: string, context?: Record<string, string>, awsProfile?: string): KeySpec {
  const [arn, role] = s.split("+", 2) as [string, string | undefined];
  return {
    kind: "kms",
    arn: arn.trim(),
    ...(role ? { role: role.trim() } : {}),
    ...(context && Object.keys(context).length ? { context } : {}),
    ...(awsProfile ? { awsProfile } : {}),
  };
}

/** `https://VAULT/keys/NAME[/VERSION]` → its parts. */
export function azureSpecFromUrl(url: string): KeySpec {
  const m = /^(https?:\/\/[^/]+)\/keys\/([^/]+)(?:\/([^/]*))?\/?$/.exec(url.trim());
  if (!m) throw new SealError("BAD_CONFIG", `invalid Azure Key Vault key URL "${url}" (expected https://VAULT/keys/NAME[/VERSION])`);
  return { kind: "azure_kv", vaultUrl: m[1]!, name: m[2]!, ...(m[3] ? { version: m[3] } : {}) };
}

/**
 * The first rule matching `file` (path made relative to the config's folder, as sops does).
 * A rule without `path_regex` matches everything.
 */
export function matchRule(config: SopsConfig, file: string, cwd: string): CreationRule | undefined {
  const abs = resolve(cwd, file);
  const configDir = dirname(config.path);
  let rel = relative(configDir, abs);
  if (rel.startsWith("..") || isAbsolute(rel)) rel = abs;
  rel = rel.split(sep).join("/");
  return config.rules.find((r) => r.pathMatcher === undefined || r.pathMatcher.test(rel));
}
