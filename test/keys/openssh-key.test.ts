// OpenSSH and PEM private keys (plain and passphrase-protected, several ciphers) made by ssh-keygen,
// and the Blowfish/bcrypt_pbkdf core they need.
import { afterAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Decrypter } from "age-encryption";
import { bcryptPbkdf, blowfishEncryptBlock, blowfishInitialState } from "../../src/keys/_bcrypt-pbkdf.js";
import { WrongPassphraseError } from "../../src/keys/_wrong-passphrase.js";
import { parseSshPrivateKey } from "../../src/keys/openssh-key.js";
import { sshIdentityOf } from "../../src/keys/ssh-identity.js";
import { formatSshPublicKey } from "../../src/keys/ssh-recipient.js";
import { hasAge, noteMissing } from "../helpers/tools.js";
import { ed25519Pem } from "../helpers/pem-keys.js";

noteMissing("age", hasAge, "the check that each opened key opens a stanza `age -R` made for its .pub");

const dir = mkdtempSync(join(tmpdir(), "sealfile-openssh-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

function keygen(args: string[], pass = ""): { priv: string; pub: string; path: string } {
  const path = join(dir, `k${n++}`);
  execFileSync("ssh-keygen", ["-q", "-N", pass, "-C", "t@test", "-f", path, ...args]);
  return { path, priv: readFileSync(path, "utf8"), pub: readFileSync(`${path}.pub`, "utf8").trim() };
}

/** Proves an opened key is the real private half: it opens a stanza `age -R` made for its .pub (skipped without `age`). */
async function opensAgeStanza(k: { path: string }, priv: ReturnType<ReturnType<typeof parseSshPrivateKey>["open"]>): Promise<void> {
  if (!hasAge) return;
  const payload = randomBytes(32);
  const file = execFileSync("age", ["-R", `${k.path}.pub`], { input: payload });
  const d = new Decrypter();
  d.addIdentity(sshIdentityOf(priv));
  expect(Buffer.compare(Buffer.from(await d.decrypt(file)), payload)).toBe(0);
}

describe("Blowfish core", () => {
  it("initial state is pi's hex digits (P[0], P[17], S0[0], S3[255])", () => {
    const s = blowfishInitialState();
    expect([s[0], s[17], s[18], s[1041]].map((x) => x!.toString(16))).toEqual(["243f6a88", "8979fb1b", "d1310ba6", "3ac372e6"]);
  });

  it("matches Eric Young's Blowfish vectors", () => {
    const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
    expect(hex(blowfishEncryptBlock(new Uint8Array(8), new Uint8Array(8)))).toBe("4ef997456198dd78");
    expect(hex(blowfishEncryptBlock(new Uint8Array(8).fill(0xff), new Uint8Array(8).fill(0xff)))).toBe("51866fd5b85ecb8a");
    expect(hex(blowfishEncryptBlock(Buffer.from("3000000000000000", "hex"), Buffer.from("1000000000000001", "hex")))).toBe("7d856f9a613063f2");
  });

  it("bcrypt_pbkdf refuses what OpenBSD refuses and spreads output bytes across blocks", () => {
    expect(() => bcryptPbkdf(new Uint8Array(0), new Uint8Array(16), 32, 1)).toThrow();
    expect(() => bcryptPbkdf(new Uint8Array(1), new Uint8Array(16), 32, 0)).toThrow();
    const a = bcryptPbkdf(Buffer.from("pw"), Buffer.from("salt"), 48, 2);
    const b = bcryptPbkdf(Buffer.from("pw"), Buffer.from("salt"), 48, 2);
    const c = bcryptPbkdf(Buffer.from("pX"), Buffer.from("salt"), 48, 2);
    expect(Buffer.compare(a, b)).toBe(0);
    expect(Buffer.compare(a, c)).not.toBe(0);
  });
});

describe("OpenSSH private keys", () => {
  it("plain ed25519 and rsa keys give their public key and open age stanzas", async () => {
    for (const args of [["-t", "ed25519"], ["-t", "rsa", "-b", "2048"]]) {
      const k = keygen(args);
      const f = parseSshPrivateKey(k.priv);
      expect(f.encrypted).toBe(false);
      expect(formatSshPublicKey(f.publicKey!)).toBe(k.pub.split(" ").slice(0, 2).join(" "));
      await opensAgeStanza(k, f.open());
    }
  });

  const ciphers = ["aes256-ctr", "aes256-gcm@openssh.com", "aes128-cbc", "aes192-ctr", "aes128-gcm@openssh.com"];
  for (const cipher of ciphers) {
    it(`passphrase-protected ed25519 with ${cipher}: public key readable, opens with the passphrase only`, async () => {
      const k = keygen(["-t", "ed25519", "-Z", cipher, "-a", "4"], "correct horse");
      const f = parseSshPrivateKey(k.priv);
      expect(f.encrypted).toBe(true);
      expect(formatSshPublicKey(f.publicKey!)).toBe(k.pub.split(" ").slice(0, 2).join(" "));
      expect(() => f.open("wrong horse")).toThrow(WrongPassphraseError);
      expect(() => f.open()).toThrow(WrongPassphraseError);
      await opensAgeStanza(k, f.open("correct horse"));
    });
  }

  it("passphrase-protected rsa with ssh-keygen's default rounds", async () => {
    const k = keygen(["-t", "rsa", "-b", "2048"], "pw-ÄÖ");
    const f = parseSshPrivateKey(k.priv);
    expect(() => f.open("pw-AO")).toThrow(WrongPassphraseError);
    await opensAgeStanza(k, f.open("pw-ÄÖ"));
  });

  it("PEM RSA (PKCS#1), plain and encrypted with its .pub, and PKCS#8 ed25519", async () => {
    const plain = keygen(["-t", "rsa", "-b", "2048", "-m", "PEM"]);
    expect(plain.priv).toContain("BEGIN RSA PRIVATE KEY");
    const f = parseSshPrivateKey(plain.priv);
    expect(formatSshPublicKey(f.publicKey!)).toBe(plain.pub.split(" ").slice(0, 2).join(" "));
    await opensAgeStanza(plain, f.open());

    const enc = keygen(["-t", "rsa", "-b", "2048", "-m", "PEM"], "pem pass");
    const g = parseSshPrivateKey(enc.priv, enc.pub);
    expect(g.encrypted).toBe(true);
    expect(g.publicKey).toBeDefined();
    expect(parseSshPrivateKey(enc.priv).publicKey).toBeUndefined();
    expect(() => g.open("nope")).toThrow(WrongPassphraseError);
    await opensAgeStanza(enc, g.open("pem pass"));

    const pkcs8 = ed25519Pem();
    const h = parseSshPrivateKey(pkcs8);
    expect(h.publicKey?.type).toBe("ssh-ed25519");
  });

  it("refuses what is not a key without echoing its contents", () => {
    expect(() => parseSshPrivateKey("hello")).toThrow(/not an OpenSSH or PEM private key/);
    const broken = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n";
    expect(() => parseSshPrivateKey(broken)).toThrow(/truncated/);
  });
});
