import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { isSealError } from "../../src/errors.js";
import { GcpKmsKey } from "../../src/keys/gcp-kms.js";
import type { KeyContext, UnwrapResult } from "../../src/keys/types.js";
import { FakeGcpKms } from "../fakes/gcp-kms-server.js";

const KEY = "projects/demo/locations/global/keyRings/ring/cryptoKeys/sealfile";
const TOKEN = "ya29.fake-access-token";

let fake: FakeGcpKms;
let savedDetection: string | undefined;

beforeAll(async () => {
  // google-auth-library reads this from the process: never probe the cloud metadata server in tests
  savedDetection = process.env.METADATA_SERVER_DETECTION;
  process.env.METADATA_SERVER_DETECTION = "none";
  fake = await FakeGcpKms.start();
  fake.addKey(KEY);
});
afterAll(async () => {
  await fake.close();
  if (savedDetection === undefined) delete process.env.METADATA_SERVER_DETECTION;
  else process.env.METADATA_SERVER_DETECTION = savedDetection;
});
afterEach(() => {
  fake.mode = "ok";
});

function failed(r: UnwrapResult): { reason: string; tried: readonly string[] } {
  if (r.ok) throw new Error("expected the unwrap to fail");
  return r;
}

for (const transport of ["grpc", "rest"] as const) {
  describe(`GcpKmsKey over ${transport}`, () => {
    const context = (over: Partial<KeyContext> = {}, env: Record<string, string> = {}): KeyContext => ({
      env: {
        SOPS_GCP_KMS_ENDPOINT: transport === "grpc" ? fake.grpcEndpoint : fake.restEndpoint,
        ...(transport === "rest" ? { SOPS_GCP_KMS_CLIENT_TYPE: "rest" } : {}),
        GOOGLE_OAUTH_ACCESS_TOKEN: TOKEN,
        ...env,
      },
      homeDir: tmpdir(),
      timeoutMs: 3_000,
      attempts: 1,
      cache: new Map(),
      ...over,
    });
    const sealed = async (): Promise<GcpKmsKey> => {
      const key = GcpKmsKey.fromResourceId(KEY);
      await key.encrypt(randomBytes(32), context());
      return key;
    };

    it("wraps and unwraps a 32-byte key with exactly one call each", async () => {
      const name = `${KEY}-${transport}`;
      fake.addKey(name);
      const before = fake.requests.length;
      const key = GcpKmsKey.fromResourceId(name);
      const dataKey = randomBytes(32);
      await key.encrypt(dataKey, context());
      expect(Buffer.from(key.enc, "base64").length).toBe(32 + 28);
      const r = await GcpKmsKey.fromMetadata(key.toMetadata()).decrypt(context());
      expect(r.ok).toBe(true);
      if (r.ok) expect(Buffer.from(r.dataKey).equals(dataKey)).toBe(true);
      expect(fake.wraps.get(name)).toBe(1);
      expect(fake.unwraps.get(name)).toBe(1);
      const seen = fake.requests.slice(before);
      expect(seen.map((q) => [q.transport, q.method, q.name])).toEqual([
        [transport, "encrypt", name],
        [transport, "decrypt", name],
      ]);
      // REST carries the access token; insecure gRPC channels cannot carry call credentials
      if (transport === "rest") expect(seen.every((q) => q.authorization === `Bearer ${TOKEN}`)).toBe(true);
    });

    it("reports PERMISSION_DENIED without retrying", async () => {
      const key = await sealed();
      fake.mode = "deny";
      const before = fake.requests.length;
      const r = failed(await key.decrypt(context({ attempts: 3 })));
      expect(r.reason).toMatch(/^PERMISSION_DENIED: .*cloudkms\.cryptoKeyVersions\.useToDecrypt/);
      expect(r.reason).toContain(transport === "grpc" ? fake.grpcEndpoint : fake.restEndpoint);
      expect(r.tried).toContain("GOOGLE_OAUTH_ACCESS_TOKEN");
      expect(fake.requests.length - before).toBe(1);
    });

    it("retries INTERNAL up to ctx.attempts times", async () => {
      const key = await sealed();
      fake.mode = "error500";
      const before = fake.requests.length;
      const r = failed(await key.decrypt(context({ attempts: 2 })));
      expect(r.reason).toMatch(/^INTERNAL: /);
      expect(fake.requests.length - before).toBe(2);
    });

    it("gives up on a hanging server after the timeout", async () => {
      const key = await sealed();
      fake.mode = "hang";
      const r = failed(await key.decrypt(context({ timeoutMs: 300, attempts: 1 })));
      expect(r.reason).toMatch(/^timed out after 300 ms/);
    });

    it("reports a corrupt ciphertext as INVALID_ARGUMENT", async () => {
      const key = await sealed();
      const bytes = Buffer.from(key.enc, "base64");
      bytes[20] = (bytes[20] ?? 0) ^ 1;
      const r = failed(await new GcpKmsKey({ resourceId: KEY, enc: bytes.toString("base64") }).decrypt(context({ attempts: 3 })));
      expect(r.reason).toMatch(/^INVALID_ARGUMENT: Decryption failed/);
    });

    it("throws KEY_FAILED when wrapping is refused", async () => {
      fake.mode = "deny";
      const err = await GcpKmsKey.fromResourceId(KEY).encrypt(randomBytes(32), context()).catch((e: unknown) => e);
      expect(isSealError(err, "KEY_FAILED")).toBe(true);
      expect((err as Error).message).toMatch(/PERMISSION_DENIED/);
    });
  });
}

describe("GcpKmsKey transport choice", () => {
  it("keeps TLS for a non-loopback endpoint", async () => {
    const key = new GcpKmsKey({ resourceId: KEY, enc: Buffer.alloc(60).toString("base64") });
    const ctx: KeyContext = {
      env: { SOPS_GCP_KMS_ENDPOINT: "kms.example.invalid:443", GOOGLE_OAUTH_ACCESS_TOKEN: TOKEN },
      homeDir: tmpdir(),
      timeoutMs: 500,
      attempts: 1,
      cache: new Map(),
    };
    const r = failed(await key.decrypt(ctx));
    expect(r.tried[0]).toBe("kms.example.invalid:443 (grpc)");
  });
});

describe("GcpKmsKey metadata", () => {
  it("round-trips in sops's field order", () => {
    const key = new GcpKmsKey({ resourceId: KEY, createdAt: "2026-01-02T03:04:05Z", enc: "Zm9v" });
    const entry = key.toMetadata();
    expect(Object.keys(entry)).toEqual(["resource_id", "created_at", "enc"]);
    expect(GcpKmsKey.fromMetadata(entry).toMetadata()).toEqual(entry);
    expect(GcpKmsKey.fromResourceId(` ${KEY} `).id).toBe(KEY);
    expect(() => GcpKmsKey.fromMetadata({ enc: "x" })).toThrow(/missing "resource_id"/);
  });

  it("does not import the Google SDK at module top level", () => {
    const src = readFileSync(new URL("../../src/keys/gcp-kms.ts", import.meta.url), "utf8");
    expect(src).not.toMatch(/^import (?!type )[^;]*from "(@google-cloud\/|google-)/m);
    expect(src).toMatch(/await loadSdk\("@google-cloud\/kms"\)/);
  });
});
