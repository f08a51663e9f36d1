import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { isSealError } from "../../src/errors.js";
import { AzureKvKey } from "../../src/keys/azure-kv.js";
import type { KeyContext, UnwrapResult } from "../../src/keys/types.js";
import { FakeAzureKeyVault } from "../fakes/azure-kv-server.js";

const TOKEN = "fake-azure-bearer-token";
/** What the keys name; the environment sends its requests to the fake (SEALFILE_TEST_AZURE_KV_ENDPOINT). */
const VAULT = "https://sealfile-test.vault.azure.net";
let fake: FakeAzureKeyVault;
let v1: string;

beforeAll(async () => {
  fake = await FakeAzureKeyVault.start();
  v1 = fake.addKeyVersion("sealfile");
});
afterAll(() => fake.close());
afterEach(() => {
  fake.mode = "ok";
});

function context(over: Partial<KeyContext> = {}): KeyContext {
  return { env: { SEALFILE_AZURE_TOKEN: TOKEN, SEALFILE_TEST_AZURE_KV_ENDPOINT: fake.url }, homeDir: tmpdir(), timeoutMs: 3_000, attempts: 1, cache: new Map(), ...over };
}

function failed(r: UnwrapResult): { reason: string; tried: readonly string[] } {
  if (r.ok) throw new Error("expected the unwrap to fail");
  return r;
}

async function sealed(): Promise<AzureKvKey> {
  const key = AzureKvKey.fromUrl(`${VAULT}/keys/sealfile/${v1}`);
  await key.encrypt(randomBytes(32), context());
  return key;
}

