/**
 * Owns: turning metadata entries and recipient specs into key sources, loading each source's module
 * only when a file or flag uses it (cloud SDKs cost 90–250 ms to import), and the decryption order.
 */
import { SealError } from "../errors.js";
import type { KeySpec } from "../config.js";
import { AgeKey, privateKeyGiven } from "./age.js";
import { looksLikePrivateKey } from "../redact.js";
import type { KeyContext, KeyEntry, KeyKind, MasterKey, UnwrapResult } from "./types.js";

/** Key kinds sealfile can use; others (hckms) are kept in files but cannot open them. */
export const SUPPORTED_KINDS: readonly KeyKind[] = ["age", "pgp", "kms", "gcp_kms", "azure_kv", "hc_vault"];

/** A key of a kind sealfile does not implement; it keeps its entry so sops can still use it. */
export class UnsupportedKey implements MasterKey {
  readonly kind: KeyKind;
  readonly id: string;
  readonly entry: KeyEntry;

  constructor(kind: KeyKind, entry: KeyEntry) {
    this.kind = kind;
    this.entry = entry;
    this.id = String(entry.fp ?? entry.vault_address ?? entry.key_id ?? kind);
  }

  encrypt(): Promise<void> {
    return Promise.reject(new SealError("USAGE", `${this.kind} keys are not supported by sealfile`, { hint: "use age or a cloud KMS key" }));
  }

  decrypt(): Promise<UnwrapResult> {
    return Promise.resolve({ ok: false, reason: `${this.kind} keys are not supported by sealfile`, tried: [] });
  }

  toMetadata(): KeyEntry {
    return this.entry;
  }
}

/** A key source for a metadata entry. */
export async function keyFromEntry(kind: KeyKind, entry: KeyEntry): Promise<MasterKey> {
  switch (kind) {
    case "age":
      return AgeKey.fromMetadata(entry);
    case "kms":
      return (await import("./aws-kms.js")).AwsKmsKey.fromMetadata(entry);
    case "gcp_kms":
      return (await import("./gcp-kms.js")).GcpKmsKey.fromMetadata(entry);
    case "azure_kv":
      return (await import("./azure-kv.js")).AzureKvKey.fromMetadata(entry);
    case "pgp":
      return (await import("./pgp.js")).PgpKey.fromMetadata(entry);
    case "hc_vault":
      return (await import("./hc-vault.js")).VaultTransitKey.fromMetadata(entry);
    default:
      return new UnsupportedKey(kind, entry);
  }
}

/**
 * A new (not yet wrapped) key source for a recipient spec.
 * @throws SealError USAGE for kinds sealfile cannot encrypt to, and for a private key given as a recipient; BAD_ENCRYPTION_CONTEXT for a context value that is not a scalar.
 */
export async function keyFromSpec(spec: KeySpec): Promise<MasterKey> {
  // Checked before any kind-specific parsing, so a key is neither echoed nor sent to a cloud service as a name.
  if (Object.values(spec).some((v) => typeof v === "string" && looksLikePrivateKey(v))) throw privateKeyGiven();
  switch (spec.kind) {
    case "age":
      return AgeKey.fromRecipient(spec.recipient);
    case "kms": {
      const { AwsKmsKey, parseEncryptionContext } = await import("./aws-kms.js");
      const arnSpec = spec.role ? `${spec.arn}+${spec.role}` : spec.arn;
      // `.sops.yaml` contexts are YAML maps: `version: 2` arrives as a number, KMS wants strings
      const context = spec.context ? parseEncryptionContext(spec.context) : undefined;
      return AwsKmsKey.fromArnSpec(arnSpec, context, spec.awsProfile);
    }
    case "gcp_kms":
      return (await import("./gcp-kms.js")).GcpKmsKey.fromResourceId(spec.resourceId);
    case "azure_kv": {
      const { AzureKvKey } = await import("./azure-kv.js");
      return AzureKvKey.fromUrl(`${spec.vaultUrl}/keys/${spec.name}${spec.version ? `/${spec.version}` : ""}`);
    }
    case "pgp":
      return (await import("./pgp.js")).PgpKey.fromFingerprint(spec.id);
    case "hc_vault":
      return (await import("./hc-vault.js")).VaultTransitKey.fromUri(spec.id);
  }
}

/** The default decryption order: age first, then the cloud sources (sops: age,pgp, then file order). */
export const DEFAULT_DECRYPTION_ORDER: readonly KeyKind[] = ["age", "pgp", "kms", "gcp_kms", "azure_kv", "hc_vault", "hckms"];

const ORDER_ALIASES: Record<string, KeyKind> = { vault: "hc_vault", hcvault: "hc_vault", aws: "kms", awskms: "kms", gcp: "gcp_kms", gcpkms: "gcp_kms", azure: "azure_kv", azkv: "azure_kv" };

/**
 * Parses `--decryption-order`/SOPS_DECRYPTION_ORDER (`age,kms,…`).
 * @throws SealError USAGE for unknown names, DUPLICATE_KEY_TYPE (112) for repeated ones.
 */
export function parseDecryptionOrder(s: string | undefined): KeyKind[] {
  if (!s) return [...DEFAULT_DECRYPTION_ORDER];
  const kinds: KeyKind[] = [];
  for (const raw of s.split(",").map((x) => x.trim().toLowerCase()).filter(Boolean)) {
    const k = (ORDER_ALIASES[raw] ?? raw) as KeyKind;
    if (!DEFAULT_DECRYPTION_ORDER.includes(k)) throw new SealError("USAGE", `unknown key type "${raw}" in the decryption order`);
    if (kinds.includes(k)) throw new SealError("DUPLICATE_KEY_TYPE", `key type "${raw}" appears twice in the decryption order`, { hint: "name each key type once in --decryption-order / SOPS_DECRYPTION_ORDER" });
    kinds.push(k);
  }
  for (const k of DEFAULT_DECRYPTION_ORDER) if (!kinds.includes(k)) kinds.push(k);
  return kinds;
}

/** Keys sorted by the decryption order (stable within a kind). */
export function orderKeys(keys: readonly MasterKey[], order: readonly KeyKind[]): MasterKey[] {
  return [...keys].sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
}

export type { KeyContext };
