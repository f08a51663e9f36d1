/**
 * Owns: deciding whom a new file is encrypted for — key flags and their environment variables first
 * (one key group, as sops does), else the matching `.sops.yaml` creation rule.
 */
import { SealError } from "../errors.js";
import { kmsSpecFromString, azureSpecFromUrl, matchRule, resolveRecipient, specFromKeyString, splitList, type CreationRule, type KeySpec, type SopsConfig } from "../config.js";
import type { CryptRule } from "../metadata.js";

export interface RecipientFlags {
  readonly age?: string | undefined;
  readonly kms?: string | undefined;
  readonly gcpKms?: string | undefined;
  readonly azureKv?: string | undefined;
  readonly pgp?: string | undefined;
  readonly hcVaultTransit?: string | undefined;
  readonly encryptionContext?: Record<string, string> | undefined;
  readonly awsProfile?: string | undefined;
  readonly shamirThreshold?: number | undefined;
}

export interface RecipientChoice {
  readonly groups: KeySpec[][];
  readonly threshold: number;
  /** The creation rule used, when recipients came from the config. */
  readonly rule: CreationRule | undefined;
  readonly cryptRule: CryptRule | undefined;
  readonly macOnlyEncrypted: boolean;
}

/** A flat rule's KMS keys take `--encryption-context`, as sops gives it to MasterKeysFromArnString; `key_groups` keep their own `context:`. */
function withEncryptionContext(rule: CreationRule, context: Record<string, string> | undefined): KeySpec[][] {
  if (!rule.flatKeys || !context || Object.keys(context).length === 0) return rule.keyGroups;
  return rule.keyGroups.map((g) => g.map((k) => (k.kind === "kms" ? { ...k, context } : k)));
}

/**
 * @throws SealError NO_MATCHING_RULE when a config exists but no rule matches; NO_RECIPIENTS when nothing names a recipient.
 */
export function chooseRecipients(
  flags: RecipientFlags,
  env: Readonly<Record<string, string | undefined>>,
  config: SopsConfig | undefined,
  file: string | undefined,
  cwd: string,
): RecipientChoice {
  const names = config?.recipients ?? {};
  const age = splitList(flags.age ?? env.SOPS_AGE_RECIPIENTS);
  const kms = splitList(flags.kms ?? env.SOPS_KMS_ARN);
  const gcp = splitList(flags.gcpKms ?? env.SOPS_GCP_KMS_IDS);
  const azure = splitList(flags.azureKv ?? env.SOPS_AZURE_KEYVAULT_URLS);
  const pgp = splitList(flags.pgp ?? env.SOPS_PGP_FP);
  const vault = splitList(flags.hcVaultTransit ?? env.SOPS_VAULT_URIS);
  if (age.length + kms.length + gcp.length + azure.length + pgp.length + vault.length > 0) {
    const group: KeySpec[] = [
      ...kms.map((a) => kmsSpecFromString(resolveRecipient(a, names), flags.encryptionContext, flags.awsProfile)),
      ...gcp.map((id) => ({ kind: "gcp_kms" as const, resourceId: resolveRecipient(id, names) })),
      ...azure.map((u) => azureSpecFromUrl(resolveRecipient(u, names))),
      ...vault.map((u) => ({ kind: "hc_vault" as const, id: resolveRecipient(u, names) })),
      ...age.map((r) => specFromKeyString(resolveRecipient(r, names), "age")),
      ...pgp.map((fp) => ({ kind: "pgp" as const, id: resolveRecipient(fp, names) })),
    ];
    return { groups: [group], threshold: 0, rule: undefined, cryptRule: undefined, macOnlyEncrypted: false };
  }
  if (!config) {
    throw new SealError("NO_RECIPIENTS", "no recipients given and no .sops.yaml found", {
      hint: "pass --age age1… (or --pgp/--kms/--gcp-kms/--azure-kv/--hc-vault-transit), set SOPS_AGE_RECIPIENTS, or create a .sops.yaml with creation_rules",
    });
  }
  const target = file ?? "-";
  const rule = matchRule(config, target, cwd);
  if (!rule) {
    throw new SealError("NO_MATCHING_RULE", `no creation rule in ${config.path} matches ${target}`, {
      hint: "add a rule whose path_regex matches this file, or pass recipients with --age",
    });
  }
  if (rule.keyGroups.length === 0) throw new SealError("NO_RECIPIENTS", `creation_rules[${rule.index}] in ${config.path} names no recipients`);
  return {
    groups: withEncryptionContext(rule, flags.encryptionContext),
    threshold: flags.shamirThreshold ?? rule.shamirThreshold,
    rule,
    cryptRule: rule.cryptRule,
    macOnlyEncrypted: rule.macOnlyEncrypted,
  };
}
