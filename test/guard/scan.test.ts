import { describe, expect, it } from "vitest";
import { scan } from "../../src/guard/scan.js";
import { maskSecret } from "../../src/guard/mask.js";
import { DEFAULT_SCRYPT, scryptFingerprint } from "../../src/guard/fingerprint.js";
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
    expect(f).toMatchObject({ rule: "github-token", path: "a/b.md", line: 3, column: 9, excerpt: "ghp_…", fingerprint: "" });
    const params = { ...DEFAULT_SCRYPT, salt: Buffer.alloc(16, 7) };
    const fingerprinter = { mark: (rule: string, path: string, secret: string) => ({ fingerprint: scryptFingerprint(params, rule, path, secret), accepted: false }) };
    const [g] = scan("a/b.md", Buffer.from(`intro\n\n  token ${GH} end\n`), testPolicy, { fingerprinter });
    expect(g?.fingerprint).toBe(scryptFingerprint(params, "github-token", "a/b.md", GH));
    expect(g?.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify([f, g])).not.toContain(GH.slice(4));
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

  it("searches binary content's printable runs for token formats only, and still checks the name", () => {
    const bin = Buffer.concat([Buffer.from([0, 1, 2]), Buffer.from(GH)]);
    expect(s("img.bin", bin).map((x) => [x.rule, x.line, x.column])).toEqual([["github-token", 1, 4]]);
    expect(s("certs/client.p12", bin).map((x) => x.rule)).toEqual(["secret-file", "github-token"]);
    // no generic `password = …` guesses in binaries, and runs shorter than 8 characters are dropped
    const noisy = Buffer.concat([Buffer.from([0, 1, 2, 3]), Buffer.from(`password = "${["Xk9#mQ2", "$vL7!pR4"].join("")}"`), Buffer.from([0, 5]), Buffer.from("ghp_ab"), Buffer.from([0])]);
    expect(s("lib.so", noisy)).toEqual([]);
  });

  it("decodes UTF-16 and UTF-32 (with or without a byte-order mark) and reads past stray NULs", () => {
    const text = `first\ntoken = ${GH}\n`;
    const le = Buffer.from(text, "utf16le");
    const be = Buffer.from(le).swap16();
    const u32le = Buffer.alloc(text.length * 4);
    [...text].forEach((c, i) => u32le.writeUInt32LE(c.codePointAt(0) ?? 0, i * 4));
    const u32be = Buffer.alloc(text.length * 4);
    [...text].forEach((c, i) => u32be.writeUInt32BE(c.codePointAt(0) ?? 0, i * 4));
    const cases: Array<[string, Buffer]> = [
      ["utf16le-bom", Buffer.concat([Buffer.from([0xff, 0xfe]), le])],
      ["utf16le", le],
      ["utf16be-bom", Buffer.concat([Buffer.from([0xfe, 0xff]), be])],
      ["utf16be", be],
      ["utf32le-bom", Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), u32le])],
      ["utf32be", u32be],
      ["nuls", Buffer.from(`first\0\0\ntoken = ${GH}\0\n`)],
    ];
    for (const [name, bytes] of cases) {
      expect(s(`${name}.txt`, bytes).map((x) => [x.rule, x.line, x.column]), name).toEqual([["github-token", 2, 9]]);
    }
    // a UTF-16 `.env` is still a .env file
    expect(s(".env", Buffer.from("API=1\n", "utf16le")).map((x) => x.rule)).toEqual(["secret-file"]);
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

describe("issue 16 item 4: only files with sops metadata are parsed as sealed files", () => {
  it("does not parse source code that quotes ENC[…] values, and still parses a sealed YAML file", () => {
    const inspected: string[] = [];
    const counting: GuardPolicy = { ...testPolicy, inspectSealed: (p, b) => (inspected.push(p), testPolicy.inspectSealed(p, b)) };
    scan("src/fixtures.ts", Buffer.from(`export const sealed = "${ENC}";\n`), counting);
    expect(inspected).toEqual([]);
    scan("config/app.yaml", Buffer.from(`a: ${ENC}\nsops:\n    mac: ${ENC}\n`), counting);
    expect(inspected).toEqual(["config/app.yaml"]);
  });
});
