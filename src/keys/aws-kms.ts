/**
 * Owns: the AWS KMS key source (sops `kms` entries): the data key wrapped with KMS Encrypt and unwrapped with
 * KMS Decrypt, under an optional encryption context, an optional STS role and an optional shared-config profile.
 * Format: sops kms/keysource.go; see ../shared/sops-format.md §3.1 and §3.3. The AWS SDK is loaded lazily.
 */
import type { KMSClient } from "@aws-sdk/client-kms";
import { SealError } from "../errors.js";
import type { KeyContext, KeyEntry, MasterKey, UnwrapResult } from "./types.js";
import { callRemote, describeRemoteError, formatReason } from "./_remote-call.js";
import { loadSdk } from "./_sdk.js";
import { StepFailure, createdNow, optionalString, requiredString } from "./_entry.js";
import { checkKmsArn, checkRoleArn, type AwsKmsTarget, type Checked } from "./endpoints.js";
/** Session name for AssumeRole (sops uses "sops@host"; ours names the tool and nothing about the machine). */
const ROLE_SESSION_NAME = "sealfile";

/** Read by the AWS SDK from process.env when a client is built (@aws-sdk/core emitWarningIfUnsupportedVersion). */
const NODE_WARNING_SWITCH = "AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED";

type Env = KeyContext["env"];

interface StaticCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

/** Where the base (pre-role) credentials come from, as client options plus a label for people. */
interface CredentialSource {
  readonly options: { readonly profile?: string; readonly credentials?: StaticCredentials };
  readonly label: string;
  readonly cacheKey: string;
}

/**
 * Parses sops's encryption-context syntax `k1:v1,k2:v2` (or a map from `.sops.yaml`).
 * An empty string gives an empty context.
 * @throws {SealError} BAD_ENCRYPTION_CONTEXT when an item is not exactly `key:value`.
 */
export function parseEncryptionContext(input: string | Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof input !== "string") {
    for (const [k, v] of Object.entries(input)) {
      if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") {
        throw new SealError("BAD_ENCRYPTION_CONTEXT", `encryption context value for "${k}" must be a string`);
      }
      out[k] = String(v);
    }
    return out;
  }
  if (input.trim() === "") return out;
  input.split(",").forEach((item, i) => {
    const parts = item.split(":");
    if (parts.length !== 2 || parts[0] === "") {
      throw new SealError("BAD_ENCRYPTION_CONTEXT", `encryption context item ${i + 1} is not of the form key:value`, {
        hint: "write the context as key1:value1,key2:value2",
      });
    }
    out[parts[0] as string] = parts[1] as string;
  });
  return out;
}

/** Splits a comma-separated list of `arn[+role]` specs (the `--kms` flag / `SOPS_KMS_ARN` syntax) into keys. */
export function parseKmsArnList(list: string, context?: Readonly<Record<string, string>>, awsProfile?: string): AwsKmsKey[] {
  return list
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .map((s) => AwsKmsKey.fromArnSpec(s, context, awsProfile));
}

export class AwsKmsKey implements MasterKey {
  readonly kind = "kms" as const;
  readonly id: string;
  readonly arn: string;
  /** IAM role ARN to assume before calling KMS; "" for none. */
  readonly role: string;
  readonly context: Readonly<Record<string, string>>;
  /** Shared-config profile; "" for the default chain. Always written, as sops does. */
  readonly awsProfile: string;
  /** `arn` checked (its region decides the KMS host) and `role` checked; nothing is called when either fails. */
  private readonly target: Checked<AwsKmsTarget>;
  private readonly roleCheck: Checked<string>;
  readonly createdAt: string;
  /** base64 of the KMS CiphertextBlob; "" until encrypted. */
  enc: string;

  constructor(init: {
    arn: string;
    role?: string;
    context?: Readonly<Record<string, string>>;
    awsProfile?: string;
    createdAt?: string;
    enc?: string;
  }) {
    this.arn = init.arn.trim();
    this.id = this.arn;
    this.role = init.role?.trim() ?? "";
    this.context = { ...(init.context ?? {}) };
    this.awsProfile = init.awsProfile ?? "";
    this.createdAt = init.createdAt ?? createdNow();
    this.enc = init.enc ?? "";
    this.target = checkKmsArn(this.arn);
    this.roleCheck = checkRoleArn(this.role);
  }

  /**
   * sops's `arn[+roleArn]` form (flags, environment, `.sops.yaml`).
   * @throws {SealError} BAD_RECIPIENT when the key or role ARN does not have AWS's exact shape.
   */
  static fromArnSpec(spec: string, context?: Readonly<Record<string, string>>, awsProfile?: string): AwsKmsKey {
    const [arn = "", role = ""] = spec.trim().split("+");
    const key = new AwsKmsKey({ arn, role, ...(context ? { context } : {}), ...(awsProfile ? { awsProfile } : {}) });
    const refused = key.refusal();
    if (refused !== undefined) {
      throw new SealError("BAD_RECIPIENT", refused, { hint: "write it as arn:aws:kms:REGION:ACCOUNT:key/ID[+arn:aws:iam::ACCOUNT:role/NAME]" });
    }
    return key;
  }

