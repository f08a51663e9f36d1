/**
 * Owns: the GCP Cloud KMS key source (sops `gcp_kms` entries): the data key wrapped with CryptoKey Encrypt and
 * unwrapped with Decrypt, over gRPC (default) or REST, with Application Default Credentials or an access token.
 * Format: sops gcpkms/keysource.go; see ../shared/sops-format.md §3.1, §3.3, §7.1. The SDK is loaded lazily.
 */
import type { KeyManagementServiceClient } from "@google-cloud/kms";
import type { ClientOptions } from "google-gax";
import { SealError } from "../errors.js";
import type { KeyContext, KeyEntry, MasterKey, UnwrapResult } from "./types.js";
import { callRemote, describeRemoteError, formatReason, isLoopbackHost, withTimeout } from "./_remote-call.js";
import { loadSdk } from "./_sdk.js";
import { StepFailure, createdNow, optionalString, requiredString } from "./_entry.js";
import { checkGcpKeyId, type Checked } from "./endpoints.js";

type Env = KeyContext["env"];

interface EncryptResponse {
  ciphertext?: Uint8Array | string | null;
}
interface DecryptResponse {
  plaintext?: Uint8Array | string | null;
}
/** A gax call that can be cancelled; `cancel` aborts the gRPC call or the REST fetch. */
type CancellableCall<T> = Promise<[T, ...unknown[]]> & { cancel?: () => void };
type InnerCall<Req, Res> = (request: Req, options: Record<string, unknown>) => CancellableCall<Res>;

/** How much later than our own timeout the gax deadline falls (see callOptions). */
const DEADLINE_BACKSTOP_MS = 1_000;

/** Where the calls go and how, derived from the environment. */
interface Transport {
  readonly host: string | undefined;
  readonly port: number | undefined;
  readonly rest: boolean;
  readonly insecure: boolean;
  readonly label: string;
}

export class GcpKmsKey implements MasterKey {
  readonly kind = "gcp_kms" as const;
  readonly id: string;
  /** `projects/P/locations/L/keyRings/R/cryptoKeys/K`. */
  readonly resourceId: string;
  readonly createdAt: string;
  /** base64 of the ciphertext; "" until encrypted. */
  enc: string;
  /** `resourceId` checked; nothing is called when it fails. */
  private readonly checked: Checked<string>;

  constructor(init: { resourceId: string; createdAt?: string; enc?: string }) {
    this.resourceId = init.resourceId.trim();
    this.id = this.resourceId;
    this.createdAt = init.createdAt ?? createdNow();
    this.enc = init.enc ?? "";
    this.checked = checkGcpKeyId(this.resourceId);
  }

  /**
   * From a resource id given by a flag, the environment or `.sops.yaml`.
   * @throws {SealError} BAD_RECIPIENT when it is not `projects/P/locations/L/keyRings/R/cryptoKeys/K`.
   */
  static fromResourceId(resourceId: string): GcpKmsKey {
    const key = new GcpKmsKey({ resourceId });
    if (!key.checked.ok) throw new SealError("BAD_RECIPIENT", key.checked.reason, { hint: "write it as projects/P/locations/L/keyRings/R/cryptoKeys/K" });
    return key;
  }

  /**
   * Reads a `gcp_kms` entry of the metadata block.
   * @throws {SealError} BAD_METADATA when `resource_id` is missing or a field has the wrong type.
   */
  static fromMetadata(entry: KeyEntry): GcpKmsKey {
    const createdAt = optionalString(entry, "created_at", "gcp_kms");
    return new GcpKmsKey({
      resourceId: requiredString(entry, "resource_id", "gcp_kms"),
      ...(createdAt !== undefined ? { createdAt } : {}),
      enc: optionalString(entry, "enc", "gcp_kms") ?? "",
    });
  }

  /** Field order as sops writes it: resource_id, created_at, enc. */
  toMetadata(): KeyEntry {
    return { resource_id: this.resourceId, created_at: this.createdAt, enc: this.enc };
  }

