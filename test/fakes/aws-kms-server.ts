/**
 * Owns: a protocol-level fake of AWS KMS (JSON 1.1, `X-Amz-Target: TrentService.Encrypt|Decrypt`) and of STS
 * (query protocol, `Action=AssumeRole`, XML answer) on one loopback port. It really encrypts (AES-256-GCM under a
 * per-key secret, the encryption context as AAD), counts wraps and unwraps per key, and records which access key
 * id signed each call (from the SigV4 Authorization header, which it does not verify).
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { bump, fakeOpen, fakeSeal, startHttp, type FailMode, type LoopbackServer } from "./_common.js";

export interface StsCall {
  readonly roleArn: string;
  readonly sessionName: string;
  readonly accessKeyId: string;
  readonly issuedAccessKeyId: string;
}

export class FakeAwsServer {
  readonly http: LoopbackServer;
  readonly url: string;
  kmsMode: FailMode = "ok";
  stsMode: FailMode = "ok";
  readonly wraps = new Map<string, number>();
  readonly unwraps = new Map<string, number>();
  /** KMS requests seen, successful or not. */
  kmsRequests = 0;
  /** The access key id that signed each KMS request, in order. */
  readonly kmsCallers: string[] = [];
  readonly stsCalls: StsCall[] = [];
  private readonly secrets = new Map<string, Buffer>();

  private constructor(http: LoopbackServer) {
    this.http = http;
    this.url = http.url;
  }

  static async start(): Promise<FakeAwsServer> {
    let self: FakeAwsServer | undefined;
    const http = await startHttp((req, res, body) => self?.handle(req, res, body));
    self = new FakeAwsServer(http);
    return self;
  }

  /** Makes a key usable; the fake holds its secret. */
  addKey(arn: string): void {
    this.secrets.set(arn, randomBytes(32));
  }

  close(): Promise<void> {
    return this.http.close();
  }

  private handle(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    const target = req.headers["x-amz-target"];
    if (typeof target === "string" && target.startsWith("TrentService.")) return this.kms(req, res, target.slice(13), body);
    const form = new URLSearchParams(body.toString("utf8"));
    if (form.get("Action") === "AssumeRole") return this.assumeRole(req, res, form);
    res.writeHead(400).end("unknown request");
  }

  private kms(req: IncomingMessage, res: ServerResponse, op: string, body: Buffer): void {
    this.kmsRequests++;
    this.kmsCallers.push(accessKeyIdOf(req));
    if (this.kmsMode === "hang") return;
    if (this.kmsMode === "deny") return kmsError(res, 400, "AccessDeniedException", "User is not authorized to perform kms:" + op);
    if (this.kmsMode === "error500") return kmsError(res, 500, "KMSInternalException", "internal failure");
    const input = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
    const context = contextAad(input.EncryptionContext);
    if (op === "Encrypt") {
      const arn = String(input.KeyId);
      const secret = this.secrets.get(arn);
      if (!secret) return kmsError(res, 400, "NotFoundException", `Key '${arn}' does not exist`);
      const plaintext = Buffer.from(String(input.Plaintext), "base64");
      const arnBytes = Buffer.from(arn, "utf8");
      const header = Buffer.alloc(2);
      header.writeUInt16BE(arnBytes.length);
      const blob = Buffer.concat([header, arnBytes, fakeSeal(secret, plaintext, context)]);
      bump(this.wraps, arn);
      return kmsJson(res, { CiphertextBlob: blob.toString("base64"), KeyId: arn, EncryptionAlgorithm: "SYMMETRIC_DEFAULT" });
    }
    if (op === "Decrypt") {
      const blob = Buffer.from(String(input.CiphertextBlob), "base64");
      const len = blob.length >= 2 ? blob.readUInt16BE(0) : 0;
      const arn = blob.subarray(2, 2 + len).toString("utf8");
      const secret = this.secrets.get(arn);
      if (!secret) return kmsError(res, 400, "InvalidCiphertextException", "");
      if (typeof input.KeyId === "string" && input.KeyId !== arn) {
        return kmsError(res, 400, "IncorrectKeyException", "The key ID in the request does not identify the key that encrypted the ciphertext");
      }
      const plaintext = fakeOpen(secret, blob.subarray(2 + len), context);
      if (!plaintext) return kmsError(res, 400, "InvalidCiphertextException", "");
      bump(this.unwraps, arn);
      return kmsJson(res, { KeyId: arn, Plaintext: plaintext.toString("base64"), EncryptionAlgorithm: "SYMMETRIC_DEFAULT" });
    }
    kmsError(res, 400, "UnknownOperationException", op);
  }

  private assumeRole(req: IncomingMessage, res: ServerResponse, form: URLSearchParams): void {
    if (this.stsMode === "hang") return;
    if (this.stsMode === "deny") return stsError(res, 403, "AccessDenied", "not authorized to perform: sts:AssumeRole");
    if (this.stsMode === "error500") return stsError(res, 500, "InternalFailure", "internal failure");
    const issued = "ASIA" + randomBytes(8).toString("hex").toUpperCase();
    const roleArn = form.get("RoleArn") ?? "";
    this.stsCalls.push({ roleArn, sessionName: form.get("RoleSessionName") ?? "", accessKeyId: accessKeyIdOf(req), issuedAccessKeyId: issued });
    const expiration = new Date(Date.now() + 3600_000).toISOString();
    const xml = `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <AssumedRoleUser><AssumedRoleId>AROAFAKE:sealfile</AssumedRoleId><Arn>${roleArn}/sealfile</Arn></AssumedRoleUser>
    <Credentials>
      <AccessKeyId>${issued}</AccessKeyId>
      <SecretAccessKey>${randomBytes(20).toString("base64")}</SecretAccessKey>
      <SessionToken>${randomBytes(40).toString("base64")}</SessionToken>
      <Expiration>${expiration}</Expiration>
    </Credentials>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>fake-request</RequestId></ResponseMetadata>
</AssumeRoleResponse>`;
    res.writeHead(200, { "content-type": "text/xml" }).end(xml);
  }
}

/** The access key id from `Authorization: AWS4-HMAC-SHA256 Credential=AKID/date/region/service/aws4_request, …`. */
function accessKeyIdOf(req: IncomingMessage): string {
  const m = /Credential=([^/,\s]+)\//.exec(req.headers.authorization ?? "");
  return m?.[1] ?? "";
}

/** The encryption context as canonical bytes (sorted keys), bound into the ciphertext like real KMS does. */
function contextAad(context: unknown): Buffer {
  const entries = context && typeof context === "object" ? Object.entries(context as Record<string, string>) : [];
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Buffer.from(JSON.stringify(entries), "utf8");
}

function kmsJson(res: ServerResponse, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(200, { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": "fake" }).end(text);
}

function kmsError(res: ServerResponse, status: number, type: string, message: string): void {
  const text = JSON.stringify({ __type: type, message });
  res.writeHead(status, { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": "fake" }).end(text);
}

function stsError(res: ServerResponse, status: number, code: string, message: string): void {
  const xml = `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>fake</RequestId></ErrorResponse>`;
  res.writeHead(status, { "content-type": "text/xml" }).end(xml);
}
