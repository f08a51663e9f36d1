import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { isSealError } from "../../src/errors.js";
import { AwsKmsKey, parseEncryptionContext, parseKmsArnList } from "../../src/keys/aws-kms.js";
import type { KeyContext, UnwrapResult } from "../../src/keys/types.js";
import { FakeAwsServer } from "../fakes/aws-kms-server.js";

const ARN = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const ROLE = "arn:aws:iam::111122223333:role/deployer";
const BASE_KEY_ID = "AKIAFAKEBASE0000";

let fake: FakeAwsServer;

beforeAll(async () => {
  fake = await FakeAwsServer.start();
  fake.addKey(ARN);
});
afterAll(() => fake.close());
afterEach(() => {
  fake.kmsMode = "ok";
  fake.stsMode = "ok";
});

function context(env: Record<string, string> = {}, over: Partial<KeyContext> = {}): KeyContext {
  return {
    env: {
      AWS_ENDPOINT_URL_KMS: fake.url,
      AWS_ACCESS_KEY_ID: BASE_KEY_ID,
      AWS_SECRET_ACCESS_KEY: "fake-secret",
      ...env,
    },
    homeDir: tmpdir(),
    timeoutMs: 2_000,
    attempts: 1,
    cache: new Map(),
    ...over,
  };
}

function failed(r: UnwrapResult): { reason: string; tried: readonly string[] } {
  if (r.ok) throw new Error("expected the unwrap to fail");
  return r;
}

describe("AwsKmsKey against the fake KMS", () => {
  it("wraps and unwraps a 32-byte key with exactly one Encrypt and one Decrypt", async () => {
    const arn = "arn:aws:kms:eu-west-1:111122223333:key/roundtrip";
    fake.addKey(arn);
    const key = AwsKmsKey.fromArnSpec(arn);
    const dataKey = randomBytes(32);
    const ctx = context();
    await key.encrypt(dataKey, ctx);
    expect(Buffer.from(key.enc, "base64").length).toBeGreaterThan(32);
    expect(Buffer.from(key.enc, "base64").includes(dataKey)).toBe(false);

    const reopened = AwsKmsKey.fromMetadata(key.toMetadata());
    const r = await reopened.decrypt(context());
    expect(r.ok).toBe(true);
    if (r.ok) expect(Buffer.from(r.dataKey).equals(dataKey)).toBe(true);
    expect(fake.wraps.get(arn)).toBe(1);
    expect(fake.unwraps.get(arn)).toBe(1);
  });

  it("binds the encryption context: a different context fails with InvalidCiphertextException, not retried", async () => {
    const key = AwsKmsKey.fromArnSpec(ARN, { app: "web", env: "prod" });
    await key.encrypt(randomBytes(32), context());
    const entry = key.toMetadata();
    expect(entry.context).toEqual({ app: "web", env: "prod" });

    const before = fake.kmsRequests;
    const wrong = AwsKmsKey.fromMetadata({ ...entry, context: { app: "web", env: "staging" } });
    const r = failed(await wrong.decrypt(context({}, { attempts: 3 })));
    expect(r.reason).toMatch(/^InvalidCiphertextException/);
    expect(r.reason).toContain(fake.url);
    expect(fake.kmsRequests - before).toBe(1);

    const none = AwsKmsKey.fromMetadata({ ...entry, context: undefined });
    expect(failed(await none.decrypt(context())).reason).toMatch(/InvalidCiphertextException/);
    expect((await AwsKmsKey.fromMetadata(entry).decrypt(context())).ok).toBe(true);
  });

  it("reports access denied without retrying and without the ciphertext", async () => {
    const key = AwsKmsKey.fromArnSpec(ARN);
    await key.encrypt(randomBytes(32), context());
    fake.kmsMode = "deny";
    const before = fake.kmsRequests;
    const r = failed(await key.decrypt(context({}, { attempts: 3 })));
    expect(r.reason).toMatch(/^AccessDeniedException: User is not authorized/);
    expect(r.reason).not.toContain(key.enc);
    expect(r.tried).toContain(fake.url);
    expect(r.tried).toContain("AWS_ACCESS_KEY_ID");
    expect(fake.kmsRequests - before).toBe(1);
  });

  it("retries a 500 up to ctx.attempts times, then reports it", async () => {
    const key = AwsKmsKey.fromArnSpec(ARN);
    await key.encrypt(randomBytes(32), context());
    fake.kmsMode = "error500";
    const before = fake.kmsRequests;
    const r = failed(await key.decrypt(context({}, { attempts: 3 })));
    expect(r.reason).toMatch(/^KMSInternalException: internal failure/);
    expect(fake.kmsRequests - before).toBe(3);
  });

  it("gives up on a hanging server after the timeout", async () => {
    const key = AwsKmsKey.fromArnSpec(ARN);
    await key.encrypt(randomBytes(32), context());
    fake.kmsMode = "hang";
    const started = Date.now();
    const r = failed(await key.decrypt(context({}, { timeoutMs: 300, attempts: 2 })));
    const elapsed = Date.now() - started;
    expect(r.reason).toMatch(/^timed out after 300 ms/);
    expect(elapsed).toBeGreaterThanOrEqual(550);
  });

  it("throws KEY_FAILED when wrapping fails", async () => {
    fake.kmsMode = "deny";
    const err = await AwsKmsKey.fromArnSpec(ARN).encrypt(randomBytes(32), context()).catch((e: unknown) => e);
    expect(isSealError(err, "KEY_FAILED")).toBe(true);
    expect((err as Error).message).toMatch(/AccessDeniedException/);
  });

  it("fails cleanly for an ARN without a region", async () => {
    const r = failed(await new AwsKmsKey({ arn: "not-an-arn", enc: "AAAA" }).decrypt(context()));
    expect(r.reason).toMatch(/^refused: "not-an-arn" is not an AWS KMS key ARN/);
  });
});

