// Interop with a reader we did not write: `sops-age` (a JavaScript implementation of sops decryption used by
// other projects) opens what sealfile encrypts — the YAML corpus kept as written, JSON and dotenv — and gets
// the values sealfile itself reads from the plaintext. Files that use what sops-age does not implement are
// left out, each with the reason (checked against its source, not guessed). sops-age does not check the
// MAC; the independent reader in test/formats/yaml-corpus.test.ts and test/interop/sealfile-output.test.ts does.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { generateX25519Identity, identityToRecipient } from "age-encryption";
import { decryptSops } from "sops-age";
import { storeFor, type FormatName } from "../../src/formats/index.js";
import { insertMetadata } from "../../src/metadata.js";
import { sealDocument } from "../../src/document/index.js";
import { AgeKey } from "../../src/keys/age.js";
import { makeKeyContext } from "../../src/ops/key-context.js";
import { toPlain } from "../../src/tree/plain.js";
import { ROOT } from "../helpers/cli.js";

const CORPUS = join(ROOT, "test/fixtures/yaml");
/** sops-age 4.0.2 limits: one YAML document per file; no `time` type; every all-digit path component dropped from the AAD (taken for a list index). */
const LEFT_OUT: Record<string, string> = {
  "document-markers.yaml": "several documents",
  "k8s-multidoc.yaml": "several documents",
  "multidoc-comments.yaml": "several documents",
  "x-timestamp.yaml": "a time value",
  "openapi-fragment.yaml": "an all-digit key (200)",
  "quoted-keys.yaml": "an all-digit key (\"123\")",
};

let identity = "";
let recipient = "";
beforeAll(async () => {
  identity = await generateX25519Identity();
  recipient = await identityToRecipient(identity);
});

async function seal(text: string, format: FormatName): Promise<{ sealed: string; expected: unknown }> {
  const store = storeFor(format);
  const plain = store.parsePlain(new TextEncoder().encode(text));
  const expected = toPlain(plain.branches[0]!);
  const ctx = makeKeyContext({ HOME: "/nonexistent" });
  const { tree, metadata } = await sealDocument(plain, { ctx, keyGroups: [[AgeKey.fromRecipient(recipient)]] });
  insertMetadata(tree, metadata, store.metadataLayout);
  return { sealed: new TextDecoder().decode(store.emitEncrypted(tree)), expected };
}

/** Both sides as JSON: numbers compared by value (sops-age returns JS numbers, as does toPlain for safe ints). */
const canon = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? Number(x) : x));

describe("sops-age opens files sealfile encrypted", () => {
  it("the YAML corpus, kept as written", async () => {
    const files = readdirSync(CORPUS).filter((f) => f.endsWith(".yaml")).sort();
    let opened = 0;
    for (const f of files) {
      if (LEFT_OUT[f]) continue;
      const { sealed, expected } = await seal(readFileSync(join(CORPUS, f), "utf8"), "yaml");
      const theirs: unknown = await decryptSops(sealed, { secretKey: identity, fileType: "yaml" });
      expect(canon(theirs), f).toBe(canon(expected));
      opened++;
    }
    console.log(`sops-age opened ${opened}/${files.length} corpus files (left out: ${Object.keys(LEFT_OUT).length}, see LEFT_OUT)`);
    expect(opened).toBeGreaterThanOrEqual(45);
  });

  it("JSON with nested lists of maps, ints, floats, booleans, nulls and unicode", async () => {
    const text = JSON.stringify({ db: { user: "app", password: "pä$$ wörd\n\"x\"", port: 5432, ratio: 0.25 }, list: [{ a: 1 }, [true, null, ""]], big: 1e21, emoji: "🔑" }, null, 2);
    const { sealed, expected } = await seal(text, "json");
    expect(canon(await decryptSops(sealed, { secretKey: identity, fileType: "json" }))).toBe(canon(expected));
  });

  it("dotenv with quotes, # and = in values", async () => {
    const text = 'A=1\nexport B="two words"\nC=\'single # not a comment\'\nD=x=y\n# comment\nE="line1\\nline2"\n';
    const { sealed, expected } = await seal(text, "dotenv");
    expect(canon(await decryptSops(sealed, { secretKey: identity, fileType: "env" }))).toBe(canon(expected));
  });
});
