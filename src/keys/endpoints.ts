/**
 * Owns: the trust boundary for cloud key locations read from files, `.sops.yaml`, flags and the environment —
 * Azure vault URLs on Microsoft's Key Vault domains, AWS KMS and IAM role ARNs of the exact AWS shape, and GCP
 * CryptoKey resource ids — checked before any credential is obtained or any request is made.
 */

/** A location that passed its check, or the reason (naming the value, never a secret) it did not. */
export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

/** An Azure Key Vault (or Managed HSM) origin that may receive a token, and the only token scope it may get. */
export interface AzureVault {
  /** `https://NAME.vault.azure.net` — lower case, no port, no path. */
  readonly origin: string;
  /** `https://vault.azure.net/.default` or the sovereign cloud's equivalent for this host. */
  readonly scope: string;
}

/**
 * Key Vault and Managed HSM data-plane domains: public Azure, Azure China, Azure US Government, Azure Germany.
 * Each is also the token audience (`https://DOMAIN/.default`) that the vault's challenge names.
 */
const AZURE_VAULT_DOMAINS = [
  "vault.azure.net",
  "vault.azure.cn",
  "vault.usgovcloudapi.net",
  "vault.microsoftazure.de",
  "managedhsm.azure.net",
  "managedhsm.azure.cn",
  "managedhsm.chinacloudapi.cn",
  "managedhsm.usgovcloudapi.net",
  "managedhsm.microsoftazure.de",
] as const;

/** A vault or HSM name: one DNS label of letters, digits and hyphens (Azure allows 3–24; we only need one label). */
const AZURE_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * `https://NAME.<Key Vault domain>` with no user info, no port other than 443, and no path, query or fragment.
 * Accepts a trailing slash. The result's origin is what requests go to; nothing else of `raw` is used.
 */
export function checkAzureVaultUrl(raw: string): Checked<AzureVault> {
  const refuse = { ok: false, reason: `${shown(raw)} is not an Azure Key Vault endpoint (https://NAME.vault.azure.net)` } as const;
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return refuse;
  }
  if (url.protocol !== "https:" || url.username !== "" || url.password !== "" || url.port !== "") return refuse;
  if ((url.pathname !== "/" && url.pathname !== "") || url.search !== "" || url.hash !== "") return refuse;
  const host = url.hostname;
  const domain = AZURE_VAULT_DOMAINS.find((d) => host.endsWith(`.${d}`));
  if (domain === undefined || !AZURE_NAME.test(host.slice(0, -domain.length - 1))) return refuse;
  return { ok: true, value: { origin: `https://${host}`, scope: `https://${domain}/.default` } };
}

/** AWS partitions that have KMS. */
const AWS_PARTITION = "aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc";
/** `us-east-1`, `us-gov-west-1`, `cn-north-1`, `eusc-de-east-1`: the SDK builds the KMS host from it. */
const AWS_REGION = "[a-z]{2,4}(?:-[a-z]+)+-\\d{1,2}";
const KMS_ARN = new RegExp(`^arn:(?:${AWS_PARTITION}):kms:(${AWS_REGION}):\\d{12}:(?:key/[A-Za-z0-9-]{1,128}|alias/[A-Za-z0-9/_-]{1,250})$`);
const ROLE_ARN = new RegExp(`^arn:(?:${AWS_PARTITION}):iam::\\d{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$`);

/** A KMS key ARN and the region its requests go to. */
export interface AwsKmsTarget {
  readonly arn: string;
  readonly region: string;
}

/** `arn:PARTITION:kms:REGION:ACCOUNT:key/ID` or `…:alias/NAME`, with a real region and a 12-digit account. */
export function checkKmsArn(arn: string): Checked<AwsKmsTarget> {
  const m = KMS_ARN.exec(arn);
  if (!m?.[1]) return { ok: false, reason: `${shown(arn)} is not an AWS KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID)` };
  return { ok: true, value: { arn, region: m[1] } };
}

