// Issue 19, acceptance 1: PGP recipients and identities — interop both ways with Debian's gpg, and every PGP-only
// sops fixture opens with the fixture's key imported into a temporary GnuPG home.
import { createDecipheriv } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse, parseDocument } from "yaml";
import { FIXTURES, baseEnv, tempHome } from "../helpers/cli.js";
import { SOPS_TEST_FP, SOPS_TEST_KEY, tempGnupgHome } from "../helpers/gnupg.js";
import { runInProcess } from "../helpers/in-process.js";
import { hasGpg, noteMissing } from "../helpers/tools.js";

noteMissing("gpg", hasGpg, "the PGP key source tests, which run Debian's gpg");

const home = tempHome();
const withKey = tempGnupgHome([SOPS_TEST_KEY]);
const empty = tempGnupgHome();
const dir = mkdtempSync(join(tmpdir(), "sealfile-pgp-"));
afterAll(() => {
  withKey.cleanup();
  empty.cleanup();
  home.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const FILES = ["format.enc.yaml", "format.enc.json", "format.enc.env", "format.enc.ini", "comments.enc.yaml"];
const expected = (name: string): unknown => JSON.parse(readFileSync(join(FIXTURES, "modern/expected", `${name}.values.json`), "utf8"));
const env = (extra: Record<string, string>): Record<string, string> => baseEnv(home.dir, extra);

/** The value of `key` at the top of a sealed YAML document, opened with `dataKey` by hand (AES-256-GCM, AAD `key:`). */
function openValueByHand(sealedYaml: string, key: string, dataKey: Buffer): string {
  const enc = (parse(sealedYaml) as Record<string, string>)[key] ?? "";
  const m = /^ENC\[AES256_GCM,data:([^,]*),iv:([^,]*),tag:([^,]*),type:str\]$/.exec(enc);
  if (!m) throw new Error(`not an encrypted string: ${enc}`);
  const d = createDecipheriv("aes-256-gcm", dataKey, Buffer.from(m[2]!, "base64"));
  d.setAAD(Buffer.from(`${key}:`));
  d.setAuthTag(Buffer.from(m[3]!, "base64"));
  return Buffer.concat([d.update(Buffer.from(m[1]!, "base64")), d.final()]).toString("utf8");
}

describe.skipIf(!hasGpg)("issue 19 acceptance 1: PGP-only sops fixtures", () => {
  for (const name of FILES) {
    it(`${name} opens through gpg with the fixture key in a temporary GNUPGHOME`, async () => {
      const r = await runInProcess(["decrypt", "--output-type", "json", join(FIXTURES, "pgp", name)], { env: env({ GNUPGHOME: withKey.dir }) });
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual(expected(name));
    });
  }

  it("every fixture also opens with the armored secret key given as a file (OpenPGP.js, no gpg key)", async () => {
    for (const name of FILES) {
      const r = await runInProcess(["decrypt", "--output-type", "json", join(FIXTURES, "pgp", name)], {
        env: env({ GNUPGHOME: empty.dir, SEALFILE_PGP_KEY_FILE: SOPS_TEST_KEY, SOPS_GPG_EXEC: join(dir, "no-gpg-here") }),
      });
      expect(r.stderr).toBe("");
      expect(JSON.parse(r.stdout)).toEqual(expected(name));
    }
  });

  it("without the key, the error names the PGP recipient, the GnuPG home and the reason", async () => {
    const r = await runInProcess(["decrypt", join(FIXTURES, "pgp/format.enc.yaml")], { env: env({ GNUPGHOME: empty.dir }) });
    expect(r.code).toBe(128);
    expect(r.stderr).toContain(`pgp ${SOPS_TEST_FP}`);
    expect(r.stderr).toContain("no secret key");
    expect(r.stderr).toContain(empty.dir);
    expect(r.stderr).toContain("hint: make one of these recipients' keys available (e.g. the secret key in GnuPG (GNUPGHOME) or SEALFILE_PGP_KEY_FILE)");
  });

  it("a missing SOPS_GPG_EXEC program is named", async () => {
    const missing = join(dir, "my-gpg");
    const r = await runInProcess(["decrypt", join(FIXTURES, "pgp/format.enc.yaml")], { env: env({ GNUPGHOME: withKey.dir, SOPS_GPG_EXEC: missing }) });
    expect(r.code).toBe(128);
    expect(r.stderr).toContain(`${missing} not found`);
  });
});

describe.skipIf(!hasGpg)("issue 19 acceptance 1: interop with Debian's gpg", () => {
  const plain = join(dir, "plain.yaml");
  writeFileSync(plain, "password: hunter2\nuser: admin\n");

  it("a file sealed by sealfile for a fingerprint opens with `gpg --decrypt` of its stanza", async () => {
    const r = await runInProcess(["encrypt", "--pgp", SOPS_TEST_FP, plain], { env: env({ GNUPGHOME: withKey.dir }) });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const md = (parse(r.stdout) as { sops: { pgp: Array<{ fp: string; enc: string; created_at: string }> } }).sops;
    expect(md.pgp).toHaveLength(1);
    expect(Object.keys(md.pgp[0]!)).toEqual(["created_at", "enc", "fp"]);
    expect(md.pgp[0]!.fp).toBe(SOPS_TEST_FP);
    const g = withKey.gpg(["--decrypt"], md.pgp[0]!.enc);
    expect(g.code).toBe(0);
    expect(g.stdout).toHaveLength(32);
    expect(openValueByHand(r.stdout, "password", g.stdout)).toBe("hunter2");
    // and sealfile opens it again, through gpg
    const sealed = join(dir, "sealed.enc.yaml");
    writeFileSync(sealed, r.stdout);
    const back = await runInProcess(["decrypt", sealed], { env: env({ GNUPGHOME: withKey.dir }) });
    expect(back.stderr).toBe("");
    expect(back.stdout).toBe("password: hunter2\nuser: admin\n");
  });

  it("a stanza made by `gpg --encrypt` opens with sealfile's OpenPGP.js path", async () => {
    const text = readFileSync(join(FIXTURES, "pgp/format.enc.yaml"), "utf8");
    const dataKey = Buffer.from("af5e68dd342b72c6a0475f81a50da4fde898f4b7742c92cbcf1668211411f4e4", "hex");
    const g = withKey.gpg(["--trust-model", "always", "--armor", "--encrypt", "-r", SOPS_TEST_FP], dataKey);
    expect(g.code).toBe(0);
    const stanza = g.stdout.toString("utf8").trim();
    const doc = parseDocument(text);
    expect(doc.getIn(["sops", "pgp", 0, "enc"])).not.toBe(stanza);
    doc.setIn(["sops", "pgp", 0, "enc"], stanza);
    const replaced = doc.toString();
    const file = join(dir, "gpg-made.enc.yaml");
    writeFileSync(file, replaced);
    const r = await runInProcess(["decrypt", "--output-type", "json", file], { env: env({ GNUPGHOME: empty.dir, SEALFILE_PGP_KEY_FILE: SOPS_TEST_KEY }) });
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual(expected("format.enc.yaml"));
  });

  it("encrypting for a fingerprint that is in no keyring fails with a clear error", async () => {
    const r = await runInProcess(["encrypt", "--pgp", SOPS_TEST_FP, plain], { env: env({ GNUPGHOME: empty.dir }) });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`PGP key ${SOPS_TEST_FP}: public key not in the GnuPG keyring`);
    expect(r.stderr).toContain("hint:");
  });

  it("a recipient that is not a fingerprint is refused before gpg sees it", async () => {
    const r = await runInProcess(["encrypt", "--pgp=--homedir=/tmp", plain], { env: env({ GNUPGHOME: withKey.dir }) });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error[BAD_RECIPIENT]: "--homedir=/tmp" is not a PGP fingerprint');
  });
});

describe.skipIf(!hasGpg)("issue 19: PGP keys given as armored files", () => {
  it("encrypts for a public key from SEALFILE_PGP_KEY_FILE and opens with its passphrase-protected secret key, asked on the terminal", async () => {
    const openpgp = await import("openpgp");
    const { PgpKey } = await import("../../src/keys/pgp.js");
    const { makeKeyContext } = await import("../../src/ops/key-context.js");
    const { privateKey, publicKey } = await openpgp.generateKey({ type: "curve25519", userIDs: [{ name: "t" }], passphrase: "correct horse", format: "armored" });
    const fp = (await openpgp.readKey({ armoredKey: publicKey })).getFingerprint().toUpperCase();
    const pubFile = join(dir, "pub.asc");
    const secFile = join(dir, "sec.asc");
    writeFileSync(pubFile, publicKey);
    writeFileSync(secFile, privateKey);
    const dataKey = new Uint8Array(32).fill(7);
    const key = PgpKey.fromFingerprint(fp);
    await key.encrypt(dataKey, makeKeyContext(env({ GNUPGHOME: empty.dir, SEALFILE_PGP_KEY_FILE: pubFile }), { promptPassphrase: false }));
    expect(key.enc).toMatch(/^-----BEGIN PGP MESSAGE-----/);
    // Debian's gpg has no key for it; only the file can open it
    const stored = PgpKey.fromMetadata(key.toMetadata());
    const prompts: string[] = [];
    const ok = await stored.decrypt(makeKeyContext(env({ GNUPGHOME: empty.dir, SEALFILE_PGP_KEY_FILE: secFile }), { promptPassphrase: (p) => (prompts.push(p), Promise.resolve("correct horse")) }));
    expect(ok).toMatchObject({ ok: true });
    expect(ok.ok && Buffer.from(ok.dataKey).equals(Buffer.from(dataKey))).toBe(true);
    expect(prompts).toEqual([`Passphrase for PGP key ${fp}: `]);
    const wrong = await stored.decrypt(makeKeyContext(env({ GNUPGHOME: empty.dir, SEALFILE_PGP_KEY_FILE: secFile }), { promptPassphrase: () => Promise.resolve("nope") }));
    expect(wrong).toMatchObject({ ok: false, reason: expect.stringContaining(`wrong passphrase for the secret key ${fp}`) });
    const noTty = await stored.decrypt(makeKeyContext(env({ GNUPGHOME: empty.dir, SEALFILE_PGP_KEY_FILE: secFile }), { promptPassphrase: false }));
    expect(noTty).toMatchObject({ ok: false, reason: expect.stringContaining("no terminal") });
  });
});
