// Property: for random trees, encrypt then decrypt through each format's store gives the tree back,
// with int/float/bool/null/empty-string/unicode values and keys, and the MAC verifies.
import { beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { generateX25519Identity, identityToRecipient } from "age-encryption";
import { storeFor, type FormatName } from "../../src/formats/index.js";
import { extractMetadata, insertMetadata } from "../../src/metadata.js";
import { openDocument, resealDocument, sealDocument } from "../../src/document/index.js";
import { AgeKey } from "../../src/keys/age.js";
import { makeKeyContext } from "../../src/ops/key-context.js";
import { DEFAULT_DECRYPTION_ORDER } from "../../src/keys/registry.js";
import type { Node, Scalar, Tree, TreeMap } from "../../src/tree/index.js";
import type { CryptRule } from "../../src/metadata.js";
import { SealError } from "../../src/errors.js";

let identity = "";
let recipient = "";
beforeAll(async () => {
  identity = await generateX25519Identity();
  recipient = await identityToRecipient(identity);
});

const keyArb = fc.string({ minLength: 1, maxLength: 12, unit: "grapheme" }).filter((k) => k !== "sops" && !k.includes(":"));
const scalarArb: fc.Arbitrary<Scalar> = fc.oneof(
  fc.string({ maxLength: 20, unit: "grapheme" }).map((value) => ({ kind: "str" as const, value })),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((value) => ({ kind: "int" as const, value })),
  fc.constantFrom(0.1, 1e21, -2.5, 1.5e-7, 123456.789, 1e300).map((value) => ({ kind: "float" as const, value })),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((v) => !Number.isInteger(v) && !Object.is(v, -0)).map((value) => ({ kind: "float" as const, value })),
  fc.boolean().map((value) => ({ kind: "bool" as const, value })),
  fc.constant({ kind: "null" as const }),
);

function mapOf(entries: Array<[string, Node]>): TreeMap {
  const seen = new Set<string>();
  return { kind: "map", items: entries.filter(([k]) => !seen.has(k) && seen.add(k)).map(([key, value]) => ({ kind: "entry" as const, key, value })) };
}

const nodeArb: fc.Arbitrary<Node> = fc.letrec<{ node: Node }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    scalarArb,
    fc.array(fc.tuple(keyArb, tie("node")), { maxLength: 4 }).map(mapOf),
    fc.array(tie("node"), { maxLength: 4 }).map((items) => ({ kind: "list" as const, items })),
  ),
})).node;

const treeArb = fc.array(fc.tuple(keyArb, nodeArb), { minLength: 1, maxLength: 6 }).map((e): Tree => ({ branches: [mapOf(e)] }));

/** Deep equality that compares floats by value (NaN excluded by the generator). */
function normalize(n: Node): unknown {
  if (n.kind === "map") return n.items.filter((i) => i.kind === "entry").map((i) => (i.kind === "entry" ? [i.key, normalize(i.value)] : null));
  if (n.kind === "list") return n.items.filter((i) => i.kind !== "comment").map((i) => normalize(i as Node));
  if (n.kind === "int") return `int:${n.value}`;
  if (n.kind === "null") return null;
  return `${n.kind}:${String(n.value)}`;
}

async function roundTrip(tree: Tree, format: FormatName): Promise<Tree> {
  const store = storeFor(format);
  const ctx = makeKeyContext({ SOPS_AGE_KEY: identity, HOME: "/nonexistent" });
  const plain = store.parsePlain(store.emitPlain(tree));
  const { tree: sealed, metadata } = await sealDocument(plain, { ctx, keyGroups: [[AgeKey.fromRecipient(recipient)]] });
  insertMetadata(sealed, metadata, store.metadataLayout);
  const bytes = store.emitEncrypted(sealed);
  const parsed = store.parseEncrypted(bytes);
  const md = extractMetadata(parsed, store.metadataLayout)!;
  const doc = await openDocument(parsed, md, { ctx, order: DEFAULT_DECRYPTION_ORDER });
  return doc.plain;
}

describe("encrypt → decrypt gives the tree back", () => {
  it("YAML, random trees", async () => {
    await fc.assert(
      fc.asyncProperty(treeArb, async (tree) => {
        const back = await roundTrip(tree, "yaml");
        expect(normalize(back.branches[0]!)).toEqual(normalize(tree.branches[0]!));
      }),
      { numRuns: 60 },
    );
  });

  it("JSON, random trees (integral floats come back as ints, as in sops 3.13.2)", async () => {
    await fc.assert(
      fc.asyncProperty(treeArb, async (tree) => {
        const back = await roundTrip(tree, "json");
        expect(normalize(back.branches[0]!)).toEqual(normalize(tree.branches[0]!));
      }),
      { numRuns: 60 },
    );
  });

  it("dotenv, random flat string maps", async () => {
    const envKey = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,10}$/);
    const envVal = fc.string({ maxLength: 20, unit: "grapheme" }).filter((v) => !v.includes("\r"));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(envKey, envVal), { minLength: 1, maxLength: 8 }), async (pairs) => {
        const tree: Tree = { branches: [mapOf(pairs.map(([k, v]) => [k, { kind: "str", value: v }]))] };
        const back = await roundTrip(tree, "dotenv");
        expect(normalize(back.branches[0]!)).toEqual(normalize(tree.branches[0]!));
      }),
      { numRuns: 40 },
    );
  });
});

