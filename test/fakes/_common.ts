/** Owns: what the protocol fakes share — a loopback HTTP server on a random port, body reading, fail modes and the fakes' own AES-256-GCM sealing. */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** How a fake answers: normally, refusing access, with a server error, or never. */
export type FailMode = "ok" | "deny" | "error500" | "hang";

export interface LoopbackServer {
  readonly server: Server;
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Starts an HTTP server on 127.0.0.1 with a random port. `close` also drops hanging and keep-alive connections. */
export async function startHttp(handler: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void): Promise<LoopbackServer> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      try {
        handler(req, res, Buffer.concat(chunks));
      } catch (e) {
        res.writeHead(500, { "content-type": "text/plain" });
        res.end(`fake crashed: ${(e as Error).message}`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** AES-256-GCM under a secret only the fake knows: iv(12) ‖ ciphertext ‖ tag(16). */
export function fakeSeal(secret: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const iv = randomBytes(12);
  const c = createCipheriv("aes-256-gcm", secret, iv);
  c.setAAD(aad);
  const body = Buffer.concat([c.update(plaintext), c.final()]);
  return Buffer.concat([iv, body, c.getAuthTag()]);
}

/** Opens what `fakeSeal` made; null when the secret, the AAD or the bytes are wrong. */
export function fakeOpen(secret: Buffer, sealed: Buffer, aad: Buffer): Buffer | null {
  if (sealed.length < 28) return null;
  try {
    const d = createDecipheriv("aes-256-gcm", secret, sealed.subarray(0, 12));
    d.setAAD(aad);
    d.setAuthTag(sealed.subarray(sealed.length - 16));
    return Buffer.concat([d.update(sealed.subarray(12, sealed.length - 16)), d.final()]);
  } catch {
    return null;
  }
}

export function bump(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}
