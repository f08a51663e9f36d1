import { describe, expect, it } from "vitest";
import { dataKeyAge, diffRecipients, sameRecipient } from "../../src/document/recipient-diff.js";
import { DEFAULT_CRYPT_RULE, type KeyRef, type Metadata } from "../../src/metadata.js";

function md(groups: KeyRef[][], extra: Record<string, string> = {}, threshold = 0): Metadata {
  return { keyGroups: groups, shamirThreshold: threshold, lastModified: "2026-01-10T00:00:00Z", mac: "", cryptRule: DEFAULT_CRYPT_RULE, cryptRuleStored: true, macOnlyEncrypted: false, version: "3.13.2", extra };
}
const age = (r: string): KeyRef => ({ kind: "age", entry: { recipient: r, enc: "x" } });

describe("diffRecipients", () => {
  it("lists added and removed recipients per group", () => {
    const d = diffRecipients(md([[age("age1a"), age("age1b")]]), [[{ kind: "age", recipient: "age1b" }, { kind: "age", recipient: "age1c" }]], 0);
    expect(d.added).toEqual([{ group: 0, kind: "age", id: "age1c" }]);
    expect(d.removed).toEqual([{ group: 0, kind: "age", id: "age1a" }]);
    expect(d.upToDate).toBe(false);
    expect(d.regrouped).toBe(false);
  });

  it("is up to date regardless of order, and notices group/threshold changes", () => {
    const m = md([[age("age1a"), age("age1b")]]);
    expect(diffRecipients(m, [[{ kind: "age", recipient: "age1b" }, { kind: "age", recipient: "age1a" }]], 0).upToDate).toBe(true);
    const two = diffRecipients(m, [[{ kind: "age", recipient: "age1a" }], [{ kind: "age", recipient: "age1b" }]], 2);
    expect(two.regrouped).toBe(true);
    const m2 = md([[age("age1a")], [age("age1b")]], {}, 2);
    expect(diffRecipients(m2, [[{ kind: "age", recipient: "age1a" }], [{ kind: "age", recipient: "age1b" }]], 0).upToDate).toBe(true);
    expect(diffRecipients(m2, [[{ kind: "age", recipient: "age1a" }], [{ kind: "age", recipient: "age1b" }]], 1).regrouped).toBe(true);
  });

  it("matches KMS by arn, role and context; Azure without version matches any stored version", () => {
    const kms: KeyRef = { kind: "kms", entry: { arn: "arn:aws:kms:eu:1:key/k", role: "arn:aws:iam::1:role/r", context: { b: "2", a: "1" }, enc: "e", created_at: "t" } };
    expect(sameRecipient({ kind: "kms", arn: "arn:aws:kms:eu:1:key/k", role: "arn:aws:iam::1:role/r", context: { a: "1", b: "2" } }, kms)).toBe(true);
    expect(sameRecipient({ kind: "kms", arn: "arn:aws:kms:eu:1:key/k" }, kms)).toBe(false);
    const az: KeyRef = { kind: "azure_kv", entry: { vault_url: "https://v.vault.azure.net", name: "k", version: "abc", enc: "e" } };
    expect(sameRecipient({ kind: "azure_kv", vaultUrl: "https://v.vault.azure.net", name: "k" }, az)).toBe(true);
    expect(sameRecipient({ kind: "azure_kv", vaultUrl: "https://v.vault.azure.net", name: "k", version: "other" }, az)).toBe(false);
    expect(sameRecipient({ kind: "azure_kv", vaultUrl: "https://v.vault.azure.net", name: "k2" }, az)).toBe(false);
  });
});

describe("dataKeyAge", () => {
  it("prefers sealfile_rotated_at, then the oldest created_at, then lastmodified", () => {
    const kms = (t: string): KeyRef => ({ kind: "kms", entry: { arn: "a", created_at: t, enc: "e" } });
    expect(dataKeyAge(md([[age("age1a")]], { sealfile_rotated_at: "2025-05-01T00:00:00Z" }))).toEqual({ since: new Date("2025-05-01T00:00:00Z"), source: "sealfile_rotated_at" });
    expect(dataKeyAge(md([[kms("2025-03-01T00:00:00Z"), kms("2024-03-01T00:00:00Z")]]))).toEqual({ since: new Date("2024-03-01T00:00:00Z"), source: "created_at" });
    expect(dataKeyAge(md([[age("age1a")]]))).toEqual({ since: new Date("2026-01-10T00:00:00Z"), source: "lastmodified" });
  });
});