describe("issue 15 item 5: a document opened read-only", () => {
  it("remembers no IVs, and re-encrypting it still works (with fresh IVs), while a normal open keeps them", async () => {
    const store = storeFor("yaml");
    const ctx = makeKeyContext({ SOPS_AGE_KEY: identity, HOME: "/nonexistent" });
    const plain = store.parsePlain(Buffer.from("a: one\nb:\n    c: two\n"));
    const { tree: sealed, metadata } = await sealDocument(plain, { ctx, keyGroups: [[AgeKey.fromRecipient(recipient)]] });
    const open = (readOnly: boolean) => openDocument(sealed, metadata, { ctx, order: DEFAULT_DECRYPTION_ORDER, readOnly });
    const values = (t: Tree) => JSON.stringify(t.branches[0]);
    const kept = await open(false);
    expect(kept.stash.size).toBe(2);
    expect(values(resealDocument(kept, kept.plain).tree)).toBe(values(sealed));
    const readOnly = await open(true);
    expect(readOnly.stash.size).toBe(0);
    expect(values(readOnly.plain)).toBe(values(kept.plain));
    const again = resealDocument(readOnly, readOnly.plain);
    expect(values(again.tree)).not.toBe(values(sealed));
    const reopened = await openDocument(again.tree, again.metadata, { ctx, order: DEFAULT_DECRYPTION_ORDER });
    expect(values(reopened.plain)).toBe(values(kept.plain));
  });
});

describe("issue 14 fuzzer (FUZZ_SEED=3, 10, 20, 24, 25): a comment that reads as an encrypted value", () => {
  const LOOKALIKE = "ENC[AES256_GCM,data:AAAA,iv:AAAA,tag:AAAA,type:str]";

  async function seal(format: FormatName, text: string, cryptRule?: CryptRule): Promise<Uint8Array> {
    const store = storeFor(format);
    const ctx = makeKeyContext({ SOPS_AGE_KEY: identity, HOME: "/nonexistent" });
    const { tree, metadata } = await sealDocument(store.parsePlain(Buffer.from(text)), { ctx, keyGroups: [[AgeKey.fromRecipient(recipient)]], ...(cryptRule ? { cryptRule } : {}) });
    insertMetadata(tree, metadata, store.metadataLayout);
    return store.emitEncrypted(tree);
  }

  async function open(format: FormatName, bytes: Uint8Array): Promise<string> {
    const store = storeFor(format);
    const ctx = makeKeyContext({ SOPS_AGE_KEY: identity, HOME: "/nonexistent" });
    const parsed = store.parseEncrypted(bytes);
    const doc = await openDocument(parsed, extractMetadata(parsed, store.metadataLayout)!, { ctx, order: DEFAULT_DECRYPTION_ORDER });
    return Buffer.from(store.emitPlain(doc.plain)).toString();
  }

  // The fuzzer's inputs (INI, dotenv) and the same comment in YAML. Such a comment was left in clear on
  // encrypt, and decrypt then tried to open it: "encrypted value is too short".
  const cases: Array<[FormatName, string]> = [
    ["ini", `[db]\nuser = admin\n; ${LOOKALIKE}comment\n[app]\nport = 8080\n`],
    ["ini", `top = level\n[s]\nk = "quoted value"\n#${LOOKALIKE} hash comment\nempty =\n`],
    ["dotenv", `URL=postgres://u:p@h:5432/db?x=1#${LOOKALIKE}frag\nJSON={"a": [1, 2]}\n`],
    ["yaml", `a: 1\n#${LOOKALIKE}\nb: 2\n`],
  ];
  for (const [format, text] of cases) {
    it(`${format}: is encrypted like any comment (as sops does), and decrypts back to its text`, async () => {
      const sealed = Buffer.from(await seal(format, text)).toString();
      expect(sealed).not.toContain(LOOKALIKE);
      expect(sealed).toMatch(/ENC\[AES256_GCM,[^\]]*type:comment\]/);
      const back = await open(format, Buffer.from(sealed));
      expect(back).toContain(LOOKALIKE);
      expect(storeFor(format).parsePlain(Buffer.from(back))).toEqual(storeFor(format).parsePlain(Buffer.from(text)));
    });
  }

  it("one the rule leaves in clear is refused on encrypt (decrypt would try to open it), naming where it is", async () => {
    const err = await seal("yaml", `a_unencrypted:\n    #${LOOKALIKE}\n    b: 1\nc: 2\n`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SealError);
    expect((err as SealError).code).toBe("ENCRYPT_FAILED");
    expect((err as SealError).message).toContain("a_unencrypted");
    expect((err as SealError).message).not.toContain("AAAA");
    expect((err as SealError).hint).toBeTruthy();
    // An ordinary comment there stays in clear and the file opens.
    expect(await open("yaml", await seal("yaml", "a_unencrypted:\n    # note\n    b: 1\nc: 2\n"))).toContain("# note");
  });
});
