/**
 * Owns: a protocol-level fake of Azure Key Vault keys on loopback: the bearer challenge (401 with
 * `WWW-Authenticate: Bearer authorization=…, resource=…` to any request without a token), `GET /keys/NAME[/VERSION]`
 * (JWK with kid, n, e) and `POST /keys/NAME/VERSION/wrapkey|unwrapkey` (`{alg, value}` base64url) doing real
 * RSA-OAEP-256 with RSA key pairs it holds. It counts wraps and unwraps per key and records the bearer tokens.
 */
import { constants, createPrivateKey, createPublicKey, privateDecrypt, publicEncrypt, randomBytes, type KeyObject } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { bump, sendJson, startHttp, type FailMode, type LoopbackServer } from "./_common.js";
import { rsaPem } from "../helpers/pem-keys.js";

const CHALLENGE = 'Bearer authorization="https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000", resource="https://vault.azure.net"';

interface Version {
  readonly version: string;
  readonly publicKey: KeyObject;
  readonly privateKey: KeyObject;
}

export class FakeAzureKeyVault {
  readonly http: LoopbackServer;
  readonly url: string;
  mode: FailMode = "ok";
  /** Successful operations per key name. */
  readonly wraps = new Map<string, number>();
  readonly unwraps = new Map<string, number>();
  /** Authenticated requests, as "METHOD /path" (no query). */
  readonly requests: string[] = [];
  /** Requests answered with the 401 challenge. */
  challenges = 0;
  readonly tokens: string[] = [];
  private readonly keys = new Map<string, Version[]>();

  private constructor(http: LoopbackServer) {
    this.http = http;
    this.url = http.url;
  }

  static async start(): Promise<FakeAzureKeyVault> {
    let self: FakeAzureKeyVault | undefined;
    const http = await startHttp((req, res, body) => self?.handle(req, res, body));
    self = new FakeAzureKeyVault(http);
    return self;
  }

  /** Adds a new version of key `name` (it becomes the latest) and returns the version id. */
  addKeyVersion(name: string): string {
    const pem = rsaPem("pkcs8");
    const publicKey = createPublicKey(pem.publicPem);
    const privateKey = createPrivateKey(pem.privatePem);
    const version = randomBytes(16).toString("hex");
    this.keys.set(name, [...(this.keys.get(name) ?? []), { version, publicKey, privateKey }]);
    return version;
  }

  close(): Promise<void> {
    return this.http.close();
  }

  private handle(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    const auth = req.headers.authorization ?? "";
    if (!auth.startsWith("Bearer ")) {
      this.challenges++;
      return sendJson(res, 401, { error: { code: "Unauthorized", message: "AKV10000: Request is missing a Bearer or PoP token." } }, { "www-authenticate": CHALLENGE });
    }
    this.tokens.push(auth.slice(7));
    const path = (req.url ?? "").split("?")[0] ?? "";
    this.requests.push(`${req.method} ${path}`);
    if (this.mode === "hang") return;
    if (this.mode === "deny") return vaultError(res, 403, "Forbidden", "The user, group or application does not have keys permission on key vault.");
    if (this.mode === "error500") return vaultError(res, 500, "InternalServerError", "An unexpected error occurred.");

    const m = /^\/keys\/([^/]+)(?:\/([^/]+))?(?:\/(wrapkey|unwrapkey))?\/?$/.exec(path);
    if (!m) return vaultError(res, 404, "NotFound", "no such route");
    const name = decodeURIComponent(m[1] as string);
    const versions = this.keys.get(name) ?? [];
    const v = m[2] ? versions.find((x) => x.version === m[2]) : versions[versions.length - 1];
    if (!v) return vaultError(res, 404, "KeyNotFound", `A key with (name/id) ${name} was not found in this key vault.`);
    const kid = `${this.url}/keys/${name}/${v.version}`;

    if (req.method === "GET" && !m[3]) {
      const jwk = v.publicKey.export({ format: "jwk" });
      return sendJson(res, 200, {
        key: { kid, kty: "RSA", key_ops: ["encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey"], n: jwk.n, e: jwk.e },
        attributes: { enabled: true, created: 1_700_000_000, updated: 1_700_000_000, recoveryLevel: "Recoverable+Purgeable", recoverableDays: 90 },
      });
    }
    if (req.method !== "POST" || !m[3]) return vaultError(res, 405, "BadParameter", "method not allowed");
    const input = JSON.parse(body.toString("utf8") || "{}") as { alg?: string; value?: string };
    if (input.alg !== "RSA-OAEP-256") return vaultError(res, 400, "BadParameter", `unsupported algorithm ${String(input.alg)}`);
    const value = Buffer.from(input.value ?? "", "base64url");
    const oaep = { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" };
    if (m[3] === "wrapkey") {
      const wrapped = publicEncrypt({ key: v.publicKey, ...oaep }, value);
      bump(this.wraps, name);
      return sendJson(res, 200, { kid, value: wrapped.toString("base64url") });
    }
    let plain: Buffer;
    try {
      plain = privateDecrypt({ key: v.privateKey, ...oaep }, value);
    } catch {
      return vaultError(res, 400, "BadParameter", "Error while decrypting the wrapped key.");
    }
    bump(this.unwraps, name);
    return sendJson(res, 200, { kid, value: plain.toString("base64url") });
  }
}

function vaultError(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { error: { code, message } });
}