/** "" (no role) or `arn:PARTITION:iam::ACCOUNT:role/NAME`. */
export function checkRoleArn(role: string): Checked<string> {
  if (role === "" || ROLE_ARN.test(role)) return { ok: true, value: role };
  return { ok: false, reason: `${shown(role)} is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)` };
}

/**
 * `projects/P/locations/L/keyRings/R/cryptoKeys/K`. The project may be domain-scoped (`example.com:p`); ring and key
 * ids are Cloud KMS's `[A-Za-z0-9_-]{1,63}`. The endpoint never comes from here, only the request's resource name.
 */
const GCP_KEY = /^projects\/[a-z0-9][a-z0-9.:-]{0,62}\/locations\/[a-z0-9-]{1,63}\/keyRings\/[A-Za-z0-9_-]{1,63}\/cryptoKeys\/[A-Za-z0-9_-]{1,63}$/;

export function checkGcpKeyId(resourceId: string): Checked<string> {
  if (GCP_KEY.test(resourceId)) return { ok: true, value: resourceId };
  return { ok: false, reason: `${shown(resourceId)} is not a Cloud KMS key (projects/P/locations/L/keyRings/R/cryptoKeys/K)` };
}

const SHOWN_MAX = 200;

/** A refused value as it may be printed: quoted, control and non-ASCII characters escaped, long values cut. */
function shown(raw: string): string {
  const cut = raw.length > SHOWN_MAX ? `${raw.slice(0, SHOWN_MAX)}…` : raw;
  return `"${cut.replace(/[^\x20-\x7e]|"|\\/g, (c) => (c === '"' || c === "\\" ? `\\${c}` : `\\u{${c.codePointAt(0)?.toString(16) ?? ""}}`))}"`;
}

/** sops's variable: `all`, `none`, or comma-separated address prefixes a Vault token may be sent to. */
export const VAULT_ALLOWLIST_ENV = "SOPS_HC_VAULT_ALLOWLIST";

/**
 * A Vault address (`https://vault.example.com:8200`) that may receive the user's Vault token. The address comes
 * from `.sops.yaml` or a file's `sops` block, which anyone who can open a pull request writes, so it is trusted
 * only when the user's environment names it: listed in SOPS_HC_VAULT_ALLOWLIST (sops's prefixes, or `all`), or,
 * when that is unset, the same origin as VAULT_ADDR. sops's own default is `all`; ours is the user's own Vault.
 * The result is the origin requests go to; a path, user info, query or fragment is refused.
 */
export function checkVaultAddress(raw: string, env: Readonly<Record<string, string | undefined>>): Checked<string> {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return { ok: false, reason: `${shown(raw)} is not a Vault address (https://vault.example.com:8200)` };
  }
  if ((url.protocol !== "https:" && url.protocol !== "http:") || url.username !== "" || url.password !== "" || url.search !== "" || url.hash !== "" || (url.pathname !== "/" && url.pathname !== "")) {
    return { ok: false, reason: `${shown(raw)} is not a Vault address (https://vault.example.com:8200)` };
  }
  const origin = url.origin;
  const list = env[VAULT_ALLOWLIST_ENV]?.trim();
  if (list) {
    if (list === "all") return { ok: true, value: origin };
    const prefixes = list === "none" ? [] : list.split(",").map((p) => p.trim()).filter(Boolean).map((p) => (p.endsWith("/") ? p : `${p}/`));
    if (prefixes.some((p) => `${origin}/`.startsWith(p))) return { ok: true, value: origin };
    return { ok: false, reason: `the Vault address ${shown(origin)} is not in ${VAULT_ALLOWLIST_ENV}; the Vault token is not sent there` };
  }
  let own: string | undefined;
  try {
    own = env.VAULT_ADDR ? new URL(env.VAULT_ADDR.trim()).origin : undefined;
  } catch {
    own = undefined;
  }
  if (own === origin) return { ok: true, value: origin };
  return {
    ok: false,
    reason: `the Vault address ${shown(origin)} is not VAULT_ADDR${own ? ` (${shown(own)})` : " (unset)"}; the Vault token is not sent to an address only a file names`,
  };
}