  /**
   * Wraps `dataKey` with Cloud KMS Encrypt and keeps the ciphertext.
   * @throws {SealError} KEY_FAILED when the service refuses or cannot be reached.
   */
  async encrypt(dataKey: Uint8Array, ctx: KeyContext): Promise<void> {
    const transport = transportOf(ctx.env);
    try {
      if (!this.checked.ok) throw new StepFailure(this.checked.reason);
      const client = await gcpClient(ctx, transport);
      const call = innerCall<{ name: string; plaintext: Uint8Array }, EncryptResponse>(client, "encrypt");
      const out = await callRemote(
        (signal) => cancellable(call({ name: this.resourceId, plaintext: dataKey }, callOptions(this.resourceId, ctx)), signal),
        { timeoutMs: ctx.timeoutMs, attempts: ctx.attempts },
      );
      if (!out.ok) throw new StepFailure(out.reason);
      const ct = bytesOf(out.value[0].ciphertext);
      if (ct.length === 0) throw new StepFailure("Cloud KMS returned no ciphertext");
      this.enc = ct.toString("base64");
    } catch (e) {
      throw new SealError("KEY_FAILED", `GCP KMS key ${this.resourceId}: could not wrap the data key: ${reasonOf(e)} (${transport.label})`, {
        hint: "check Application Default Credentials (or GOOGLE_OAUTH_ACCESS_TOKEN) and the cloudkms.cryptoKeyVersions.useToEncrypt permission",
      });
    }
  }

  /** Unwraps the stored ciphertext with Cloud KMS Decrypt. Never throws. */
  async decrypt(ctx: KeyContext): Promise<UnwrapResult> {
    const transport = transportOf(ctx.env);
    const tried = [transport.label, credentialLabel(ctx.env)];
    if (this.enc === "") return { ok: false, reason: "no wrapped data key stored for this key", tried };
    if (!this.checked.ok) return { ok: false, reason: `refused: ${this.checked.reason}`, tried };
    let plaintext: Buffer | undefined;
    try {
      const client = await gcpClient(ctx, transport);
      const call = innerCall<{ name: string; ciphertext: Uint8Array }, DecryptResponse>(client, "decrypt");
      const ciphertext = Buffer.from(this.enc, "base64");
      const out = await callRemote(
        (signal) => cancellable(call({ name: this.resourceId, ciphertext }, callOptions(this.resourceId, ctx)), signal),
        { timeoutMs: ctx.timeoutMs, attempts: ctx.attempts, scrub: [this.enc] },
      );
      if (!out.ok) return { ok: false, reason: `${out.reason} (${transport.label})`, tried };
      plaintext = bytesOf(out.value[0].plaintext);
      if (plaintext.length === 0) return { ok: false, reason: `Cloud KMS returned no plaintext (${transport.label})`, tried };
      return { ok: true, dataKey: Uint8Array.from(plaintext), via: `GCP KMS ${this.resourceId}` };
    } catch (e) {
      return { ok: false, reason: `${reasonOf(e)} (${transport.label})`, tried };
    } finally {
      plaintext?.fill(0);
    }
  }
}

/**
 * `SOPS_GCP_KMS_ENDPOINT` (host:port) and `SOPS_GCP_KMS_CLIENT_TYPE` (grpc | rest). Plain-text transport only
 * for a loopback host; any other host keeps TLS.
 */
