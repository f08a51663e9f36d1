import { beforeAll, describe, expect, it } from "vitest";
import { generateIdentity, identityToRecipient } from "age-encryption";
import { openDocument, sealDocument } from "../../src/document/index.js";
import { rotateDocument, updateRecipients } from "../../src/document/rekey.js";
import { AgeKey } from "../../src/keys/age.js";
import { makeKeyContext } from "../../src/ops/key-context.js";
import { isSealError } from "../../src/errors.js";
import { fromPlainObject, type Tree } from "../../src/tree/index.js";
import type { Metadata } from "../../src/metadata.js";

const ids: string[] = [];
const rcpt: string[] = [];
beforeAll(async () => {
  for (let i = 0; i < 3; i++) {
    const id = await generateIdentity();
    ids.push(id);
    rcpt.push(await identityToRecipient(id));
  }
});
const ctxWith = (...which: number[]) => makeKeyContext({ SOPS_AGE_KEY: which.map((i) => ids[i]).join("\n"), HOME: "/nonexistent" });
const plain = (): Tree => ({ branches: [fromPlainObject({ a: "secret", n: 5 })] });

async function sealed(groups: number[][], threshold = 0): Promise<{ tree: Tree; metadata: Metadata }> {
  return sealDocument(plain(), { ctx: ctxWith(), keyGroups: groups.map((g) => g.map((i) => AgeKey.fromRecipient(rcpt[i]!))), shamirThreshold: threshold });
}
const open = (s: { tree: Tree; metadata: Metadata }, ...who: number[]) => openDocument(s.tree, s.metadata, { ctx: ctxWith(...who), order: ["age"] });

describe("rotateDocument", () => {
  it("renews the data key and sealfile_rotated_at, keeping other sealfile_* fields", async () => {
    const s = await sealed([[0]]);
    s.metadata.extra.sealfile_note = "kept";
    const doc = await open(s, 0);
    const later = new Date(Date.parse(s.metadata.extra.sealfile_rotated_at!) + 5000);
    const out = await rotateDocument(doc, { ctx: ctxWith(), now: later });
    expect(out.metadata.extra.sealfile_note).toBe("kept");
    expect(out.metadata.extra.sealfile_rotated_at).toBe(later.toISOString().slice(0, 19) + "Z");
    const again = await open(out, 0);
    expect(Buffer.from(again.dataKey).equals(Buffer.from(doc.dataKey))).toBe(false);
  });

  // pgp and hc_vault are supported since issue 19; hckms (Huawei Cloud KMS) is still kept but not wrapped for
  it("refuses to drop an hckms recipient unless told to, then warns", async () => {
    const s = await sealed([[0]]);
    s.metadata.keyGroups[0]!.push({ kind: "hckms", entry: { key_id: "tr-west-1:0000-1111", enc: "x", created_at: "2020-01-01T00:00:00Z" } });
    const doc = await open(s, 0);
    await expect(rotateDocument(doc, { ctx: ctxWith() })).rejects.toSatisfy((e) => isSealError(e, "USAGE") && /hckms tr-west-1/.test((e as Error).message));
    const out = await rotateDocument(doc, { ctx: ctxWith(), dropUnsupported: true });
    expect(out.warnings.join()).toMatch(/dropped hckms/);
    expect(out.metadata.keyGroups[0]!.map((r) => r.kind)).toEqual(["age"]);
  });
});

describe("updateRecipients", () => {
  it("one group: kept entries stay byte-identical, the new one opens the same data key", async () => {
    const s = await sealed([[0]]);
    const doc = await open(s, 0);
    const { metadata, diff } = await updateRecipients(s.metadata, doc.dataKey, { keyGroups: [[{ kind: "age", recipient: rcpt[0]! }, { kind: "age", recipient: rcpt[1]! }]], shamirThreshold: 0 }, ctxWith());
    expect(diff.added.map((a) => a.id)).toEqual([rcpt[1]]);
    expect(metadata.keyGroups[0]![0]).toEqual(s.metadata.keyGroups[0]![0]);
    expect(metadata.mac).toBe(s.metadata.mac);
    const viaNew = await open({ tree: s.tree, metadata }, 1);
    expect(Buffer.from(viaNew.dataKey).equals(Buffer.from(doc.dataKey))).toBe(true);
  });

  it("regrouping to two groups re-splits the same data key (both needed)", async () => {
    const s = await sealed([[0, 1]]);
    const doc = await open(s, 0);
    const { metadata } = await updateRecipients(s.metadata, doc.dataKey, { keyGroups: [[{ kind: "age", recipient: rcpt[0]! }], [{ kind: "age", recipient: rcpt[2]! }]], shamirThreshold: 2 }, ctxWith());
    expect(metadata.keyGroups).toHaveLength(2);
    expect(metadata.shamirThreshold).toBe(2);
    await expect(open({ tree: s.tree, metadata }, 0)).rejects.toSatisfy((e) => isSealError(e, "NO_USABLE_KEY"));
    const both = await open({ tree: s.tree, metadata }, 0, 2);
    expect(Buffer.from(both.dataKey).equals(Buffer.from(doc.dataKey))).toBe(true);
  });
});
