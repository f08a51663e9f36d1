import { describe, expect, it } from "vitest";
import { scan } from "../../src/guard/scan.js";
import { fingerprint, maskSecret } from "../../src/guard/mask.js";
import type { GuardPolicy } from "../../src/guard/types.js";
import { testPolicy } from "./_policy.js";

// Built at run time so this source holds no token-shaped literal.
const GH = ["gh", "p_", "Z3kLq8", "Rt5vXw2NbY7cMd4FhJ9sPa6GeU1oTi0Q"].join("");
const AWS_ID = ["AK", "IA", "Q4ZB7WJ3XNR5T2LM"].join("");
const ENC = `ENC[AES256_GCM,data:${AWS_ID}xx==,iv:8f1Kc2dQ3pR4sT5uV6wX7yZ8aB9cD0eF1gH2iJ3kL4m=,tag:q1w2e3r4t5y6u7i8o9p0aa==,type:str]`;
const s = (path: string, text: string | Uint8Array, policy: GuardPolicy = testPolicy) =>
  scan(path, typeof text === "string" ? Buffer.from(text) : text, policy);

describe("scan", () => {
  it("reports line, column, a masked excerpt and a value-free fingerprint", () => {
    const [f, ...rest] = s("a/b.md", `intro\n\n  token ${GH} end\n`);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ rule: "github-token", path: "a/b.md", line: 3, column: 9, excerpt: "ghp_…" });
    expect(f?.fingerprint).toBe(fingerprint("github-token", "a/b.md", GH));
    expect(JSON.stringify(f)).not.toContain(GH.slice(4));
  });

  it("masks short values harder than long ones", () => {
    expect(maskSecret("abcdefghijklmnop")).toBe("abcd…");
    expect(maskSecret("abcdefgh")).toBe("ab…");
    expect(maskSecret("abc")).toBe("…");
  });

  it("suppresses a finding with secrets:allow on its line only", () => {
    const f = s("x.txt", `${GH} # secrets:allow\n${GH}\n`);
    expect(f.map((x) => x.line)).toEqual([2]);
  });

  it("never reports ciphertext of sealed values, but does report a key in clear beside them", () => {
    expect(s("conf/app.yaml", `a: ${ENC}\n`)).toEqual([]);
    const f = s("conf/app.yaml", `a: ${ENC}\nb: ${AWS_ID}\n`);
    expect(f.map((x) => [x.rule, x.line])).toEqual([["aws-access-key", 2]]);
  });

  it("skips binary content but still checks the name", () => {
    const bin = Buffer.concat([Buffer.from([0, 1, 2]), Buffer.from(GH)]);
    expect(s("img.bin", bin)).toEqual([]);
    expect(s("certs/client.p12", bin).map((x) => x.rule)).toEqual(["secret-file"]);
  });

  it("finds a key inside one very long minified line", () => {
    const filler = "a=b+c;".repeat(200_000);
    const f = s("dist/x.min.js", `${filler}var k="${GH}";${filler}`);
    expect(f.map((x) => [x.rule, x.line, x.column])).toEqual([["github-token", 1, filler.length + 8]]);
  });

  it("blocks a file under a creation rule that is not sealed, with the policy's reason", () => {
    const f = s("secrets/x.yaml", "a: 1\n");
    expect(f).toHaveLength(1);
    expect(f[0]?.rule).toBe("unsealed-file");
    expect(f[0]?.message).toMatch(/creation_rules\[0\].*no sops metadata/);
  });

  it("reports clear values as the policy finds them, filtered by the rule's shouldEncrypt", () => {
    const policy: GuardPolicy = {
      rules: [{ index: 3, pathRegex: /\.yaml$/, shouldEncrypt: (kp) => kp.at(-1) !== "public" }],
      inspectSealed: () => ({ sealed: true, clearValues: [["db", "password"], ["public"]] }),
    };
    const f = s("any.yaml", "whatever\n", policy);
    expect(f.map((x) => [x.rule, x.message.split(";")[0]])).toEqual([["clear-value", 'value at "db.password" is not encrypted']]);
  });

  it("treats secret-looking names by content: certificates and templates pass, keys and .env do not", () => {
    expect(s("certs/ca.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")).toEqual([]);
    expect(s(".env.example", "API_KEY=\n")).toEqual([]);
    expect(s(".env", "PORT=3000\n").map((x) => x.rule)).toEqual(["secret-file"]);
    expect(s("home/id_ed25519", "x").map((x) => x.rule)).toEqual(["secret-file"]);
    expect(s("home/id_ed25519.pub", "ssh-ed25519 AAAAC3Nz user")).toEqual([]);
    expect(s(".npmrc", "//r/:_authToken=${NPM_TOKEN}\n")).toEqual([]);
  });

  it("does not ask the policy about ordinary files", () => {
    let asked = 0;
    const policy: GuardPolicy = { rules: [], inspectSealed: () => (asked++, { sealed: false }) };
    s("src/a.ts", "export const a = 1;\n", policy);
    expect(asked).toBe(0);
    s(".env", "A=1\n", policy);
    expect(asked).toBe(1);
  });

  it("always blocks .env.keys and age identities unless sealed", () => {
    expect(s("app/.env.keys", "# nothing yet\n").map((x) => x.rule)).toEqual(["key-file"]);
    const sealedPolicy: GuardPolicy = { rules: [], inspectSealed: () => ({ sealed: true }) };
    expect(s("app/.env.keys", `X=${ENC}\n`, sealedPolicy)).toEqual([]);
    const id = `AGE-SECRET-KEY-1${"QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L".repeat(2).slice(0, 58)}`;
    const f = s("notes.txt", `x ${id} # secrets:allow\n`);
    expect(f.map((x) => [x.rule, x.line, x.excerpt])).toEqual([["key-file", 1, "AGE-…"]]);
  });
});