function transportOf(env: Env): Transport {
  const rest = (env.SOPS_GCP_KMS_CLIENT_TYPE ?? "").trim().toLowerCase() === "rest";
  const kind = rest ? "rest" : "grpc";
  const raw = (env.SOPS_GCP_KMS_ENDPOINT ?? "").trim().replace(/^[a-z]+:\/\//i, "").replace(/\/+$/, "");
  if (raw === "") return { host: undefined, port: undefined, rest, insecure: false, label: `cloudkms.googleapis.com (${kind})` };
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(raw);
  const host = (m?.[1] ?? raw).replace(/^\[|\]$/g, "");
  const port = m?.[2] !== undefined ? Number(m[2]) : undefined;
  const insecure = isLoopbackHost(host);
  return { host, port, rest, insecure, label: `${raw} (${kind}${insecure ? ", plain text" : ""})` };
}

function credentialLabel(env: Env): string {
  if (env.GOOGLE_OAUTH_ACCESS_TOKEN) return "GOOGLE_OAUTH_ACCESS_TOKEN";
  if (env.GOOGLE_CREDENTIALS) return "GOOGLE_CREDENTIALS";
  if (env.GOOGLE_APPLICATION_CREDENTIALS) return "GOOGLE_APPLICATION_CREDENTIALS";
  return "Application Default Credentials";
}

/** One client per endpoint, transport and credential source for the whole command. */
function gcpClient(ctx: KeyContext, t: Transport): Promise<KeyManagementServiceClient> {
  const cacheKey = `gcp-kms:client|${t.label}|${credentialLabel(ctx.env)}|${ctx.env.SOPS_GCP_KMS_UNIVERSE_DOMAIN ?? ""}`;
  const cached = ctx.cache.get(cacheKey) as Promise<KeyManagementServiceClient> | undefined;
  if (cached !== undefined) return cached;
  const made = (async () => {
    const { KeyManagementServiceClient } = await loadSdk("@google-cloud/kms");
    const client = new KeyManagementServiceClient(await clientOptions(ctx.env, t));
    // Application Default Credentials may probe the metadata server here; bound it like any remote call.
    await withTimeout(() => client.initialize(), ctx.timeoutMs);
    return client;
  })();
  ctx.cache.set(cacheKey, made);
  made.catch(() => ctx.cache.delete(cacheKey));
  return made;
}

async function clientOptions(env: Env, t: Transport): Promise<ClientOptions> {
  const opts: ClientOptions = {};
  if (t.host !== undefined) opts.apiEndpoint = t.host;
  if (t.port !== undefined) opts.port = t.port;
  const universe = env.SOPS_GCP_KMS_UNIVERSE_DOMAIN;
  if (universe) opts.universeDomain = universe;
  if (t.rest) {
    opts.fallback = true;
    if (t.insecure) opts.protocol = "http";
  } else if (t.insecure) {
    // grpc-js refuses call credentials on an insecure channel, so a loopback endpoint gets no auth header.
    const { grpc } = await loadSdk("google-gax");
    opts.sslCreds = grpc.credentials.createInsecure();
  }
  const token = env.GOOGLE_OAUTH_ACCESS_TOKEN;
  if (token) {
    const { googleAuthLibrary } = await loadSdk("google-gax");
    const auth = new googleAuthLibrary.OAuth2Client();
    auth.setCredentials({ access_token: token });
    opts.authClient = auth;
  } else if (env.GOOGLE_CREDENTIALS) {
    // sops: the contents of a service-account JSON file, or a path to one
    const creds = env.GOOGLE_CREDENTIALS.trim();
    if (creds.startsWith("{")) {
      try {
        opts.credentials = JSON.parse(creds) as ClientOptions["credentials"];
      } catch {
        throw new StepFailure("GOOGLE_CREDENTIALS is not valid JSON");
      }
    } else {
      opts.keyFilename = creds;
    }
  } else if (env.GOOGLE_APPLICATION_CREDENTIALS) {
    opts.keyFilename = env.GOOGLE_APPLICATION_CREDENTIALS;
  }
  return opts;
}

/**
 * The client's inner call for `method`. Its public method drops the cancel handle (needed to abort a REST fetch on
 * timeout, which ignores gax deadlines) and logs the request (which holds the data key) when SDK logging is on.
 */
function innerCall<Req, Res>(client: KeyManagementServiceClient, method: "encrypt" | "decrypt"): InnerCall<Req, Res> {
  const fn = client.innerApiCalls[method];
  if (typeof fn !== "function") throw new StepFailure(`Cloud KMS client has no ${method} call`);
  return fn as InnerCall<Req, Res>;
}

/**
 * One attempt per call (our retry decides), a deadline, and the routing header the public method would add. The
 * gax deadline is only a backstop, later than our own timeout, so a slow call always fails the same way.
 */
function callOptions(resourceId: string, ctx: KeyContext): Record<string, unknown> {
  return {
    timeout: ctx.timeoutMs + DEADLINE_BACKSTOP_MS,
    retry: null,
    otherArgs: { headers: { "x-goog-request-params": `name=${encodeURIComponent(resourceId)}` } },
  };
}

function cancellable<T>(call: CancellableCall<T>, signal: AbortSignal): Promise<[T, ...unknown[]]> {
  signal.addEventListener("abort", () => call.cancel?.(), { once: true });
  return call;
}

function bytesOf(v: Uint8Array | string | null | undefined): Buffer {
  if (v === null || v === undefined) return Buffer.alloc(0);
  return typeof v === "string" ? Buffer.from(v, "base64") : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

function reasonOf(e: unknown): string {
  return e instanceof StepFailure ? e.message : formatReason(describeRemoteError(e));
}
