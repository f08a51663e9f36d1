/**
 * Owns: the Azure Key Vault key source (sops `azure_kv` entries): the data key wrapped and unwrapped with a vault
 * RSA key using RSA-OAEP-256, the latest key version resolved and stored at encryption.
 * Format: sops azkv/keysource.go; see ../shared/sops-format.md §3.1 and §3.3 (`enc` is base64url without padding).
 * The Azure SDK (and @azure/identity, the slowest to load) are loaded lazily.
 */
import type { TokenCredential } from "@azure/core-auth";
import type { CryptographyClient, CryptographyClientOptions, KeyClient } from "@azure/keyvault-keys";
import { SealError } from "../errors.js";
import type { KeyContext, KeyEntry, MasterKey, UnwrapResult } from "./types.js";
import { callRemote, describeRemoteError, formatReason, isLoopbackHost } from "./_remote-call.js";
import { checkAzureVaultUrl, type AzureVault, type Checked } from "./endpoints.js";
import { loadSdk } from "./_sdk.js";
import { StepFailure, createdNow, optionalString, requiredString } from "./_entry.js";

/** The only algorithm sops uses for Key Vault. */
const WRAP_ALGORITHM = "RSA-OAEP-256";
/** Test seam: a bearer token used instead of DefaultAzureCredential. */
const STATIC_TOKEN_ENV = "SEALFILE_AZURE_TOKEN";
const STATIC_TOKEN_LIFETIME_MS = 3_600_000;
/**
 * Test seam: `http://127.0.0.1:PORT` (loopback only) that receives, at the last step before the socket, the requests
 * meant for the checked vault. Files still name a real Key Vault URL, and the challenge check and token scope stay
 * those of that URL; only the environment can set this.
 */
const TEST_ENDPOINT_ENV = "SEALFILE_TEST_AZURE_KV_ENDPOINT";

export class AzureKvKey implements MasterKey {
  readonly kind = "azure_kv" as const;
  readonly id: string;
  /** Scheme and host of the vault as written, e.g. `https://myvault.vault.azure.net`. */
  readonly vaultUrl: string;
  /** `vaultUrl` checked against the Key Vault domains; the only form requests and tokens are made for. */
  private readonly vault: Checked<AzureVault>;
  readonly name: string;
  /** Key version; "" until resolved to the latest at encryption. */
  version: string;
  readonly createdAt: string;
  /** base64url (no padding) of the wrapped key; "" until encrypted. */
  enc: string;

  constructor(init: { vaultUrl: string; name: string; version?: string; createdAt?: string; enc?: string }) {
    this.vaultUrl = init.vaultUrl.trim().replace(/\/+$/, "");
    this.vault = checkAzureVaultUrl(this.vaultUrl);
    this.name = init.name.trim();
    this.version = init.version?.trim() ?? "";
    this.id = `${this.vaultUrl}/keys/${this.name}${this.version ? `/${this.version}` : ""}`;
    this.createdAt = init.createdAt ?? createdNow();
    this.enc = init.enc ?? "";
  }

  /**
   * From `https://VAULT.vault.azure.net/keys/NAME[/VERSION]` (flags, environment, `.sops.yaml`).
   * @throws {SealError} BAD_RECIPIENT when the URL does not have that shape or is not on a Key Vault domain.
   */
  static fromUrl(keyUrl: string): AzureKvKey {
    let url: URL;
    try {
      url = new URL(keyUrl.trim());
    } catch {
      throw badUrl(keyUrl, undefined);
    }
    const parts = url.pathname.split("/").filter((p) => p !== "");
    if (parts[0] !== "keys" || parts.length < 2 || parts.length > 3 || url.search !== "" || url.hash !== "") throw badUrl(keyUrl, undefined);
    const vaultPart = new URL(url.href);
    vaultPart.pathname = "/";
    const vault = checkAzureVaultUrl(vaultPart.href); // keeps any user info and port, so both are refused
    if (!vault.ok) throw badUrl(keyUrl, vault.reason);
    return new AzureKvKey({ vaultUrl: vault.value.origin, name: decodeURIComponent(parts[1] as string), version: decodeURIComponent(parts[2] ?? "") });
  }