describe("AwsKmsKey role assumption through the fake STS", () => {
  it("assumes the role once per command and signs KMS calls with the temporary credentials", async () => {
    const key = AwsKmsKey.fromArnSpec(`${ARN}+${ROLE}`);
    expect(key.role).toBe(ROLE);
    const stsBefore = fake.stsCalls.length;
    const callersBefore = fake.kmsCallers.length;
    // AWS_ENDPOINT_URL alone must route both STS and KMS
    const ctx = context({ AWS_ENDPOINT_URL: fake.url, AWS_ENDPOINT_URL_KMS: "" });
    const dataKey = randomBytes(32);
    await key.encrypt(dataKey, ctx);
    const r = await key.decrypt(ctx);
    expect(r.ok && Buffer.from(r.dataKey).equals(dataKey)).toBe(true);

    const calls = fake.stsCalls.slice(stsBefore);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ roleArn: ROLE, sessionName: "sealfile", accessKeyId: BASE_KEY_ID });
    const callers = fake.kmsCallers.slice(callersBefore);
    expect(callers).toEqual([calls[0]?.issuedAccessKeyId, calls[0]?.issuedAccessKeyId]);
    expect(callers[0]).toMatch(/^ASIA/);
  });

  it("reports a refused AssumeRole as the reason, and never calls KMS", async () => {
    const key = AwsKmsKey.fromArnSpec(`${ARN}+${ROLE}`);
    await key.encrypt(randomBytes(32), context({ AWS_ENDPOINT_URL_STS: fake.url }));
    fake.stsMode = "deny";
    const before = fake.kmsRequests;
    const r = failed(await key.decrypt(context({ AWS_ENDPOINT_URL_STS: fake.url })));
    expect(r.reason).toMatch(/^STS AssumeRole arn:aws:iam::111122223333:role\/deployer: AccessDenied/);
    expect(r.tried).toContain(`role ${ROLE}`);
    expect(fake.kmsRequests).toBe(before);
  });
});

