/**
 * Owns: the HashiCorp Vault transit key source (sops `hc_vault` entries): the data key sent base64-encoded to
 * `POST /v1/<engine>/encrypt/<key>` and the `vault:v1:…` ciphertext back to `/decrypt/<key>`, over Node's fetch,
 * with the token from VAULT_TOKEN or ~/.vault-token sent only to an address the user trusts (endpoints.ts).
 * Format: sops hcvault/keysource.go; API: https://developer.hashicorp.com/vault/api-docs/secret/transit
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SealError } from "../errors.js";
import { callRemote } from "./_remote-call.js";
import { StepFailure, createdNow, optionalString, requiredString } from "./_entry.js";
import { checkVaultAddress, VAULT_ALLOWLIST_ENV } from "./endpoints.js";
import type { KeyContext, KeyEntry, MasterKey, UnwrapResult } from "./types.js";
import { noteLoaded } from "./_loaded.js";

noteLoaded("hc-vault");

const TOKEN_FILE = ".vault-token";
const URI_SHAPE = "https://vault.example.com:8200/v1/transit/keys/NAME";

export class VaultTransitKey implements MasterKey {
  readonly kind = "hc_vault" as const;
  readonly id: string;
  /** Scheme, host and port, as sops stores it (`https://vault.example.com:8200`). */
  readonly address: string;
  /** The transit mount, may hold slashes (`transit`, `team/transit`). */
  readonly enginePath: string;
  readonly keyName: string;
  readonly createdAt: string;
  enc: string;

  constructor(init: { address: string; enginePath: string; keyName: string; createdAt?: string | undefined; enc?: string }) {
    this.address = init.address.trim().replace(/\/+$/, "");
    this.enginePath = init.enginePath.replace(/^\/+|\/+$/g, "");
    this.keyName = init.keyName;
    this.id = `${this.address}/v1/${this.enginePath}/keys/${this.keyName}`;
    this.createdAt = init.createdAt ?? createdNow();
    this.enc = init.enc ?? "";
  }

  /**
   * From `https://vault.example.com:8200/v1/ENGINE/keys/NAME` (`--hc-vault-transit`, `hc_vault_transit_uri`).
   * @throws {SealError} BAD_RECIPIENT when the URI does not have that shape.
   */
  static fromUri(uri: string): VaultTransitKey {
    let url: URL;
    try {
      url = new URL(uri.trim());
    } catch {
      throw badUri(uri);
    }
    if ((url.protocol !== "https:" && url.protocol !== "http:") || url.search !== "" || url.hash !== "" || url.username !== "" || url.password !== "") throw badUri(uri);
    // sops: /v1/ENGINE…/keys/NAME at the root (a prefixed path is a proxy it does not support)
    const parts = url.pathname.split("/").filter((p) => p !== "").map(decodeURIComponent);
    if (parts.length < 4 || !/^v\d+$/.test(parts[0] ?? "") || parts[parts.length - 2] !== "keys") throw badUri(uri);
    return new VaultTransitKey({ address: url.origin, enginePath: parts.slice(1, -2).join("/"), keyName: parts[parts.length - 1] as string });
  }

  /** @throws {SealError} BAD_METADATA when a field is missing or has the wrong type. */
  static fromMetadata(entry: KeyEntry): VaultTransitKey {
    return new VaultTransitKey({
      address: requiredString(entry, "vault_address", "hc_vault"),
      enginePath: requiredString(entry, "engine_path", "hc_vault"),
      keyName: requiredString(entry, "key_name", "hc_vault"),
      createdAt: optionalString(entry, "created_at", "hc_vault"),
      enc: optionalString(entry, "enc", "hc_vault") ?? "",
    });
  }

  /** The fields sops writes (metadata.ts sorts them, as sops does). */
  toMetadata(): KeyEntry {
    return { vault_address: this.address, engine_path: this.enginePath, key_name: this.keyName, created_at: this.createdAt, enc: this.enc };
  }

  /**
   * Wraps `dataKey` with the transit key.
   * @throws {SealError} KEY_FAILED when the address is not trusted, no token is found, or Vault refuses.
   */
  async encrypt(dataKey: Uint8Array, ctx: KeyContext): Promise<void> {
    try {
      const body = { plaintext: Buffer.from(dataKey).toString("base64") };
      const data = await this.#call(ctx, "encrypt", body, []);
      const ciphertext = data.ciphertext;
      if (typeof ciphertext !== "string" || !ciphertext.startsWith("vault:")) throw new StepFailure("Vault returned no ciphertext");
      this.enc = ciphertext;
    } catch (e) {
      throw new SealError("KEY_FAILED", `Vault transit key ${this.id}: could not wrap the data key: ${e instanceof Error ? e.message : "failed"}`, {
        hint: `check VAULT_ADDR, VAULT_TOKEN (or ~/.vault-token), ${VAULT_ALLOWLIST_ENV} and the token's permission on ${this.enginePath}/encrypt/${this.keyName}`,
      });
    }
  }

  /** Unwraps the stored ciphertext with Vault. Never throws. */
  async decrypt(ctx: KeyContext): Promise<UnwrapResult> {
    const tried = [this.id, ctx.env.VAULT_TOKEN ? "VAULT_TOKEN" : `~/${TOKEN_FILE}`];
    if (this.enc === "") return { ok: false, reason: "no wrapped data key stored for this key", tried };
    let plaintext: Buffer | undefined;
    try {
      const data = await this.#call(ctx, "decrypt", { ciphertext: this.enc }, [this.enc]);
      if (typeof data.plaintext !== "string") return { ok: false, reason: "Vault returned no plaintext", tried };
      plaintext = Buffer.from(data.plaintext, "base64");
      if (plaintext.length === 0) return { ok: false, reason: "Vault returned an empty key", tried };
      return { ok: true, dataKey: Uint8Array.from(plaintext), via: `Vault transit ${this.id}` };
    } catch (e) {
      return { ok: false, reason: e instanceof Error ? e.message : "failed", tried };
    } finally {
      plaintext?.fill(0);
    }
  }

  /** One transit call; resolves to the response's `data`. @throws {StepFailure} with a secret-free message. */
  async #call(ctx: KeyContext, op: "encrypt" | "decrypt", body: Record<string, string>, scrub: string[]): Promise<Record<string, unknown>> {
    const origin = checkVaultAddress(this.address, ctx.env);
    if (!origin.ok) throw new StepFailure(`refused: ${origin.reason}`);
    const segments = [...this.enginePath.split("/"), op, this.keyName];
    if (segments.some((s) => s === "" || s === "." || s === "..")) throw new StepFailure(`refused: the engine path or key name ${JSON.stringify(`${this.enginePath}/${this.keyName}`)} is not a plain path`);
    const token = vaultToken(ctx);
    if (token === undefined) throw new StepFailure(`no Vault token (set VAULT_TOKEN or write ~/${TOKEN_FILE})`);
    const url = `${origin.value}/v1/${segments.map(encodeURIComponent).join("/")}`;
    const headers: Record<string, string> = { "X-Vault-Token": token, "Content-Type": "application/json" };
    if (ctx.env.VAULT_NAMESPACE) headers["X-Vault-Namespace"] = ctx.env.VAULT_NAMESPACE;
    const out = await callRemote(
      async (signal) => {
        let res: Response;
        try {
          // No redirects: the token header would follow them to wherever a server points.
          res = await fetch(url, { method: "POST", headers, body: JSON.stringify(body), redirect: "error", signal });
        } catch (e) {
          throw networkCause(e);
        }
        const text = await res.text();
        let json: { data?: Record<string, unknown>; errors?: unknown } = {};
        try {
          json = JSON.parse(text) as typeof json;
        } catch {
          json = {};
        }
        if (!res.ok) {
          const errors = Array.isArray(json.errors) ? json.errors.filter((x) => typeof x === "string").join("; ") : "";
          throw Object.assign(new Error(errors), { name: "VaultError", code: `HTTP ${res.status}`, statusCode: res.status });
        }
        return json.data ?? {};
      },
      { timeoutMs: ctx.timeoutMs, attempts: ctx.attempts, scrub },
    );
    if (!out.ok) throw new StepFailure(`${out.reason} (${this.address})`);
    return out.value;
  }
}

/** VAULT_TOKEN, else the first line of ~/.vault-token (as the Vault CLI writes it), else undefined. */
function vaultToken(ctx: KeyContext): string | undefined {
  const fromEnv = ctx.env.VAULT_TOKEN?.trim();
  if (fromEnv) return fromEnv;
  try {
    const t = readFileSync(join(ctx.homeDir, TOKEN_FILE), "utf8").trim();
    return t === "" ? undefined : t;
  } catch {
    return undefined;
  }
}

/** fetch wraps socket errors in `TypeError: fetch failed`; the cause carries the code worth showing. */
function networkCause(e: unknown): unknown {
  if (e instanceof Error && e.name === "TypeError" && typeof e.cause === "object" && e.cause !== null && "code" in e.cause) return e.cause;
  return e;
}

function badUri(uri: string): SealError {
  return new SealError("BAD_RECIPIENT", `${JSON.stringify(uri.slice(0, 200))} is not a Vault transit key URI`, { hint: `write it as ${URI_SHAPE}` });
}
