import { PassThrough, Readable } from "node:stream";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createMaskStream, maskBytes, worthMasking } from "../../src/exec/mask.js";

async function throughMask(chunks: Uint8Array[], secrets: string[]): Promise<Buffer> {
  const out: Buffer[] = [];
  const sink = new PassThrough();
  sink.on("data", (d: Buffer) => out.push(d));
  await new Promise<void>((resolve, reject) => {
    Readable.from(chunks.map((c) => Buffer.from(c)), { objectMode: false })
      .pipe(createMaskStream(secrets))
      .on("error", reject)
      .pipe(sink)
      .on("finish", resolve);
  });
  return Buffer.concat(out);
}

const bytesOf = (s: string): Buffer => Buffer.from(s, "utf8");
const oneByteChunks = (b: Buffer): Uint8Array[] => [...b].map((x) => Uint8Array.of(x));

/** An independent reference: a regex alternation tries longest values first at each position. */
function reference(input: Buffer, secrets: string[]): Buffer {
  const values = [...new Set(secrets.filter((s) => [...s].length >= 4))]
    .map((s) => bytesOf(s).toString("latin1"))
    .sort((a, b) => b.length - a.length);
  if (values.length === 0) return input;
  const re = new RegExp(values.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "g");
  return Buffer.from(input.toString("latin1").replace(re, "***"), "latin1");
}

describe("createMaskStream", () => {
  it("masks values split across 1-byte chunks, including multi-byte UTF-8", async () => {
    const secrets = ["hunter2", "pässwörd✓", "abc"];
    const input = bytesOf("user=app pass=hunter2 utf=pässwörd✓ short=abc end hunter");
    const out = await throughMask(oneByteChunks(input), secrets);
    expect(out.toString("utf8")).toBe("user=app pass=*** utf=*** short=abc end hunter");
  });

  it("prefers the longest value at a position", async () => {
    const out = await throughMask(oneByteChunks(bytesOf("x=secretvalue y=secret")), ["secret", "secretvalue"]);
    expect(out.toString()).toBe("x=*** y=***");
    const partial = await throughMask(oneByteChunks(bytesOf("secretval!")), ["secret", "secretvalue"]);
    expect(partial.toString()).toBe("***val!");
  });

  it("flushes a held-back prefix at the end of the stream", async () => {
    const out = await throughMask([bytesOf("tail: hunte")], ["hunter2"]);
    expect(out.toString()).toBe("tail: hunte");
  });

  it("holds back at most (longest value - 1) bytes", async () => {
    const m = createMaskStream(["abcdefgh"]);
    const seen: Buffer[] = [];
    m.on("data", (d: Buffer) => seen.push(d));
    m.write(bytesOf("0123456789abcdefg"));
    await new Promise((r) => setImmediate(r));
    expect(Buffer.concat(seen).toString()).toBe("0123456789");
    m.end();
    await new Promise((r) => m.on("end", r));
    expect(Buffer.concat(seen).toString()).toBe("0123456789abcdefg");
  });

  it("passes everything through untouched with no maskable values", async () => {
    const input = bytesOf("nothing to hide ✓");
    expect((await throughMask(oneByteChunks(input), ["abc", ""])).equals(input)).toBe(true);
  });

  it("gives the same bytes for any chunking, matching an independent reference", async () => {
    const alphabet = fc.constantFrom("a", "b", "c", "é", "✓", "\n", "=");
    const text = fc.array(alphabet, { maxLength: 12 }).map((a) => a.join(""));
    const secret = fc.array(alphabet, { minLength: 1, maxLength: 8 }).map((a) => a.join(""));
    // Texts are built from random characters and copies of the secrets, so matches are common.
    const piece = fc.oneof(text, fc.nat());
    await fc.assert(
      fc.asyncProperty(fc.array(secret, { maxLength: 4 }), fc.array(piece, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 10 }), async (secrets, pieces, cuts) => {
        const t = pieces.map((p) => (typeof p === "string" ? p : (secrets[p % Math.max(secrets.length, 1)] ?? ""))).join("");
        const input = bytesOf(t);
        const points = [...new Set(cuts.map((c) => c % (input.length + 1)))].sort((a, b) => a - b);
        const chunks: Uint8Array[] = [];
        let prev = 0;
        for (const p of [...points, input.length]) {
          chunks.push(input.subarray(prev, p));
          prev = p;
        }
        const whole = maskBytes(input, secrets);
        expect((await throughMask(chunks, secrets)).equals(whole)).toBe(true);
        const streamed = await throughMask(oneByteChunks(input), secrets);
        expect(streamed.equals(whole)).toBe(true);
        expect(whole.equals(reference(input, secrets))).toBe(true);
        for (const s of secrets) if ([...s].length >= 4 && !s.includes("*")) expect(streamed.includes(bytesOf(s))).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

describe("issue 18 item 4: which encrypted values are worth masking", () => {
  it("skips numbers, booleans, host names, plain URLs and short or plain words; keeps passwords, tokens, passphrases, URLs with credentials", () => {
    const not = ["5432", "true", "False", "db.internal", "localhost", "api.example.com:443", "https://api.example.com/v1", "production", "postgres", "3.14159265", "abc"];
    const yes = ["Tr0ub4dor-and-3", "tok_live_9f8e7d6c5b4a", "correct horse battery staple", "postgres://app:s3cret-pw@db/app", "qzkvwxjmtrplbnhd", "AKIAIOSFODNN7EXAMPLE"];
    expect(not.filter(worthMasking)).toEqual([]);
    expect(yes.filter((v) => !worthMasking(v))).toEqual([]);
  });
});