describe("AwsKmsKey aws_profile", () => {
  it("takes credentials from the named profile of the shared files, over static keys in the environment", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sealfile-aws-"));
    const saved = { cfg: process.env.AWS_CONFIG_FILE, creds: process.env.AWS_SHARED_CREDENTIALS_FILE };
    try {
      writeFileSync(join(dir, "credentials"), "[default]\naws_access_key_id = AKIADEFAULT000000\naws_secret_access_key = d\n\n[ops]\naws_access_key_id = AKIAPROFILEOPS000\naws_secret_access_key = s\n");
      writeFileSync(join(dir, "config"), "[default]\nregion = us-east-1\n\n[profile ops]\nregion = eu-west-1\n");
      process.env.AWS_CONFIG_FILE = join(dir, "config");
      process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, "credentials");

      const key = AwsKmsKey.fromArnSpec(ARN, undefined, "ops");
      expect(key.toMetadata().aws_profile).toBe("ops");
      const before = fake.kmsCallers.length;
      await key.encrypt(randomBytes(32), context());
      expect(fake.kmsCallers.slice(before)).toEqual(["AKIAPROFILEOPS000"]);
    } finally {
      restore("AWS_CONFIG_FILE", saved.cfg);
      restore("AWS_SHARED_CREDENTIALS_FILE", saved.creds);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("AwsKmsKey metadata", () => {
  it("writes sops's field order and omits empty role and context, but always writes aws_profile", () => {
    const plain = new AwsKmsKey({ arn: ARN, createdAt: "2026-01-02T03:04:05Z", enc: "Zm9v" });
    expect(Object.keys(plain.toMetadata())).toEqual(["arn", "created_at", "enc", "aws_profile"]);
    expect(plain.toMetadata().aws_profile).toBe("");

    const full = new AwsKmsKey({ arn: ARN, role: ROLE, context: { z: "1", a: "2" }, awsProfile: "p", createdAt: "2026-01-02T03:04:05Z", enc: "Zm9v" });
    const entry = full.toMetadata();
    expect(Object.keys(entry)).toEqual(["arn", "role", "context", "created_at", "enc", "aws_profile"]);
    expect(Object.keys(entry.context as object)).toEqual(["a", "z"]);
    expect(AwsKmsKey.fromMetadata(entry).toMetadata()).toEqual(entry);
  });

  it("stamps created_at as RFC 3339 UTC with whole seconds", () => {
    expect(AwsKmsKey.fromArnSpec(ARN).createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it("rejects an entry without arn", () => {
    expect(() => AwsKmsKey.fromMetadata({ enc: "x" })).toThrow(/missing "arn"/);
  });

  it("parses the encryption-context syntax and the ARN list", () => {
    expect(parseEncryptionContext("a:1,b:two")).toEqual({ a: "1", b: "two" });
    expect(parseEncryptionContext("")).toEqual({});
    for (const bad of ["a", "a:1:2", "a:1,", ":v"]) {
      let err: unknown;
      try {
        parseEncryptionContext(bad);
      } catch (e) {
        err = e;
      }
      expect(isSealError(err, "BAD_ENCRYPTION_CONTEXT")).toBe(true);
    }
    const keys = parseKmsArnList(` ${ARN} , ${ARN}+${ROLE},`, { a: "1" }, "p");
    expect(keys.map((k) => [k.arn, k.role, k.awsProfile])).toEqual([
      [ARN, "", "p"],
      [ARN, ROLE, "p"],
    ]);
    expect(keys[1]?.context).toEqual({ a: "1" });
  });
});

describe("aws-kms module", () => {
  it("does not import the AWS SDK at module top level", () => {
    const src = readFileSync(new URL("../../src/keys/aws-kms.ts", import.meta.url), "utf8");
    expect(src).not.toMatch(/^import (?!type )[^;]*from "@aws-sdk\//m);
    expect(src).toMatch(/await loadSdk\("@aws-sdk\/client-kms"\)/);
  });
});

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
