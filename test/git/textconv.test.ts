// The diff textconv core over bytes: plaintext for key holders, the bytes unchanged for everyone else.
import { beforeAll, describe, expect, it } from "vitest";
import { generateIdentity, identityToRecipient } from "age-encryption";
import { ACCESS_HEADER, textconv } from "../../src/git/textconv.js";
import { sealPlainBytes } from "../../src/ops/sealed-file.js";
import { makeKeyContext } from "../../src/ops/key-context.js";
import { keyFromSpec } from "../../src/keys/registry.js";

const PLAIN = "# note\ndb:\n    password: hunter2-textconv\nport: 5432\n";
let identity = "";
let recipient = "";
let sealed: Uint8Array = new Uint8Array();
const ctx = (id?: string) => makeKeyContext({ ...(id ? { SOPS_AGE_KEY: id } : {}), HOME: "/nonexistent-home" });
const opts = (id?: string) => ({ format: "yaml" as const, ctx: ctx(id), file: "s.enc.yaml" });

beforeAll(async () => {
  identity = await generateIdentity();
  recipient = await identityToRecipient(identity);
  const key = await keyFromSpec({ kind: "age", recipient });
  sealed = await sealPlainBytes(Buffer.from(PLAIN), { format: "yaml", ctx: ctx(), keyGroups: [[key]] });
});

describe("textconv", () => {
  it("renders the plaintext document when a key opens the file", async () => {
    const r = await textconv(sealed, opts(identity));
    expect(r.decrypted).toBe(true);
    const text = Buffer.from(r.text).toString("utf8");
    // Issue 18 item 2: the document, then who can open it and the data key's fingerprint.
    expect(text.startsWith(`${PLAIN}${ACCESS_HEADER}\n`)).toBe(true);
    const rest = text.slice(PLAIN.length + ACCESS_HEADER.length + 1).split("\n");
    expect(rest[0]).toBe(`# recipient: age ${recipient}`);
    expect(rest[1]).toMatch(/^# data key: [0-9a-f]{16} \(a fingerprint/);
    expect(rest.slice(2)).toEqual([""]);
    expect(r.problem).toBeUndefined();
  });

  it("issue 18 item 2: names recipients from .sops.yaml, and the fingerprint follows the data key only", async () => {
    const named = Buffer.from((await textconv(sealed, { ...opts(identity), names: new Map([[recipient, "alice"]]) })).text).toString("utf8");
    expect(named).toContain(`# recipient: alice age ${recipient}\n`);
    const again = await sealPlainBytes(Buffer.from(PLAIN), { format: "yaml", ctx: ctx(), keyGroups: [[await keyFromSpec({ kind: "age", recipient })]] });
    const fp = (t: string) => /# data key: ([0-9a-f]+)/.exec(t)![1];
    const other = Buffer.from((await textconv(again, opts(identity))).text).toString("utf8");
    expect(fp(other)).not.toBe(fp(named));
    expect(fp(Buffer.from((await textconv(sealed, opts(identity))).text).toString("utf8"))).toBe(fp(named));
  });

  it("issue 18 item 2: asks for former names only when the current ones miss a recipient, and the current name wins", async () => {
    let asked = 0;
    const formerNames = async () => {
      asked++;
      return new Map([[recipient, "bob"]]);
    };
    const current = Buffer.from((await textconv(sealed, { ...opts(identity), names: new Map([[recipient, "alice"]]), formerNames })).text).toString("utf8");
    expect(current).toContain(`# recipient: alice age ${recipient}\n`);
    expect(asked).toBe(0);
    const former = Buffer.from((await textconv(sealed, { ...opts(identity), names: new Map(), formerNames })).text).toString("utf8");
    expect(former).toContain(`# recipient: bob age ${recipient}\n`);
    expect(asked).toBe(1);
  });

  it("passes the bytes through quietly when no key is available, or the file is not encrypted", async () => {
    const r = await textconv(sealed, opts());
    expect(r).toEqual({ text: sealed, decrypted: false });
    const plain = Buffer.from(PLAIN);
    expect(await textconv(plain, opts(identity))).toEqual({ text: plain, decrypted: false });
    const junk = Buffer.from("{ not: [ yaml");
    expect(await textconv(junk, opts(identity))).toEqual({ text: junk, decrypted: false });
  });

  it("passes a damaged file through with the reason, never its plaintext", async () => {
    const damaged = Buffer.from(Buffer.from(sealed).toString("utf8").replace(/(mac: ENC\[AES256_GCM,data:)(.)/, (_m, a: string, c: string) => a + (c === "A" ? "B" : "A")));
    const r = await textconv(damaged, opts(identity));
    expect(r.decrypted).toBe(false);
    expect(r.text).toBe(damaged);
    expect(r.problem?.code).toBe("MAC_MISMATCH");
    expect(r.problem?.message).not.toContain("hunter2");
  });
});