  /**
   * Reads a `kms` entry of the metadata block.
   * @throws {SealError} BAD_METADATA when `arn` is missing or a field has the wrong type.
   */
  static fromMetadata(entry: KeyEntry): AwsKmsKey {
    const ctx = entry.context;
    let context: Record<string, string> = {};
    if (ctx !== undefined && ctx !== null) {
      if (typeof ctx !== "object" || Array.isArray(ctx)) throw new SealError("BAD_METADATA", "kms entry: context must be a map");
      try {
        context = parseEncryptionContext(ctx as Record<string, unknown>);
      } catch (e) {
        throw new SealError("BAD_METADATA", `kms entry: ${(e as Error).message}`);
      }
    }
    const createdAt = optionalString(entry, "created_at", "kms");
    return new AwsKmsKey({
      arn: requiredString(entry, "arn", "kms"),
      role: optionalString(entry, "role", "kms") ?? "",
      context,
      awsProfile: optionalString(entry, "aws_profile", "kms") ?? "",
      ...(createdAt !== undefined ? { createdAt } : {}),
      enc: optionalString(entry, "enc", "kms") ?? "",
    });
  }

  /** Field order as sops writes it: arn, role, context, created_at, enc, aws_profile. */
  toMetadata(): KeyEntry {
    const out: KeyEntry = { arn: this.arn };
    if (this.role !== "") out.role = this.role;
    const keys = Object.keys(this.context).sort();
    if (keys.length > 0) out.context = Object.fromEntries(keys.map((k) => [k, this.context[k]]));
    out.created_at = this.createdAt;
    out.enc = this.enc;
    out.aws_profile = this.awsProfile;
    return out;
  }

  /**
   * Wraps `dataKey` with KMS Encrypt and keeps the ciphertext blob.
   * @throws {SealError} KEY_FAILED when the ARN has no region or KMS (or STS) refuses or cannot be reached.
   */
  async encrypt(dataKey: Uint8Array, ctx: KeyContext): Promise<void> {
    const where = this.endpointLabel(ctx.env);
    try {
      const refused = this.refusal();
      if (refused !== undefined) throw new StepFailure(refused);
      const client = await this.client(ctx);
      const { EncryptCommand } = await loadSdk("@aws-sdk/client-kms");
      const out = await callRemote(
        (signal) =>
          client.send(new EncryptCommand({ KeyId: this.arn, Plaintext: dataKey, EncryptionContext: this.encryptionContext() }), {
            abortSignal: signal,
          }),
        { timeoutMs: ctx.timeoutMs, attempts: ctx.attempts },
      );
      if (!out.ok) throw new StepFailure(out.reason);
      const blob = out.value.CiphertextBlob;
      if (blob === undefined || blob.length === 0) throw new StepFailure("KMS returned no ciphertext");
      this.enc = Buffer.from(blob).toString("base64");
    } catch (e) {
      throw new SealError("KEY_FAILED", `AWS KMS key ${this.arn}: could not wrap the data key: ${reasonOf(e)} (${where})`, {
        hint: "check the AWS credentials, region and the key policy (kms:Encrypt)",
      });
    }
  }

  /** Unwraps the stored blob with KMS Decrypt. Never throws. */
  async decrypt(ctx: KeyContext): Promise<UnwrapResult> {
    const where = this.endpointLabel(ctx.env);
    const tried = [where, credentialSource(this.awsProfile, ctx.env).label, ...(this.role ? [`role ${this.role}`] : [])];
    if (this.enc === "") return { ok: false, reason: "no wrapped data key stored for this key", tried };
    const refused = this.refusal();
    if (refused !== undefined) return { ok: false, reason: `refused: ${refused}`, tried };
    let plaintext: Uint8Array | undefined;
    try {
      const blob = Buffer.from(this.enc, "base64");
      const client = await this.client(ctx);
      const { DecryptCommand } = await loadSdk("@aws-sdk/client-kms");
      const out = await callRemote(
        (signal) =>
          client.send(
            new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: this.encryptionContext(), KeyId: this.arn }),
            { abortSignal: signal },
          ),
        { timeoutMs: ctx.timeoutMs, attempts: ctx.attempts, scrub: [this.enc] },
      );
      if (!out.ok) return { ok: false, reason: `${out.reason} (${where})`, tried };
      plaintext = out.value.Plaintext;
      if (plaintext === undefined || plaintext.length === 0) return { ok: false, reason: `KMS returned no plaintext (${where})`, tried };
      return { ok: true, dataKey: Uint8Array.from(plaintext), via: `AWS KMS ${this.arn}` };
    } catch (e) {
      return { ok: false, reason: `${reasonOf(e)} (${where})`, tried };
    } finally {
      plaintext?.fill(0);
    }
  }

  private encryptionContext(): Record<string, string> | undefined {
    return Object.keys(this.context).length === 0 ? undefined : { ...this.context };
  }

  /** Why no call may be made for this key (a bad key or role ARN), or undefined. */
  private refusal(): string | undefined {
    if (!this.target.ok) return this.target.reason;
    if (!this.roleCheck.ok) return this.roleCheck.reason;
    return undefined;
  }

  private region(): string {
    if (!this.target.ok) throw new StepFailure(this.target.reason);
    return this.target.value.region;
  }

  private endpointLabel(env: Env): string {
    const custom = serviceEndpoint(env, "KMS");
    if (custom !== undefined) return custom;
    return this.target.ok ? `kms.${this.target.value.region}.amazonaws.com` : "AWS KMS";
  }

  /** One client per region, endpoint, credentials and role for the whole command. */
  private client(ctx: KeyContext): Promise<KMSClient> {
    const region = this.region();
    const base = credentialSource(this.awsProfile, ctx.env);
    const endpoint = serviceEndpoint(ctx.env, "KMS");
    const cacheKey = `aws-kms:client|${region}|${endpoint ?? ""}|${base.cacheKey}|${this.role}`;
    const cached = ctx.cache.get(cacheKey) as Promise<KMSClient> | undefined;
    if (cached !== undefined) return cached;
    const role = this.role;
    const made = (async () => {
      silenceNodeVersionWarning();
      const { KMSClient } = await loadSdk("@aws-sdk/client-kms");
      const creds = role === "" ? base.options : { credentials: await assumeRole(role, region, base, ctx) };
      return new KMSClient({ region, maxAttempts: 1, ...(endpoint !== undefined ? { endpoint } : {}), ...creds });
    })();
    ctx.cache.set(cacheKey, made);
    made.catch(() => ctx.cache.delete(cacheKey)); // a failed role assumption is not remembered
    return made;
  }
}