describe("AzureKvKey against the fake Key Vault", () => {
  it("wraps and unwraps a 32-byte key with RSA-OAEP-256, one wrap and one unwrap, after the bearer challenge", async () => {
    const name = "roundtrip";
    const version = fake.addKeyVersion(name);
    const challenges = fake.challenges;
    const tokens = fake.tokens.length;
    const key = AzureKvKey.fromUrl(`${VAULT}/keys/${name}/${version}`);
    const dataKey = randomBytes(32);
    await key.encrypt(dataKey, context());
    expect(key.enc).toMatch(/^[A-Za-z0-9_-]+$/); // base64url, no padding
    expect(Buffer.from(key.enc, "base64url").length).toBe(256); // RSA-2048

    const r = await AzureKvKey.fromMetadata(key.toMetadata()).decrypt(context());
    expect(r.ok).toBe(true);
    if (r.ok) expect(Buffer.from(r.dataKey).equals(dataKey)).toBe(true);
    expect(fake.wraps.get(name)).toBe(1);
    expect(fake.unwraps.get(name)).toBe(1);
    expect(fake.challenges - challenges).toBeGreaterThanOrEqual(2); // once per fresh client (encrypt, decrypt)
    expect(fake.tokens.slice(tokens).every((t) => t === TOKEN)).toBe(true);
  });

  it("resolves and stores the latest version when the URL has none", async () => {
    fake.addKeyVersion("rotating");
    const latest = fake.addKeyVersion("rotating");
    const key = AzureKvKey.fromUrl(`${VAULT}/keys/rotating`);
    expect(key.version).toBe("");
    const dataKey = randomBytes(32);
    await key.encrypt(dataKey, context());
    expect(key.version).toBe(latest);
    expect(key.toMetadata().version).toBe(latest);
    expect(fake.requests).toContain(`POST /keys/rotating/${latest}/wrapkey`);

    fake.addKeyVersion("rotating"); // a newer version must not affect the stored one
    const r = await AzureKvKey.fromMetadata(key.toMetadata()).decrypt(context());
    expect(r.ok && Buffer.from(r.dataKey).equals(dataKey)).toBe(true);
    expect(fake.requests).toContain(`POST /keys/rotating/${latest}/unwrapkey`);
  });

  it("reports Forbidden without retrying and without the ciphertext", async () => {
    const key = await sealed();
    fake.mode = "deny";
    const before = fake.requests.filter((q) => q.endsWith("/unwrapkey")).length;
    const r = failed(await key.decrypt(context({ attempts: 3 })));
    expect(r.reason).toMatch(/^Forbidden \(HTTP 403\): The user, group or application/);
    expect(r.reason).toContain(`${VAULT}/keys/sealfile/${v1}`);
    expect(r.reason).not.toContain(key.enc);
    expect(r.tried).toEqual([`${VAULT}/keys/sealfile/${v1}`, "SEALFILE_AZURE_TOKEN"]);
    expect(fake.requests.filter((q) => q.endsWith("/unwrapkey")).length - before).toBe(1);
  });

  it("retries a 500 up to ctx.attempts times", async () => {
    const key = await sealed();
    fake.mode = "error500";
    const before = fake.requests.length;
    const r = failed(await key.decrypt(context({ attempts: 2 })));
    expect(r.reason).toMatch(/^InternalServerError \(HTTP 500\)/);
    expect(fake.requests.length - before).toBe(2);
  });

  it("gives up on a hanging vault after the timeout", async () => {
    const key = await sealed();
    fake.mode = "hang";
    const started = Date.now();
    const r = failed(await key.decrypt(context({ timeoutMs: 300 })));
    expect(r.reason).toMatch(/^timed out after 300 ms/);
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it("throws KEY_FAILED when wrapping is refused", async () => {
    fake.mode = "deny";
    const err = await AzureKvKey.fromUrl(`${VAULT}/keys/sealfile`).encrypt(randomBytes(32), context()).catch((e: unknown) => e);
    expect(isSealError(err, "KEY_FAILED")).toBe(true);
    expect((err as Error).message).toMatch(/resolving the latest version: Forbidden/);
  });

  it("refuses a vault URL off the Key Vault domains, loopback included, before any request", async () => {
    const before = fake.challenges + fake.requests.length;
    for (const vaultUrl of ["http://vault.example.com", fake.url, "http://sealfile-test.vault.azure.net", `https://sealfile-test.vault.azure.net:${new URL(fake.url).port}`]) {
      const key = new AzureKvKey({ vaultUrl, name: "sealfile", version: v1, enc: "AAAA" });
      expect(failed(await key.decrypt(context())).reason).toMatch(/^refused: ".*" is not an Azure Key Vault endpoint/);
    }
    expect(fake.challenges + fake.requests.length).toBe(before);
  });

  it("takes the test endpoint only as plain HTTP on loopback", async () => {
    const key = new AzureKvKey({ vaultUrl: VAULT, name: "sealfile", version: v1, enc: "AAAA" });
    const r = failed(await key.decrypt(context({ env: { SEALFILE_AZURE_TOKEN: TOKEN, SEALFILE_TEST_AZURE_KV_ENDPOINT: "http://example.com:1" } })));
    expect(r.reason).toMatch(/SEALFILE_TEST_AZURE_KV_ENDPOINT must be http:\/\/127\.0\.0\.1:PORT/);
  });
});

describe("AzureKvKey URLs and metadata", () => {
  it("parses key URLs with and without a version", () => {
    const a = AzureKvKey.fromUrl("https://myvault.vault.azure.net/keys/app-key/0123456789abcdef0123456789abcdef");
    expect([a.vaultUrl, a.name, a.version]).toEqual(["https://myvault.vault.azure.net", "app-key", "0123456789abcdef0123456789abcdef"]);
    expect(a.id).toBe("https://myvault.vault.azure.net/keys/app-key/0123456789abcdef0123456789abcdef");
    const b = AzureKvKey.fromUrl("https://myvault.vault.azure.net/keys/app-key/");
    expect([b.name, b.version]).toEqual(["app-key", ""]);
    for (const bad of ["myvault/keys/x", "https://myvault.vault.azure.net/secrets/x", "https://myvault.vault.azure.net/keys"]) {
      expect(() => AzureKvKey.fromUrl(bad)).toThrow(/not an Azure Key Vault key URL/);
    }
    for (const bad of ["ftp://v/keys/x", "http://myvault.vault.azure.net/keys/x", "https://vault.evil.example/keys/x", "https://u@myvault.vault.azure.net/keys/x", "https://myvault.vault.azure.net:8443/keys/x"]) {
      expect(() => AzureKvKey.fromUrl(bad)).toThrow(/not an Azure Key Vault endpoint/);
    }
    expect(AzureKvKey.fromUrl("https://hsm1.managedhsm.azure.net/keys/k").vaultUrl).toBe("https://hsm1.managedhsm.azure.net");
    expect(AzureKvKey.fromUrl("https://MyVault.vault.azure.cn:443/keys/k").vaultUrl).toBe("https://myvault.vault.azure.cn");
  });

  it("round-trips in sops's field order", () => {
    const key = new AzureKvKey({ vaultUrl: "https://v.vault.azure.net", name: "k", version: "abc", createdAt: "2026-01-02T03:04:05Z", enc: "Zm9v" });
    const entry = key.toMetadata();
    expect(Object.keys(entry)).toEqual(["vault_url", "name", "version", "created_at", "enc"]);
    expect(AzureKvKey.fromMetadata(entry).toMetadata()).toEqual(entry);
    expect(() => AzureKvKey.fromMetadata({ vault_url: "https://v" })).toThrow(/missing "name"/);
  });

  it("does not import the Azure SDK at module top level", () => {
    const src = readFileSync(new URL("../../src/keys/azure-kv.ts", import.meta.url), "utf8");
    expect(src).not.toMatch(/^import (?!type )[^;]*from "@azure\//m);
    expect(src).toMatch(/await loadSdk\("@azure\/keyvault-keys"\)/);
    expect(src).toMatch(/await loadSdk\("@azure\/identity"\)/);
  });
});