  /**
   * Reads an `azure_kv` entry of the metadata block.
   * @throws {SealError} BAD_METADATA when `vault_url` or `name` is missing or a field has the wrong type.
   */
  static fromMetadata(entry: KeyEntry): AzureKvKey {
    const createdAt = optionalString(entry, "created_at", "azure_kv");
    return new AzureKvKey({
      vaultUrl: requiredString(entry, "vault_url", "azure_kv"),
      name: requiredString(entry, "name", "azure_kv"),
      version: optionalString(entry, "version", "azure_kv") ?? "",
      ...(createdAt !== undefined ? { createdAt } : {}),
      enc: optionalString(entry, "enc", "azure_kv") ?? "",
    });
  }

  /** Field order as sops writes it: vault_url, name, version, created_at, enc. */
  toMetadata(): KeyEntry {
    return { vault_url: this.vaultUrl, name: this.name, version: this.version, created_at: this.createdAt, enc: this.enc };
  }

  /**
   * Wraps `dataKey` with the vault key (resolving and storing its latest version when none is set).
   * @throws {SealError} KEY_FAILED when the vault refuses or cannot be reached.
   */
  async encrypt(dataKey: Uint8Array, ctx: KeyContext): Promise<void> {
    try {
      if (!this.vault.ok) throw new StepFailure(this.vault.reason);
      const vault = this.vault.value;
      const remote = { timeoutMs: ctx.timeoutMs, attempts: ctx.attempts };
      if (this.version === "") {
        const keys = await keyClient(ctx, vault);
        const got = await callRemote((signal) => keys.getKey(this.name, { abortSignal: signal }), remote);
        if (!got.ok) throw new StepFailure(`resolving the latest version: ${got.reason}`);
        const latest = got.value.properties.version;
        if (!latest) throw new StepFailure("the vault returned no key version");
        this.version = latest;
      }
      const crypto = await cryptoClient(ctx, vault, this.keyUrl(vault.origin));
      const out = await callRemote((signal) => crypto.wrapKey(WRAP_ALGORITHM, dataKey, { abortSignal: signal }), remote);
      if (!out.ok) throw new StepFailure(out.reason);
      if (out.value.result.length === 0) throw new StepFailure("the vault returned no wrapped key");
      this.enc = Buffer.from(out.value.result).toString("base64url");
    } catch (e) {
      throw new SealError("KEY_FAILED", `Azure Key Vault key ${this.keyUrl()}: could not wrap the data key: ${reasonOf(e)}`, {
        hint: "check the Azure credentials (DefaultAzureCredential) and the key's wrapKey permission",
      });
    }
  }

  /** Unwraps the stored key with the vault. Never throws. */
  async decrypt(ctx: KeyContext): Promise<UnwrapResult> {
    const where = this.keyUrl();
    const tried = [where, ctx.env[STATIC_TOKEN_ENV] ? STATIC_TOKEN_ENV : "DefaultAzureCredential"];
    if (this.enc === "") return { ok: false, reason: "no wrapped data key stored for this key", tried };
    if (!this.vault.ok) return { ok: false, reason: `refused: ${this.vault.reason}`, tried };
    let plaintext: Uint8Array | undefined;
    try {
      const wrapped = Buffer.from(this.enc, "base64url");
      const crypto = await cryptoClient(ctx, this.vault.value, this.keyUrl(this.vault.value.origin));
      const out = await callRemote((signal) => crypto.unwrapKey(WRAP_ALGORITHM, wrapped, { abortSignal: signal }), {
        timeoutMs: ctx.timeoutMs,
        attempts: ctx.attempts,
        scrub: [this.enc],
      });
      if (!out.ok) return { ok: false, reason: `${out.reason} (${where})`, tried };
      plaintext = out.value.result;
      if (plaintext.length === 0) return { ok: false, reason: `the vault returned no key (${where})`, tried };
      return { ok: true, dataKey: Uint8Array.from(plaintext), via: `Azure Key Vault ${where}` };
    } catch (e) {
      return { ok: false, reason: `${reasonOf(e)} (${where})`, tried };
    } finally {
      plaintext?.fill(0);
    }
  }

  /** The key's URL on `origin` (the checked vault for requests; the vault as written for messages). */
  private keyUrl(origin = this.vaultUrl): string {
    return `${origin}/keys/${encodeURIComponent(this.name)}${this.version ? `/${encodeURIComponent(this.version)}` : ""}`;
  }
}

function badUrl(keyUrl: string, reason: string | undefined): SealError {
  return new SealError("BAD_RECIPIENT", reason ?? `${JSON.stringify(keyUrl)} is not an Azure Key Vault key URL`, {
    hint: "write it as https://VAULT.vault.azure.net/keys/NAME[/VERSION] (or a sovereign cloud's or Managed HSM's domain)",
  });
}

