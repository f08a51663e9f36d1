// Issue 14, item 1: a binary file is sealed into and opened from its JSON envelope's bytes (no string of
// the value). The results must be those of the ordinary tree path, MAC check included.
import { beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { generateX25519Identity, identityToRecipient } from "age-encryption";
import { BinaryStore } from "../../src/formats/binary.js";
import { extractMetadata, insertMetadata } from "../../src/metadata.js";
import { openDocument, openLargeValueDocument, sealDocument } from "../../src/document/index.js";
import { openSealedBytes, parseSealed, sealPlainBytes } from "../../src/ops/sealed-file.js";
import { sealBytes } from "../../src/crypto/index.js";
import { AgeKey } from "../../src/keys/age.js";
import { makeKeyContext } from "../../src/ops/key-context.js";
import { DEFAULT_DECRYPTION_ORDER } from "../../src/keys/registry.js";
import { isSealError } from "../../src/errors.js";
import type { KeyContext } from "../../src/keys/types.js";
import type { Tree } from "../../src/tree/index.js";

let ctx: KeyContext;
let recipient = "";
const store = new BinaryStore();
beforeAll(async () => {
  const identity = await generateX25519Identity();
  recipient = await identityToRecipient(identity);
  ctx = makeKeyContext({ SOPS_AGE_KEY: identity, HOME: "/nonexistent" });
});

const dataOf = (t: Tree) => {
  const it = t.branches[0]!.items.find((i) => i.kind === "entry" && i.key === "data");
  return it?.kind === "entry" ? it.value : undefined;
};
const sealBinary = (plain: Uint8Array) => sealPlainBytes(plain, { format: "binary", ctx, keyGroups: [[AgeKey.fromRecipient(recipient)]] });
const openOptions = () => ({ ctx, order: DEFAULT_DECRYPTION_ORDER });

describe("issue 14 item 1: binary files sealed and opened as bytes", () => {
  it("what sealPlainBytes writes opens on the ordinary tree path, MAC included, and on the bytes path", async () => {
    for (const plain of [randomBytes(200_000), Buffer.from("text file ✓\n"), Buffer.from([0xef, 0xbb, 0xbf, 0x41])]) {
      const sealed = await sealBinary(new Uint8Array(plain));
      const { tree, metadata } = parseSealed(sealed, "binary");
      const ref = await openDocument(tree, metadata, openOptions());
      const located = store.locateData(sealed)!;
      const fast = await openLargeValueDocument(located.tree, extractMetadata(located.tree, "nested")!, "data", sealed.subarray(located.start, located.end), openOptions());
      expect(fast).toBeDefined();
      expect(fast!.plain).toEqual(ref.plain);
      expect(Buffer.from(store.emitPlain(fast!.plain)).equals(plain)).toBe(true);
      expect(fast!.stash.size).toBe(1);
    }
  });

  it("a file written on the ordinary tree path opens on the bytes path", async () => {
    const plain = new Uint8Array(randomBytes(70_000));
    const { tree, metadata } = await sealDocument(store.parsePlain(plain), { ctx, keyGroups: [[AgeKey.fromRecipient(recipient)]] });
    metadata.cryptRuleStored = false;
    insertMetadata(tree, metadata, "nested");
    const file = store.emitEncrypted(tree);
    expect(store.locateData(file)).toBeDefined();
    const { doc } = await openSealedBytes(file, { format: "binary", ctx });
    expect(Buffer.from(store.emitPlain(doc.plain)).equals(plain)).toBe(true);
  });

  it("a data value replaced under the same data key fails the MAC (and opens with ignoreMac)", async () => {
    const sealed = Buffer.from(await sealBinary(new Uint8Array(randomBytes(100_000))));
    const { doc } = await openSealedBytes(sealed, { format: "binary", ctx });
    const other = new Uint8Array(randomBytes(100_000));
    const forged = sealBytes(other, "str", doc.dataKey, "data:", new Uint8Array(randomBytes(32)));
    const text = sealed.toString("latin1");
    const located = store.locateData(sealed)!;
    const swapped = Buffer.from(text.slice(0, located.start) + forged + text.slice(located.end), "latin1");
    let code = "";
    try {
      await openSealedBytes(swapped, { format: "binary", ctx });
    } catch (e) {
      code = isSealError(e) ? e.code : "other";
    }
    expect(code).toBe("MAC_MISMATCH");
    const { doc: opened } = await openSealedBytes(swapped, { format: "binary", ctx, ignoreMac: true });
    expect(Buffer.from(store.emitPlain(opened.plain)).equals(other)).toBe(true);
    const moved = Buffer.from(text.replace('"data"', '"date"'), "latin1");
    await expect(openSealedBytes(moved, { format: "binary", ctx })).rejects.toThrow();
  });

  it("a changed ciphertext byte gives DECRYPT_VALUE_FAILED naming the key", async () => {
    const sealed = Buffer.from(await sealBinary(new Uint8Array(randomBytes(100_000))));
    const located = store.locateData(sealed)!;
    const at = located.start + 50_000;
    sealed[at] = sealed[at] === 0x41 ? 0x42 : 0x41;
    await expect(openSealedBytes(sealed, { format: "binary", ctx })).rejects.toThrow(/could not decrypt the value at data/);
    expect(dataOf(parseSealed(sealed, "binary").tree)?.kind).toBe("str");
  });
});
