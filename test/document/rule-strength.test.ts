import { describe, expect, it } from "vitest";
import { storeFor } from "../../src/formats/index.js";
import { DEFAULT_ENCRYPTION_RULE, plainWhereEncrypted, ruleWeakness, type EncryptionRule } from "../../src/document/rule-strength.js";

const tree = (yaml: string) => storeFor("yaml").parsePlain(Buffer.from(yaml));
const rule = (kind: EncryptionRule["cryptRule"]["kind"], value: string, macOnlyEncrypted = false): EncryptionRule => ({ cryptRule: { kind, value }, macOnlyEncrypted });
const doc = tree("db:\n  password: x\n  host_unencrypted: h\napi_token: \"\"\n");

describe("ruleWeakness", () => {
  it("names the stored field and the first leaf it leaves plain that the wanted rule encrypts", () => {
    expect(ruleWeakness([doc], rule("encrypted_regex", "^db$"), DEFAULT_ENCRYPTION_RULE)).toEqual({ field: "encrypted_regex", path: "api_token" });
    expect(ruleWeakness([doc], rule("unencrypted_regex", "."), DEFAULT_ENCRYPTION_RULE)).toEqual({ field: "unencrypted_regex", path: "db.password" });
  });

  it("judges on the file's actual leaves: a different rule that encrypts the same leaves, or more, is fine", () => {
    expect(ruleWeakness([doc], rule("unencrypted_suffix", "_never"), DEFAULT_ENCRYPTION_RULE)).toBeUndefined();
    expect(ruleWeakness([doc], DEFAULT_ENCRYPTION_RULE, rule("encrypted_regex", "^password$"))).toBeUndefined();
    expect(ruleWeakness([doc], DEFAULT_ENCRYPTION_RULE, rule("encrypted_regex", "^db$"))).toEqual({ field: "unencrypted_suffix", path: "db.host_unencrypted" });
    expect(ruleWeakness([tree("db:\n  password: x\n")], rule("encrypted_regex", "^db$"), DEFAULT_ENCRYPTION_RULE)).toBeUndefined();
  });

  it("counts mac_only_encrypted where the wanted rule has the MAC cover every value", () => {
    expect(ruleWeakness([doc], { ...DEFAULT_ENCRYPTION_RULE, macOnlyEncrypted: true }, DEFAULT_ENCRYPTION_RULE)).toEqual({ field: "mac_only_encrypted" });
    expect(ruleWeakness([doc], DEFAULT_ENCRYPTION_RULE, { ...DEFAULT_ENCRYPTION_RULE, macOnlyEncrypted: true })).toBeUndefined();
  });
});

describe("plainWhereEncrypted", () => {
  it("lists non-empty leaves the rule encrypts that are not ENC[…]", () => {
    expect(plainWhereEncrypted(doc, DEFAULT_ENCRYPTION_RULE)).toEqual([["db", "password"]]);
    expect(plainWhereEncrypted(tree("a: ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]\nb: 1\n"), DEFAULT_ENCRYPTION_RULE)).toEqual([["b"]]);
  });
});
