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
import { loadSdk } from "./_sdk.js";
import { StepFailure, createdNow, optionalString, requiredString } from "./_entry.js";

/** The only algorithm sops uses for Key Vault. */
const WRAP_ALGORITHM = "RSA-OAEP-256";
/** Test seam: a bearer token used instead of DefaultAzureCredential. */
const STATIC_TOKEN_ENV = "SEALFILE_AZURE_TOKEN";
const STATIC_TOKEN_LIFETIME_MS = 3_600_000;

export class AzureKvKey implements MasterKey {
  readonly kind = "azure_kv" as const;
  readonly id: string;
  /** Scheme and host of the vault, e.g. `https://myvault.vault.azure.net`. */
  readonly vaultUrl: string;
  readonly name: string;
  /** Key version; "" until resolved to the latest at encryption. */
  version: string;
  readonly createdAt: string;
  /** base64url (no padding) of the wrapped key; "" until encrypted. */
  enc: string;

  constructor(init: { vaultUrl: string; name: string; version?: string; createdAt?: string; enc?: string }) {
    this.vaultUrl = init.vaultUrl.trim().replace(/\/+$/, "");
    this.name = init.name.trim();
    this.version = init.version?.trim() ?? "";
    this.id = `${this.vaultUrl}/keys/${this.name}${this.version ? `/${this.version}` : ""}`;
    this.createdAt = init.createdAt ?? createdNow();
    this.enc = init.enc ?? "";
  }

  /**
   * From `https://VAULT.vault.azure.net/keys/NAME[/VERSION]`.
   * @throws {SealError} BAD_RECIPIENT when the URL does not have that shape.
   */
  static fromUrl(keyUrl: string): AzureKvKey {
    let url: URL;
    try {
      url = new URL(keyUrl.trim());
    } catch {
      throw badUrl(keyUrl);
    }
    const parts = url.pathname.split("/").filter((p) => p !== "");
    if ((url.protocol !== "https:" && url.protocol !== "http:") || parts[0] !== "keys" || parts.length < 2 || parts.length > 3) {
      throw badUrl(keyUrl);
    }
    return new AzureKvKey({ vaultUrl: url.origin, name: decodeURIComponent(parts[1] as string), version: decodeURIComponent(parts[2] ?? "") });
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
      const remote = { timeoutMs: ctx.timeoutMs, attempts: ctx.attempts };
      if (this.version === "") {
        const keys = await keyClient(ctx, this.vaultUrl);
        const got = await callRemote((signal) => keys.getKey(this.name, { abortSignal: signal }), remote);
        if (!got.ok) throw new StepFailure(`resolving the latest version: ${got.reason}`);
        const latest = got.value.properties.version;
        if (!latest) throw new StepFailure("the vault returned no key version");
        this.version = latest;
      }
      const crypto = await cryptoClient(ctx, this.keyUrl());
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
    let plaintext: Uint8Array | undefined;
    try {
      const wrapped = Buffer.from(this.enc, "base64url");
      const crypto = await cryptoClient(ctx, where);
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

  private keyUrl(): string {
    return `${this.vaultUrl}/keys/${encodeURIComponent(this.name)}${this.version ? `/${encodeURIComponent(this.version)}` : ""}`;
  }
}

function badUrl(keyUrl: string): SealError {
  return new SealError("BAD_RECIPIENT", `"${keyUrl}" is not an Azure Key Vault key URL`, {
    hint: "write it as https://VAULT.vault.azure.net/keys/NAME[/VERSION]",
  });
}

/**
 * Plain HTTP and a challenge resource other than vault.azure.net are allowed only for a loopback vault, so
 * production traffic never leaves TLS. No SDK retries: `callRemote` decides.
 */
function clientOptions(vaultUrl: string): CryptographyClientOptions {
  const url = new URL(vaultUrl);
  const loopback = isLoopbackHost(url.hostname);
  if (url.protocol !== "https:" && !loopback) throw new StepFailure(`refusing plain HTTP to ${url.host}; vaults are reached over https`);
  return {
    retryOptions: { maxRetries: 0 },
    ...(loopback ? { allowInsecureConnection: true, disableChallengeResourceVerification: true } : {}),
  };
}

function cryptoClient(ctx: KeyContext, keyUrl: string): Promise<CryptographyClient> {
  return cached(ctx, `azure-kv:crypto|${keyUrl}`, async () => {
    const { CryptographyClient } = await loadSdk("@azure/keyvault-keys");
    return new CryptographyClient(keyUrl, await credential(ctx), clientOptions(new URL(keyUrl).origin));
  });
}

function keyClient(ctx: KeyContext, vaultUrl: string): Promise<KeyClient> {
  return cached(ctx, `azure-kv:keys|${vaultUrl}`, async () => {
    const { KeyClient } = await loadSdk("@azure/keyvault-keys");
    return new KeyClient(vaultUrl, await credential(ctx), clientOptions(vaultUrl));
  });
}

function credential(ctx: KeyContext): Promise<TokenCredential> {
  const token = ctx.env[STATIC_TOKEN_ENV];
  return cached(ctx, `azure-kv:credential|${token ? "static" : "default"}`, async () => {
    if (token) return staticCredential(token);
    const { DefaultAzureCredential } = await loadSdk("@azure/identity");
    return new DefaultAzureCredential();
  });
}

function staticCredential(token: string): TokenCredential {
  return { getToken: () => Promise.resolve({ token, expiresOnTimestamp: Date.now() + STATIC_TOKEN_LIFETIME_MS }) };
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