/** STS AssumeRole with the base credentials; the temporary credentials then sign the KMS calls. */
async function assumeRole(role: string, region: string, base: CredentialSource, ctx: KeyContext): Promise<StaticCredentials> {
  silenceNodeVersionWarning();
  const { STSClient, AssumeRoleCommand } = await loadSdk("@aws-sdk/client-sts");
  const endpoint = serviceEndpoint(ctx.env, "STS");
  const sts = new STSClient({ region, maxAttempts: 1, ...(endpoint !== undefined ? { endpoint } : {}), ...base.options });
  try {
    const out = await callRemote(
      (signal) => sts.send(new AssumeRoleCommand({ RoleArn: role, RoleSessionName: ROLE_SESSION_NAME }), { abortSignal: signal }),
      { timeoutMs: ctx.timeoutMs, attempts: ctx.attempts },
    );
    if (!out.ok) throw new StepFailure(`STS AssumeRole ${role}: ${out.reason} (${endpoint ?? `sts.${region}.amazonaws.com`})`);
    const c = out.value.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new StepFailure(`STS AssumeRole ${role}: no credentials returned`);
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
      ...(c.Expiration ? { expiration: c.Expiration } : {}),
    };
  } finally {
    sts.destroy();
  }
}

/**
 * The base credentials, in the SDK's own precedence: the entry's `aws_profile`, then `AWS_PROFILE`, then static
 * keys from the environment, then the SDK's default chain (SSO, web identity, container and instance roles).
 * Passed explicitly so that the context's environment, not the process's, decides.
 */
function credentialSource(awsProfile: string, env: Env): CredentialSource {
  if (awsProfile !== "") return { options: { profile: awsProfile }, label: `aws_profile ${awsProfile}`, cacheKey: `p:${awsProfile}` };
  const envProfile = env.AWS_PROFILE;
  if (envProfile) return { options: { profile: envProfile }, label: `AWS_PROFILE ${envProfile}`, cacheKey: `p:${envProfile}` };
  const id = env.AWS_ACCESS_KEY_ID;
  const secret = env.AWS_SECRET_ACCESS_KEY;
  if (id && secret) {
    const token = env.AWS_SESSION_TOKEN;
    return {
      options: { credentials: { accessKeyId: id, secretAccessKey: secret, ...(token ? { sessionToken: token } : {}) } },
      label: "AWS_ACCESS_KEY_ID",
      cacheKey: `k:${id}`,
    };
  }
  return { options: {}, label: "AWS default credential chain", cacheKey: "default" };
}

/**
 * On Node < 22 the AWS SDK prints a NodeVersionSupportWarning on stderr when it builds its first client, unless
 * this switch is "true" in process.env. It can only be turned off there, so this is a deliberate process-global
 * write (and the one place key sources touch process.env): a library user's stderr must not get SDK noise. A value
 * the user already set is left alone.
 */
function silenceNodeVersionWarning(): void {
  if (process.env[NODE_WARNING_SWITCH] === undefined) process.env[NODE_WARNING_SWITCH] = "true";
}

/** The SDK's documented endpoint overrides: AWS_ENDPOINT_URL_<SERVICE>, then AWS_ENDPOINT_URL. */
function serviceEndpoint(env: Env, service: "KMS" | "STS"): string | undefined {
  const v = env[`AWS_ENDPOINT_URL_${service}`] || env.AWS_ENDPOINT_URL;
  return v ? v : undefined;
}

function reasonOf(e: unknown): string {
  return e instanceof StepFailure ? e.message : formatReason(describeRemoteError(e));
}
