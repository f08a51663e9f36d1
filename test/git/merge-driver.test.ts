// The merge driver's core over bytes, without a repository: real age keys, real encrypted files.
import { beforeAll, describe, expect, it } from "vitest";
import { generateIdentity, identityToRecipient } from "age-encryption";
import { mergeSealed, KEYS_CONFLICT, type SealedMergeResult } from "../../src/git/merge-driver.js";
import { openSealedBytes, resealToBytes, sealPlainBytes } from "../../src/ops/sealed-file.js";
import { makeKeyContext } from "../../src/ops/key-context.js";
import { keyFromSpec } from "../../src/keys/registry.js";
import { closeDocument } from "../../src/document/index.js";
import { setAtPath, unsetAtPath, toPlain, type Node } from "../../src/tree/index.js";
import { isSealError } from "../../src/errors.js";
import type { FormatName } from "../../src/formats/index.js";

let id1 = "";
let id2 = "";
let r1 = "";
let r2 = "";
const ctxFor = (...ids: string[]) => makeKeyContext({ SOPS_AGE_KEY: ids.join("\n"), HOME: "/nonexistent-home" });

const PLAIN = `db:
    user: app
    password: p0
api:
    token: t0
    url: https://api.example.com
list:
    - 1
    - 2
`;

beforeAll(async () => {
  id1 = await generateIdentity();
  id2 = await generateIdentity();
  r1 = await identityToRecipient(id1);
  r2 = await identityToRecipient(id2);
});

async function seal(text: string, recipient: string, format: FormatName = "yaml"): Promise<Uint8Array> {
  return sealPlainBytes(Buffer.from(text), { format, ctx: ctxFor(), keyGroups: [[await keyFromSpec({ kind: "age", recipient })]] });
}

/** Applies edits in memory (set: a node; unset: undefined), keeping unchanged ciphertexts. */
async function edit(bytes: Uint8Array, edits: Array<[string[], Node | undefined]>, format: FormatName = "yaml"): Promise<Uint8Array> {
  const { doc, store } = await openSealedBytes(bytes, { format, ctx: ctxFor(id1, id2) });
  try {
    for (const [path, value] of edits) {
      if (value === undefined) unsetAtPath(doc.plain, path);
      else setAtPath(doc.plain, path, value);
    }
    return resealToBytes(doc, doc.plain, store);
  } finally {
    closeDocument(doc);
  }
}

async function plainOf(bytes: Uint8Array, ...ids: string[]): Promise<unknown> {
  const { doc } = await openSealedBytes(bytes, { format: "yaml", ctx: ctxFor(...ids) });
  try {
    return toPlain(doc.plain.branches[0]!);
  } finally {
    closeDocument(doc);
  }
}

const s = (value: string): Node => ({ kind: "str", value });
const lines = (b: Uint8Array): string[] => Buffer.from(b).toString("utf8").split("\n");
const opts = (...ids: string[]) => ({ format: "yaml" as const, ctx: ctxFor(...ids), file: "secrets.enc.yaml" });

function bytesOf(r: SealedMergeResult): Uint8Array {
  if (r.kind !== "merged") throw new Error(`expected a merge, got ${JSON.stringify(r)}`);
  return r.bytes;
}

