/**
 * Owns: a protocol-level fake of Cloud KMS Encrypt/Decrypt, served both as REST (`POST /v1/{name}:encrypt|:decrypt`,
 * JSON with base64 bytes) and as gRPC (`google.cloud.kms.v1.KeyManagementService`, loaded from the protos shipped in
 * @google-cloud/kms, insecure credentials) on loopback. It really encrypts (AES-256-GCM under a per-key secret, the
 * key name as AAD), counts wraps and unwraps per key, and records the Authorization header of REST calls.
 */
import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { IncomingMessage, ServerResponse } from "node:http";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { bump, fakeOpen, fakeSeal, sendJson, startHttp, type FailMode, type LoopbackServer } from "./_common.js";

const require = createRequire(import.meta.url);
const KMS_PROTOS = join(dirname(require.resolve("@google-cloud/kms/package.json")), "build", "protos");
const GAX_PROTOS = join(dirname(require.resolve("google-gax")), "..", "protos"); // build/src/index.js → build/protos

type Transport = "rest" | "grpc";
type Outcome = { ok: true; body: Record<string, Buffer | string> } | { ok: false; grpcCode: number; http: number; status: string; message: string } | null;

export class FakeGcpKms {
  readonly rest: LoopbackServer;
  readonly grpcServer: grpc.Server;
  readonly grpcPort: number;
  mode: FailMode = "ok";
  readonly wraps = new Map<string, number>();
  readonly unwraps = new Map<string, number>();
  /** Every request, with its transport and its authorization header ("" when none). */
  readonly requests: { transport: Transport; method: string; name: string; authorization: string }[] = [];
  private readonly secrets = new Map<string, Buffer>();

  private constructor(rest: LoopbackServer, grpcServer: grpc.Server, grpcPort: number) {
    this.rest = rest;
    this.grpcServer = grpcServer;
    this.grpcPort = grpcPort;
  }

  /** host:port of the REST endpoint, the form SOPS_GCP_KMS_ENDPOINT takes. */
  get restEndpoint(): string {
    return `127.0.0.1:${this.rest.port}`;
  }
  get grpcEndpoint(): string {
    return `127.0.0.1:${this.grpcPort}`;
  }

  static async start(): Promise<FakeGcpKms> {
    let self: FakeGcpKms | undefined;
    const rest = await startHttp((req, res, body) => self?.handleRest(req, res, body));
    const def = protoLoader.loadSync("google/cloud/kms/v1/service.proto", {
      includeDirs: [KMS_PROTOS, GAX_PROTOS],
      keepCase: false,
      longs: String,
      enums: String,
      defaults: false,
    });
    const pkg = grpc.loadPackageDefinition(def) as unknown as {
      google: { cloud: { kms: { v1: { KeyManagementService: { service: grpc.ServiceDefinition } } } } };
    };
    const server = new grpc.Server();
    const unary = (method: "encrypt" | "decrypt") => (call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>, cb: grpc.sendUnaryData<unknown>) => {
      const auth = call.metadata.get("authorization")[0];
      const out = self?.operate("grpc", method, call.request, typeof auth === "string" ? auth : "");
      if (!out) return; // hang
      if (out.ok) cb(null, out.body);
      else cb({ code: out.grpcCode, details: out.message });
    };
    server.addService(pkg.google.cloud.kms.v1.KeyManagementService.service, { Encrypt: unary("encrypt"), Decrypt: unary("decrypt") });
    const grpcPort = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))),
    );
    self = new FakeGcpKms(rest, server, grpcPort);
    return self;
  }

  addKey(name: string): void {
    this.secrets.set(name, randomBytes(32));
  }

  async close(): Promise<void> {
    this.grpcServer.forceShutdown();
    await this.rest.close();
  }

  private handleRest(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    const m = /^\/v1\/(.+):(encrypt|decrypt)(?:\?.*)?$/.exec(req.url ?? "");
    if (req.method !== "POST" || !m) return sendJson(res, 404, { error: { code: 404, message: "no such route", status: "NOT_FOUND" } });
    const input = JSON.parse(body.toString("utf8") || "{}") as Record<string, unknown>;
    input.name = decodeURIComponent(m[1] as string);
    const out = this.operate("rest", m[2] as "encrypt" | "decrypt", input, req.headers.authorization ?? "");
    if (!out) return; // hang
    if (!out.ok) return sendJson(res, out.http, { error: { code: out.http, message: out.message, status: out.status } });
    const json: Record<string, string> = {};
    for (const [k, v] of Object.entries(out.body)) json[k] = Buffer.isBuffer(v) ? v.toString("base64") : v;
    sendJson(res, 200, json);
  }

  /** Shared by both transports; null means "never answer". */
  private operate(transport: Transport, method: "encrypt" | "decrypt", input: Record<string, unknown>, authorization: string): Outcome {
    const name = String(input.name ?? "");
    this.requests.push({ transport, method, name, authorization });
    if (this.mode === "hang") return null;
    if (this.mode === "deny") {
      return { ok: false, grpcCode: grpc.status.PERMISSION_DENIED, http: 403, status: "PERMISSION_DENIED", message: `Permission 'cloudkms.cryptoKeyVersions.useTo${method === "encrypt" ? "Encrypt" : "Decrypt"}' denied on resource '${name}' (or it may not exist).` };
    }
    if (this.mode === "error500") return { ok: false, grpcCode: grpc.status.INTERNAL, http: 500, status: "INTERNAL", message: "Internal error encountered." };
    const secret = this.secrets.get(name);
    if (!secret) return { ok: false, grpcCode: grpc.status.NOT_FOUND, http: 404, status: "NOT_FOUND", message: `CryptoKey ${name} not found.` };
    const aad = Buffer.from(name, "utf8");
    if (method === "encrypt") {
      const ct = fakeSeal(secret, toBytes(input.plaintext), aad);
      bump(this.wraps, name);
      return { ok: true, body: { name: `${name}/cryptoKeyVersions/1`, ciphertext: ct } };
    }
    const pt = fakeOpen(secret, toBytes(input.ciphertext), aad);
    if (!pt) return { ok: false, grpcCode: grpc.status.INVALID_ARGUMENT, http: 400, status: "INVALID_ARGUMENT", message: "Decryption failed: the ciphertext is invalid." };
    bump(this.unwraps, name);
    return { ok: true, body: { plaintext: pt } };
  }
}

function toBytes(v: unknown): Buffer {
  if (Buffer.isBuffer(v)) return v;
  if (v instanceof Uint8Array) return Buffer.from(v);
  return Buffer.from(typeof v === "string" ? v : "", "base64");
}
