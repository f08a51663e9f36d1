import { describe, expect, it } from "vitest";
import { callRemote, cleanMessage, describeRemoteError, isLoopbackHost, withTimeout } from "../../src/keys/_remote-call.js";

const fast = { timeoutMs: 200, backoffMs: () => 1 };

describe("withTimeout", () => {
  it("settles when the callee ignores the signal, and aborts the signal", async () => {
    let seen: AbortSignal | undefined;
    const started = Date.now();
    const err = await withTimeout((signal) => {
      seen = signal;
      return new Promise<never>(() => undefined);
    }, 100).catch((e: unknown) => e);
    expect((err as Error).message).toBe("timed out after 100 ms");
    expect(seen?.aborted).toBe(true);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("reports a timeout even when the callee rejects at once on the abort (a cancelled gRPC call)", async () => {
    const err = await withTimeout((signal) => {
      let fail: (e: Error) => void = () => undefined;
      signal.addEventListener("abort", () => fail(Object.assign(new Error("Cancelled on client"), { code: 1 })));
      const p = new Promise<never>((_, reject) => (fail = reject));
      // Settled with CANCELLED inside abort(), before the timer's own rejection.
      return p;
    }, 50).catch((e: unknown) => e);
    expect((err as Error).message).toBe("timed out after 50 ms");
    expect(describeRemoteError(err).retryable).toBe(true);
  });

  it("passes the value through", async () => {
    expect(await withTimeout(() => Promise.resolve(42), 100)).toBe(42);
  });
});

describe("callRemote", () => {
  it("retries transient failures up to the attempt limit", async () => {
    let calls = 0;
    const out = await callRemote(() => {
      calls++;
      return Promise.reject(Object.assign(new Error("boom"), { name: "KMSInternalException", $metadata: { httpStatusCode: 500 } }));
    }, { ...fast, attempts: 3 });
    expect(calls).toBe(3);
    expect(out.ok ? "" : out.reason).toBe("KMSInternalException: boom [3 attempts]");
  });

  it("succeeds on a later attempt", async () => {
    let calls = 0;
    const out = await callRemote(() => (++calls < 2 ? Promise.reject(Object.assign(new Error("x"), { code: "ECONNRESET" })) : Promise.resolve("ok")), {
      ...fast,
      attempts: 3,
    });
    expect(out).toEqual({ ok: true, value: "ok" });
    expect(calls).toBe(2);
  });

  it("does not retry access denied, bad ciphertext or 4xx", async () => {
    for (const e of [
      Object.assign(new Error("no"), { name: "AccessDeniedException", $metadata: { httpStatusCode: 400 } }),
      Object.assign(new Error(""), { name: "InvalidCiphertextException", $metadata: { httpStatusCode: 400 } }),
      Object.assign(new Error("7 PERMISSION_DENIED: denied"), { code: 7, details: "denied" }),
      Object.assign(new Error("forbidden"), { name: "RestError", code: "Forbidden", statusCode: 403 }),
    ]) {
      let calls = 0;
      const out = await callRemote(() => {
        calls++;
        return Promise.reject(e);
      }, { ...fast, attempts: 3 });
      expect(out.ok).toBe(false);
      expect(calls).toBe(1);
    }
  });
});

describe("describeRemoteError", () => {
  it("names gRPC codes, Azure and Google REST errors", () => {
    expect(describeRemoteError(Object.assign(new Error("14 UNAVAILABLE: down"), { code: 14, details: "down" }))).toEqual({ code: "UNAVAILABLE", message: "down", retryable: true });
    expect(describeRemoteError(Object.assign(new Error("nope"), { name: "RestError", code: "Forbidden", statusCode: 403 }))).toEqual({ code: "Forbidden (HTTP 403)", message: "nope", retryable: false });
    const rest = Object.assign(new Error(JSON.stringify({ error: { code: 503, message: "later", status: "UNAVAILABLE" } })), { status: 503 });
    expect(describeRemoteError(rest)).toEqual({ code: "UNAVAILABLE", message: "later", retryable: true });
  });
});

describe("cleanMessage", () => {
  it("keeps the first line, drops long blobs and scrubbed strings, keeps ARNs and resource names", () => {
    const blob = Buffer.alloc(48, 7).toString("base64");
    expect(cleanMessage(`bad blob ${blob} here\nsecond line`)).toBe("bad blob … here");
    expect(cleanMessage("value abcdefgh leaked", ["abcdefgh"])).toBe("value … leaked");
    const arn = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    expect(cleanMessage(`not authorized on ${arn}`)).toBe(`not authorized on ${arn}`);
    expect(cleanMessage("x".repeat(10) + " " + "y ".repeat(200)).length).toBeLessThanOrEqual(241);
  });
});

describe("isLoopbackHost", () => {
  it("accepts only loopback names and addresses", () => {
    for (const h of ["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]", "LOCALHOST"]) expect(isLoopbackHost(h)).toBe(true);
    for (const h of ["10.0.0.1", "kms.example.com", "localhost.example.com", "128.0.0.1", "0.0.0.0"]) expect(isLoopbackHost(h)).toBe(false);
  });
});
