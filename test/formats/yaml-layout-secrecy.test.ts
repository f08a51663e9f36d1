// Acceptance (issue 15 item 3): where a multi-line plaintext value wraps is derived from its content, so it is
// stored only inside the encrypted layout record. Two files that differ only in where a value wraps encrypt
// to the same clear text: every ENC[…] is reduced to its type and data length, the age stanza (random) and the
// timestamps are masked, and the rest must be byte-identical. Both still decrypt to their own bytes.
import { beforeAll, describe, expect, it } from "vitest";
import { generateX25519Identity, identityToRecipient } from "age-encryption";
import { openSealedBytes, sealPlainBytes } from "../../src/ops/sealed-file.js";
import { makeKeyContext } from "../../src/ops/key-context.js";
import { keyFromSpec } from "../../src/keys/registry.js";
import type { KeyContext, MasterKey } from "../../src/keys/types.js";

let ctx: KeyContext;
let key: MasterKey;
beforeAll(async () => {
  const identity = await generateX25519Identity();
  ctx = makeKeyContext({ SOPS_AGE_KEY: identity, HOME: "/nonexistent-home" });
  key = await keyFromSpec({ kind: "age", recipient: await identityToRecipient(identity) });
});

/** The encrypted file with what is random or time-dependent masked, and ciphertexts reduced to type and length. */
function clearText(enc: string): string {
  return enc
    .replace(/ENC\[AES256_GCM,data:([A-Za-z0-9+/=]*),iv:[^,]+,tag:[^,]+,type:(\w+)\]/g, (_m, data: string, type: string) => `ENC[${type}:${data.length}]`)
    .replace(/-----BEGIN AGE ENCRYPTED FILE-----[\s\S]*?-----END AGE ENCRYPTED FILE-----/g, "AGE")
    .replace(/"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"/g, "TIME");
}

async function roundTrip(text: string): Promise<{ enc: string; back: string }> {
  const enc = Buffer.from(await sealPlainBytes(Buffer.from(text), { format: "yaml", ctx, keyGroups: [[key]] })).toString("utf8");
  const { doc, store } = await openSealedBytes(Buffer.from(enc), { format: "yaml", ctx });
  return { enc, back: Buffer.from(store.emitPlain(doc.plain)).toString("utf8") };
}

const words = "Returns all pets from the system that the user has access to, sorted by name".split(" ");
const wrapAt = (breaks: number[], cont: string): string => words.map((w, i) => (i === 0 ? w : (breaks.includes(i) ? "\n" + cont : " ") + w)).join("");

describe("issue 15 item 3: where a value wraps is not readable without the key", () => {
  const shapes: Array<[string, (breaks: number[]) => string]> = [
    ["a plain scalar", (b) => `info:\n  title: Petstore\n  description: ${wrapAt(b, "    ")}\n  version: 1.0.0\n`],
    ["a double-quoted scalar", (b) => `info:\n  description: "${wrapAt(b, "    ")}"\n  version: 1.0.0\n`],
    ["a single-quoted scalar", (b) => `info:\n  description: '${wrapAt(b, "    ")}'\n  version: 1.0.0\n`],
    ["a folded block", (b) => `info:\n  description: >\n    ${wrapAt(b, "    ")}\n  version: 1.0.0\n`],
  ];
  for (const [what, shape] of shapes) {
    it(`${what}: two wrappings of the same value give the same clear text, and each decrypts to its own bytes`, async () => {
      const a = shape([4, 9]);
      const b = shape([2, 6, 11]);
      expect(a).not.toBe(b);
      const ra = await roundTrip(a);
      const rb = await roundTrip(b);
      expect(ra.back).toBe(a);
      expect(rb.back).toBe(b);
      expect(ra.enc).toContain("sealfile_layout: ENC[AES256_GCM,");
      expect(clearText(ra.enc)).toBe(clearText(rb.enc));
      // Nothing of the value is in the clear either.
      for (const w of ["Returns", "pets", "sorted"]) expect(ra.enc).not.toContain(w);
    });
  }

  it("the clear style list says nothing of a value's wrapping (no marker for a wrapped plain scalar)", async () => {
    const one = await roundTrip(`k: ${words.join(" ")}\nn: 1\n\n`);
    const wrapped = await roundTrip(`k: ${wrapAt([5], "  ")}\nn: 1\n\n`);
    expect(clearText(one.enc)).toBe(clearText(wrapped.enc));
    expect(wrapped.back).toBe(`k: ${wrapAt([5], "  ")}\nn: 1\n\n`);
  });
});
