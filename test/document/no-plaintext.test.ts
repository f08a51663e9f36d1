// Property: whatever form a YAML value is written in (tags, quoting, block scalars, flow collections,
// anchors, comments, several documents), the encrypted text holds no trace of it, and decrypting gives the
// same values back. Found by a canary run: a `!!binary` value the yaml package decoded leniently was read
// as "" and so stayed in the file as plaintext.
import { beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { generateX25519Identity, identityToRecipient } from "age-encryption";
import { storeFor } from "../../src/formats/index.js";
import { extractMetadata, insertMetadata } from "../../src/metadata.js";
import { openDocument, sealDocument } from "../../src/document/index.js";
import { AgeKey } from "../../src/keys/age.js";
import { makeKeyContext } from "../../src/ops/key-context.js";
import { DEFAULT_DECRYPTION_ORDER } from "../../src/keys/registry.js";
import { isSealError } from "../../src/errors.js";

let identity = "";
let recipient = "";
beforeAll(async () => {
  identity = await generateX25519Identity();
  recipient = await identityToRecipient(identity);
});

/** A value form: its YAML text at column `col` and the markers that must not survive encryption. */
type Form = (v: string, col: number) => { text: string; markers: string[] };
const b64 = (s: string): string => Buffer.from(s).toString("base64");
const pad = (n: number): string => " ".repeat(n);

const FORMS: Form[] = [
  (v) => ({ text: v, markers: [v] }),
  (v) => ({ text: `"${v}"`, markers: [v] }),
  (v) => ({ text: `'${v}'`, markers: [v] }),
  (v) => ({ text: `!!str ${v}`, markers: [v] }),
  (v) => ({ text: `!custom ${v}`, markers: [v] }),
  (v) => ({ text: `!!binary ${b64(v)}`, markers: [v, b64(v)] }),
  (v) => ({ text: `!!binary "${b64(v)}"`, markers: [v, b64(v)] }),
  (v) => ({ text: `!!binary ${v}!!`, markers: [v] }), // not base64: must be refused, never kept
  (v) => ({ text: `${v} # ${v}x`, markers: [v] }),
  (v, col) => ({ text: `|\n${pad(col + 2)}${v}\n${pad(col + 2)}${v}y`, markers: [v] }),
  (v, col) => ({ text: `>-\n${pad(col + 2)}${v}`, markers: [v] }),
  (v, col) => ({ text: `!!binary |\n${pad(col + 2)}${b64(v)}`, markers: [v, b64(v)] }),
  (v) => ({ text: `[${v}, "${v}z", {k: ${v}}]`, markers: [v] }),
  (v) => ({ text: `{a: ${v}, b: [${v}]}`, markers: [v] }),
  (v) => ({ text: `&anc${v.length} ${v}`, markers: [v] }),
];

const tokenArb = fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{9,15}$/).map((s) => `Q${s}`);
const entryArb = fc.tuple(fc.nat(FORMS.length - 1), tokenArb, fc.boolean());

function buildFile(entries: Array<[number, string, boolean]>): { src: string; markers: string[] } {
  const lines: string[] = [];
  const markers: string[] = [];
  entries.forEach(([form, token, nested], i) => {
    const col = nested ? 2 : 0;
    if (nested) lines.push(`g${i}:`);
    if (i % 3 === 1) lines.push(`${pad(col)}# about ${token}c`), markers.push(`${token}c`);
    const f = FORMS[form]!(token, col);
    lines.push(`${pad(col)}k${i}: ${f.text}`);
    markers.push(...f.markers);
    if (f.text.startsWith("&anc")) lines.push(`${pad(col)}alias${i}: *anc${token.length}`);
  });
  return { src: lines.join("\n") + "\n", markers };
}

describe("no plaintext survives encryption, whatever the YAML form", () => {
  it("property: random files mixing every form", async () => {
    const store = storeFor("yaml");
    const ctx = makeKeyContext({ SOPS_AGE_KEY: identity, HOME: "/nonexistent" });
    await fc.assert(
      fc.asyncProperty(fc.array(entryArb, { minLength: 1, maxLength: 8 }), async (entries) => {
        const { src, markers } = buildFile(entries);
        let plain;
        try {
          plain = store.parsePlain(new TextEncoder().encode(src));
        } catch (e) {
          // Refusing the file is fine (invalid !!binary, an anchor name used twice); its text must not leak.
          expect(isSealError(e)).toBe(true);
          for (const m of markers) expect((e as Error).message).not.toContain(m);
          return;
        }
        const { tree: sealed, metadata } = await sealDocument(plain, { ctx, keyGroups: [[AgeKey.fromRecipient(recipient)]] });
        insertMetadata(sealed, metadata, store.metadataLayout);
        const text = new TextDecoder().decode(store.emitEncrypted(sealed));
        for (const m of markers) expect(text, src).not.toContain(m);
        const parsed = store.parseEncrypted(new TextEncoder().encode(text));
        const md = extractMetadata(parsed, store.metadataLayout)!;
        const doc = await openDocument(parsed, md, { ctx, order: DEFAULT_DECRYPTION_ORDER });
        expect(store.parsePlain(store.emitPlain(doc.plain))).toEqual(store.parsePlain(new TextEncoder().encode(src)));
      }),
      { numRuns: 150 },
    );
  });
});
