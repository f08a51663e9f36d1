/**
 * Owns: `doctor` without a file — the config in effect and how it was found, whether it is valid, every
 * identity available and where it came from, and which cloud credentials are visible (by the names of
 * environment variables and files only; nothing is read from them, no cloud is called). Returns data only.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { locateConfig, type SopsConfig } from "../config.js";
import { isSealError } from "../errors.js";
import { listIdentities, loadAgeIdentities, type IdentityInfo } from "../keys/age-identities.js";
import type { KeyContext } from "../keys/types.js";
import { checkConfigFile, type ConfigProblem } from "./config-check.js";

export type CloudProvider = "aws" | "gcp" | "azure" | "vault";

export interface CloudCredentials {
  readonly provider: CloudProvider;
  /** Environment variables set (names only) and credential files present (paths). */
  readonly visible: string[];
}

export interface ConfigReport {
  readonly path: string | null;
  readonly foundBy: SopsConfig["foundBy"] | null;
  /** How it was found, in words. */
  readonly how: string;
  readonly valid: boolean;
  readonly problems: ConfigProblem[];
  /** Keys nothing reads (likely misspelled); they do not make the config invalid. */
  readonly warnings: ConfigProblem[];
  readonly rules: number;
  readonly recipients: Array<{ readonly name: string; readonly key: string }>;
}

export interface SourceReport {
  readonly label: string;
  readonly kind: "age" | "ssh";
  readonly status: string;
  readonly count: number;
  readonly reason?: string;
}

export interface EnvironmentReport {
  readonly config: ConfigReport;
  /** Every place identities were looked for, found or not. */
  readonly sources: SourceReport[];
  /** The identities found: their source and the public recipient each opens (never key material). */
  readonly identities: IdentityInfo[];
  readonly cloud: CloudCredentials[];
}

const CLOUD_ENV: Record<CloudProvider, readonly string[]> = {
  aws: ["AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL_KMS"],
  gcp: ["GOOGLE_OAUTH_ACCESS_TOKEN", "GOOGLE_CREDENTIALS", "GOOGLE_APPLICATION_CREDENTIALS", "CLOUDSDK_CONFIG", "SOPS_GCP_KMS_ENDPOINT"],
  vault: ["VAULT_TOKEN", "VAULT_ADDR", "SOPS_HC_VAULT_ALLOWLIST", "VAULT_NAMESPACE"],
  azure: ["SEALFILE_AZURE_TOKEN", "AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_FEDERATED_TOKEN_FILE", "AZURE_USERNAME", "IDENTITY_ENDPOINT", "MSI_ENDPOINT"],
};

/** Variables that alone do not let a key service be called (a region or an endpoint). */
const NOT_CREDENTIALS = new Set(["AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL_KMS", "SOPS_GCP_KMS_ENDPOINT", "CLOUDSDK_CONFIG", "VAULT_ADDR", "SOPS_HC_VAULT_ALLOWLIST", "VAULT_NAMESPACE"]);

function credentialFiles(provider: CloudProvider, ctx: Pick<KeyContext, "env" | "homeDir">): string[] {
  const home = ctx.homeDir;
  const candidates: Record<CloudProvider, string[]> = {
    aws: [ctx.env.AWS_SHARED_CREDENTIALS_FILE || join(home, ".aws", "credentials"), ctx.env.AWS_CONFIG_FILE || join(home, ".aws", "config")],
    gcp: [join(ctx.env.CLOUDSDK_CONFIG || join(home, ".config", "gcloud"), "application_default_credentials.json")],
    azure: [join(ctx.env.AZURE_CONFIG_DIR || join(home, ".azure"), "msal_token_cache.json"), join(ctx.env.AZURE_CONFIG_DIR || join(home, ".azure"), "azureProfile.json")],
    vault: [join(home, ".vault-token")],
  };
  return candidates[provider].filter((p) => existsSync(p));
}

/** Which cloud credentials the environment shows: variable names and file paths, never their contents. */
export function visibleCloudCredentials(ctx: Pick<KeyContext, "env" | "homeDir">): CloudCredentials[] {
  return (Object.keys(CLOUD_ENV) as CloudProvider[]).map((provider) => ({
    provider,
    visible: [...CLOUD_ENV[provider].filter((v) => (ctx.env[v] ?? "") !== ""), ...credentialFiles(provider, ctx)],
  }));
}

/** True when `cloud` shows something that can authenticate to `provider` (not just a region or endpoint). */
export function hasCredentials(cloud: readonly CloudCredentials[], provider: CloudProvider): boolean {
  return (cloud.find((c) => c.provider === provider)?.visible ?? []).some((v) => !NOT_CREDENTIALS.has(v));
}

const HOW: Record<SopsConfig["foundBy"], string> = {
  flag: "named by --config",
  env: "named by SOPS_CONFIG",
  "file-folder": "found in the file's folder or above",
  cwd: "found from the working directory upward",
};

export interface DoctorOptions {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly explicitConfig?: string;
  /** The file asked about (config lookup starts at its folder). */
  readonly file?: string;
}

/**
 * The config in effect, checked in full.
 * @throws SealError CONFIG_NOT_FOUND when `--config`/SOPS_CONFIG names a file that does not exist.
 */
export function configReport(opts: DoctorOptions): ConfigReport & { config: SopsConfig | undefined } {
  const found = locateConfig({ cwd: opts.cwd, env: opts.env, ...(opts.file ? { file: opts.file } : {}), ...(opts.explicitConfig ? { explicit: opts.explicitConfig } : {}) });
  if (!found) {
    return { path: null, foundBy: null, how: `no .sops.yaml in ${opts.file ? "the file's folder, the working directory or" : "the working directory or"} any folder above`, valid: true, problems: [], warnings: [], rules: 0, recipients: [], config: undefined };
  }
  let check;
  try {
    check = checkConfigFile(found.path, found.foundBy);
  } catch (e) {
    if (isSealError(e)) throw e;
    check = { config: undefined, problems: [{ at: "", message: "cannot be read" }], warnings: [] };
  }
  const config = check.config;
  return {
    path: found.path,
    foundBy: found.foundBy,
    how: HOW[found.foundBy],
    valid: check.problems.length === 0,
    problems: check.problems,
    warnings: check.warnings,
    rules: config?.rules.length ?? 0,
    recipients: Object.entries(config?.recipients ?? {}).map(([name, key]) => ({ name, key })),
    config,
  };
}

/** Everything `doctor` reports without a file. */
export async function environmentReport(opts: DoctorOptions, keyCtx: KeyContext): Promise<EnvironmentReport & { loadedConfig: SopsConfig | undefined }> {
  const { config: loadedConfig, ...config } = configReport(opts);
  const loaded = await loadAgeIdentities(keyCtx);
  const sources = loaded.sources.map((s) => ({ label: s.label, kind: s.kind, status: s.status, count: s.count, ...(s.reason ? { reason: s.reason } : {}) }));
  return { config, sources, identities: await listIdentities(keyCtx), cloud: visibleCloudCredentials(keyCtx), loadedConfig };
}