/**
 * TLS, the SDK's challenge-resource check and no redirects, always: a token goes only to the checked vault. No SDK
 * retries: `callRemote` decides. Under the test seam the last policy before the socket swaps the origin.
 */
function clientOptions(ctx: KeyContext): CryptographyClientOptions {
  const target = testEndpoint(ctx.env);
  return {
    retryOptions: { maxRetries: 0 },
    redirectOptions: { maxRetries: 0 },
    ...(target !== undefined ? { additionalPolicies: [{ policy: redirectTo(target), position: "perRetry" as const }] } : {}),
  };
}

function cryptoClient(ctx: KeyContext, vault: AzureVault, keyUrl: string): Promise<CryptographyClient> {
  return cached(ctx, `azure-kv:crypto|${keyUrl}`, async () => {
    const { CryptographyClient } = await loadSdk("@azure/keyvault-keys");
    return new CryptographyClient(keyUrl, await credential(ctx, vault), clientOptions(ctx));
  });
}

function keyClient(ctx: KeyContext, vault: AzureVault): Promise<KeyClient> {
  return cached(ctx, `azure-kv:keys|${vault.origin}`, async () => {
    const { KeyClient } = await loadSdk("@azure/keyvault-keys");
    return new KeyClient(vault.origin, await credential(ctx, vault), clientOptions(ctx));
  });
}

/** `SEALFILE_AZURE_TOKEN` or DefaultAzureCredential, handing out tokens for the vault's own scope only. */
function credential(ctx: KeyContext, vault: AzureVault): Promise<TokenCredential> {
  const token = ctx.env[STATIC_TOKEN_ENV];
  return cached(ctx, `azure-kv:credential|${token ? "static" : "default"}|${vault.scope}`, async () => {
    const inner = token ? staticCredential(token) : new (await loadSdk("@azure/identity")).DefaultAzureCredential();
    return scopedTo(vault.scope, inner);
  });
}

function staticCredential(token: string): TokenCredential {
  return { getToken: () => Promise.resolve({ token, expiresOnTimestamp: Date.now() + STATIC_TOKEN_LIFETIME_MS }) };
}

function scopedTo(scope: string, inner: TokenCredential): TokenCredential {
  return {
    getToken: (scopes, options) => {
      const asked = typeof scopes === "string" ? [scopes] : scopes;
      if (asked.length !== 1 || asked[0] !== scope) {
        return Promise.reject(new StepFailure(`refusing a token for ${asked.join(" ")}; this vault may only get one for ${scope}`));
      }
      return inner.getToken(scope, options);
    },
  };
}

/** The test seam's origin, or undefined when unset. @throws {StepFailure} for anything but plain HTTP on loopback. */
function testEndpoint(env: KeyContext["env"]): string | undefined {
  const raw = env[TEST_ENDPOINT_ENV];
  if (!raw) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (url?.protocol !== "http:" || !isLoopbackHost(url.hostname) || url.username !== "" || url.password !== "") {
    throw new StepFailure(`${TEST_ENDPOINT_ENV} must be http://127.0.0.1:PORT`);
  }
  return url.origin;
}

type AzurePolicy = NonNullable<CryptographyClientOptions["additionalPolicies"]>[number]["policy"];

/** Sends each request to `origin` instead, then restores the URL so the SDK's challenge check sees the real vault. */
function redirectTo(origin: string): AzurePolicy {
  return {
    name: "sealfile-test-endpoint",
    sendRequest: async (request, next) => {
      const { url, allowInsecureConnection } = request;
      const target = new URL(url);
      request.url = `${origin}${target.pathname}${target.search}`;
      request.allowInsecureConnection = true;
      try {
        return await next(request);
      } finally {
        request.url = url;
        request.allowInsecureConnection = allowInsecureConnection;
      }
    },
  };
}

function cached<T>(ctx: KeyContext, key: string, make: () => Promise<T>): Promise<T> {
  const hit = ctx.cache.get(key) as Promise<T> | undefined;
  if (hit !== undefined) return hit;
  const made = make();
  ctx.cache.set(key, made);
  made.catch(() => ctx.cache.delete(key));
  return made;
}

function reasonOf(e: unknown): string {
  return e instanceof StepFailure ? e.message : formatReason(describeRemoteError(e));
}

