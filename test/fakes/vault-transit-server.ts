/**
 * Owns: a protocol-level fake of HashiCorp Vault's transit engine on loopback: `POST /v1/<mount>/encrypt/<key>`
 * (`{"plaintext": base64}` → `{"data":{"ciphertext":"vault:v1:…"}}`) and `POST /v1/<mount>/decrypt/<key>`, the token
 * checked from `X-Vault-Token`, errors as Vault writes them (`{"errors":[…]}`), and a mode that never answers.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { bump, fakeOpen, fakeSeal, sendJson, startHttp, type FailMode, type LoopbackServer } from "./_common.js";

export class FakeVaultTransit {
  readonly http: LoopbackServer;
  readonly url: string;
  mode: FailMode = "ok";
  /** The only token the fake accepts. */
  readonly token: string;
  readonly encrypts = new Map<string, number>();
  readonly decrypts = new Map<string, number>();
  /** Every token presented, accepted or not. */
  readonly tokensSeen: string[] = [];
  private readonly secret = randomBytes(32);

  private constructor(http: LoopbackServer, token: string) {
    this.http = http;
    this.url = http.url;
    this.token = token;
  }

  static async start(token = `hvs.${randomBytes(12).toString("hex")}`): Promise<FakeVaultTransit> {
    let self: FakeVaultTransit | undefined;
    const http = await startHttp((req, res, body) => self?.handle(req, res, body));
    self = new FakeVaultTransit(http, token);
    return self;
  }

  /** A transit key URI on this server, as `.sops.yaml` names it. */
  uri(key: string, mount = "transit"): string {
    return `${this.url}/v1/${mount}/keys/${key}`;
  }

  close(): Promise<void> {
    return this.http.close();
  }

  private handle(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    if (this.mode === "hang") return;
    const token = req.headers["x-vault-token"];
    if (typeof token === "string") this.tokensSeen.push(token);
    if (this.mode === "error500") return sendJson(res, 500, { errors: ["internal error"] });
    if (this.mode === "deny" || token !== this.token) return sendJson(res, 403, { errors: ["permission denied"] });
    const m = /^\/v1\/(.+)\/(encrypt|decrypt)\/([^/]+)$/.exec(req.url ?? "");
    if (req.method !== "POST" || !m) return sendJson(res, 404, { errors: [] });
    const [, mount, op, key] = m as unknown as [string, string, string, string];
    const aad = Buffer.from(`${mount}/${key}`);
    const input = JSON.parse(body.toString("utf8")) as { plaintext?: string; ciphertext?: string };
    if (op === "encrypt") {
      if (typeof input.plaintext !== "string") return sendJson(res, 400, { errors: ["missing plaintext to encrypt"] });
      bump(this.encrypts, key);
      const sealed = fakeSeal(this.secret, Buffer.from(input.plaintext, "base64"), aad);
      return sendJson(res, 200, { data: { ciphertext: `vault:v1:${sealed.toString("base64")}`, key_version: 1 } });
    }
    const c = /^vault:v1:(.+)$/.exec(input.ciphertext ?? "");
    const opened = c ? fakeOpen(this.secret, Buffer.from(c[1]!, "base64"), aad) : null;
    if (!opened) return sendJson(res, 400, { errors: ["cipher: message authentication failed"] });
    bump(this.decrypts, key);
    return sendJson(res, 200, { data: { plaintext: opened.toString("base64") } });
  }
}
