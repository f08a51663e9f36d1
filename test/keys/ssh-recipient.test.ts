// SSH recipients and identities checked against Debian's `age` (agessh) and keys made by `ssh-keygen`.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Decrypter, Encrypter, armor } from "age-encryption";
import { formatSshPublicKey, isSshRecipient, parseSshPublicKey, sshRecipient, sshTag } from "../../src/keys/ssh-recipient.js";
import { sshIdentityOf } from "../../src/keys/ssh-identity.js";
import { parseSshPrivateKey } from "../../src/keys/openssh-key.js";
import { hasAge, noteMissing } from "../helpers/tools.js";

noteMissing("age", hasAge, "the tests that open our SSH stanzas with `age -d` and ours with `age -R`");
import { isSealError } from "../../src/errors.js";

const dir = mkdtempSync(join(tmpdir(), "sealfile-ssh-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function keygen(name: string, args: string[]): { priv: string; pub: string; path: string } {
  const path = join(dir, name);
  execFileSync("ssh-keygen", ["-q", "-N", "", "-C", `${name}@test`, "-f", path, ...args]);
  return { path, priv: readFileSync(path, "utf8"), pub: readFileSync(`${path}.pub`, "utf8").trim() };
}

let ed: ReturnType<typeof keygen>;
let rsa: ReturnType<typeof keygen>;
let other: ReturnType<typeof keygen>;
beforeAll(() => {
  ed = keygen("ed", ["-t", "ed25519"]);
  rsa = keygen("rsa", ["-t", "rsa", "-b", "2048"]);
  other = keygen("other", ["-t", "ed25519"]);
});

async function encryptTo(line: string, payload: Uint8Array): Promise<Uint8Array> {
  const e = new Encrypter();
  e.addRecipient(sshRecipient(line));
  return e.encrypt(payload);
}

/** The header line of the first stanza, e.g. `-> ssh-ed25519 TAG SHARE`. */
function stanzaLine(file: Uint8Array): string {
  return Buffer.from(file).toString("latin1").split("\n")[1]!;
}

describe("SSH recipients", () => {
  for (const which of ["ed25519", "rsa"] as const) {
    it.skipIf(!hasAge)(`ssh-${which}: age -d -i <private key> opens what we wrap`, async () => {
      const k = which === "ed25519" ? ed : rsa;
      const payload = randomBytes(32);
      const file = await encryptTo(k.pub, payload);
      const p = join(dir, `ours-${which}.age`);
      writeFileSync(p, armor.encode(file));
      const out = execFileSync("age", ["-d", "-i", k.path, p]);
      expect(Buffer.compare(out, payload)).toBe(0);
      // The other key's identity must not open it.
      expect(() => execFileSync("age", ["-d", "-i", other.path, p], { stdio: "pipe" })).toThrow();
    });

    it.skipIf(!hasAge)(`ssh-${which}: our identity opens what age -R wraps, with the same tag`, async () => {
      const k = which === "ed25519" ? ed : rsa;
      const payload = randomBytes(32);
      const out = execFileSync("age", ["-R", `${k.path}.pub`], { input: payload });
      const args = stanzaLine(out).split(" ");
      expect(args[1]).toBe(`ssh-${which}`);
      expect(args[2]).toBe(sshTag(parseSshPublicKey(k.pub).wire));
      const d = new Decrypter();
      d.addIdentity(sshIdentityOf(parseSshPrivateKey(k.priv).open()));
      expect(Buffer.compare(Buffer.from(await d.decrypt(out)), payload)).toBe(0);
    });
  }

  it("stanza shape follows the spec: ed25519 has tag + 32-byte share, rsa has tag only", async () => {
    const e = stanzaLine(await encryptTo(ed.pub, new Uint8Array(32))).split(" ");
    expect(e).toHaveLength(4);
    expect(Buffer.from(e[3]!, "base64")).toHaveLength(32);
    expect(e[3]).not.toContain("=");
    const r = stanzaLine(await encryptTo(rsa.pub, new Uint8Array(32))).split(" ");
    expect(r).toHaveLength(3);
    expect(r[2]).toMatch(/^[A-Za-z0-9+/]{6}$/);
  });

  it("another key's identity returns no match (not an error); a tampered body is an error", async () => {
    const file = await encryptTo(ed.pub, new Uint8Array(32));
    const d = new Decrypter();
    d.addIdentity(sshIdentityOf(parseSshPrivateKey(other.priv).open()));
    await expect(d.decrypt(file)).rejects.toThrow(/no identity matched/);
    const text = Buffer.from(file).toString("latin1").split("\n");
    const body = Buffer.from(text[2]!, "base64");
    body[0]! ^= 1;
    text[2] = body.toString("base64").replace(/=+$/, "");
    const d2 = new Decrypter();
    d2.addIdentity(sshIdentityOf(parseSshPrivateKey(ed.priv).open()));
    await expect(d2.decrypt(Buffer.from(text.join("\n"), "latin1"))).rejects.toThrow();
  });

  it("parses key lines, drops the comment in the canonical form, refuses bad keys", () => {
    expect(isSshRecipient(ed.pub)).toBe(true);
    expect(isSshRecipient("age1xyz")).toBe(false);
    const pk = parseSshPublicKey(ed.pub);
    expect(formatSshPublicKey(pk)).toBe(ed.pub.split(" ").slice(0, 2).join(" "));
    const small = keygen("small", ["-t", "rsa", "-b", "1024"]);
    expect(() => parseSshPublicKey(small.pub)).toThrow(/at least 2048/);
    expect(() => parseSshPublicKey("ssh-ed25519 AAAA")).toThrow();
    const mislabeled = `ssh-rsa ${ed.pub.split(" ")[1]}`;
    try {
      parseSshPublicKey(mislabeled);
      expect.unreachable();
    } catch (e) {
      expect(isSealError(e, "BAD_RECIPIENT")).toBe(true);
    }
  });
});