describe("mergeSealed", () => {
  it("merges changes to different keys and keeps every other ciphertext byte for byte", async () => {
    const base = await seal(PLAIN, r1);
    const ours = await edit(base, [[["api", "token"], s("t-ours")]]);
    const theirs = await edit(base, [[["db", "password"], s("p-theirs")], [["db", "extra"], s("added")], [["api", "url"], undefined]]);
    // A later clock than the edits', so lastmodified is new even within the same second.
    const r = await mergeSealed({ base, ours, theirs }, { ...opts(id1), now: new Date("2030-01-01T00:00:00Z") });
    expect(r.kind === "merged" && r.keysFrom).toBe("ours");
    const out = bytesOf(r);
    expect(await plainOf(out, id1)).toEqual({ db: { user: "app", password: "p-theirs", extra: "added" }, api: { token: "t-ours" }, list: [1, 2] });
    // Every value line comes from ours or theirs verbatim; only lastmodified and mac are new.
    const known = new Set([...lines(ours), ...lines(theirs)]);
    const fresh = lines(out).filter((l) => !known.has(l));
    expect(fresh.map((l) => l.trim().split(":")[0])).toEqual(["lastmodified", "mac"]);
    expect(lines(out)).toContain(lines(theirs).find((l) => l.includes("password:")));
    expect(lines(out)).toContain(lines(ours).find((l) => l.includes("token:")));
  });

  it("reports keys changed differently on both sides, and nothing else", async () => {
    const base = await seal(PLAIN, r1);
    const ours = await edit(base, [[["db", "password"], s("a")], [["api", "token"], s("same")]]);
    const theirs = await edit(base, [[["db", "password"], s("b")], [["api", "token"], s("same")], [["list"], { kind: "list", items: [] }]]);
    expect(await mergeSealed({ base, ours, theirs }, opts(id1))).toEqual({ kind: "conflict", paths: ["db.password"] });
  });

  it("follows theirs' data key and recipients when only theirs re-keyed (a rotation is not undone)", async () => {
    const base = await seal(PLAIN, r1);
    const ours = await edit(base, [[["api", "token"], s("t-ours")]]);
    const theirs = await seal(PLAIN.replace("p0", "p-rotated"), r2);
    const r = await mergeSealed({ base, ours, theirs }, opts(id1, id2));
    expect(r.kind === "merged" && r.keysFrom).toBe("theirs");
    const out = bytesOf(r);
    expect(await plainOf(out, id2)).toMatchObject({ db: { password: "p-rotated" }, api: { token: "t-ours" } });
    await expect(plainOf(out, id1)).rejects.toSatisfy((e) => isSealError(e, "NO_USABLE_KEY"));
    // Unchanged values keep theirs' ciphertext.
    expect(lines(out)).toContain(lines(theirs).find((l) => l.includes("password:")));
  });

  it("keeps ours' keys when only ours re-keyed, and conflicts when both re-keyed differently", async () => {
    const base = await seal(PLAIN, r1);
    const rekeyed = await seal(PLAIN, r2);
    const theirs = await edit(base, [[["api", "token"], s("t-theirs")]]);
    const r = await mergeSealed({ base, ours: rekeyed, theirs }, opts(id1, id2));
    expect(r.kind === "merged" && r.keysFrom).toBe("ours");
    await expect(plainOf(bytesOf(r), id1)).rejects.toSatisfy((e) => isSealError(e, "NO_USABLE_KEY"));
    const other = await seal(PLAIN, r1);
    expect(await mergeSealed({ base, ours: rekeyed, theirs: other }, opts(id1, id2))).toEqual({ kind: "conflict", paths: [KEYS_CONFLICT] });
  });

  it("fails naming the version no key opens, and the version whose MAC does not match", async () => {
    const base = await seal(PLAIN, r1);
    const ours = await edit(base, [[["api", "token"], s("x")]]);
    const theirs = await seal(PLAIN, r2);
    await expect(mergeSealed({ base, ours, theirs }, opts(id1))).rejects.toSatisfy(
      (e) => isSealError(e, "NO_USABLE_KEY") && e.message.startsWith("cannot merge secrets.enc.yaml: the theirs version cannot be opened"),
    );
    const tampered = Buffer.from(Buffer.from(theirs).toString("utf8").replace(/(mac: ENC\[AES256_GCM,data:)(.)/, (_m, a: string, c: string) => a + (c === "A" ? "B" : "A")));
    await expect(mergeSealed({ base, ours, theirs: tampered }, opts(id1, id2))).rejects.toSatisfy((e) => isSealError(e) && e.message.includes("the theirs version"));
  });

  it("merges a file added on both sides (empty base) when the additions agree key by key", async () => {
    const ours = await seal("a: 1\nb: 2\n", r1);
    const theirs = await seal("a: 1\nc: 3\n", r1);
    const out = bytesOf(await mergeSealed({ base: new Uint8Array(), ours, theirs }, opts(id1)));
    expect(await plainOf(out, id1)).toEqual({ a: 1, b: 2, c: 3 });
    const clash = await seal("a: 9\n", r1);
    expect(await mergeSealed({ base: new Uint8Array(), ours, theirs: clash }, opts(id1))).toEqual({ kind: "conflict", paths: ["a"] });
  });

  it("says when nothing is encrypted, and refuses a mix of encrypted and plain versions", async () => {
    const plain = Buffer.from(PLAIN);
    expect(await mergeSealed({ base: plain, ours: plain, theirs: plain }, opts(id1))).toEqual({ kind: "not-encrypted" });
    const sealed = await seal(PLAIN, r1);
    await expect(mergeSealed({ base: sealed, ours: sealed, theirs: plain }, opts(id1))).rejects.toSatisfy(
      (e) => isSealError(e, "NOT_ENCRYPTED") && e.message.includes("the theirs version is not encrypted"),
    );
  });

  it("works for JSON files too", async () => {
    const text = JSON.stringify({ a: "1", b: { c: "2" } }, null, 4);
    const base = await seal(text, r1, "json");
    const ours = await edit(base, [[["a"], s("ours")]], "json");
    const theirs = await edit(base, [[["b", "c"], s("theirs")]], "json");
    const out = bytesOf(await mergeSealed({ base, ours, theirs }, { ...opts(id1), format: "json", file: "x.enc.json" }));
    const { doc } = await openSealedBytes(out, { format: "json", ctx: ctxFor(id1) });
    expect(toPlain(doc.plain.branches[0]!)).toEqual({ a: "ours", b: { c: "theirs" } });
    closeDocument(doc);
  });
});
