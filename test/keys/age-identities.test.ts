// Identity discovery: SSH keys after age keys, passphrase-protected identity files and SSH keys opened only
// when needed (prompt injected), and the listing for `doctor`, which must carry no private material.
import { afterAll, describe, expect, it } from "vitest";
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Encrypter, armor, generateIdentity, identityToRecipient } from "age-encryption";
import { AgeKey } from "../../src/keys/age.js";
import { listIdentities, loadAgeIdentities } from "../../src/keys/age-identities.js";
import { openPassphraseFile } from "../../src/keys/age-passphrase-file.js";
import { WrongPassphraseError } from "../../src/keys/_wrong-passphrase.js";
import { makeKeyContext } from "../../src/ops/key-context.js";
import type { KeyContext } from "../../src/keys/types.js";

const root = mkdtempSync(join(tmpdir(), "sealfile-ids-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

function home(): string {
  const h = join(root, `h${n++}`);
  mkdirSync(join(h, ".ssh"), { recursive: true });
  return h;
}

function sshKey(path: string, type: "ed25519" | "rsa", pass = ""): string {
  execFileSync("ssh-keygen", ["-q", "-t", type, ...(type === "rsa" ? ["-b", "2048"] : []), "-a", "4", "-N", pass, "-C", "c@t", "-f", path]);
  return readFileSync(`${path}.pub`, "utf8").trim();
}

async function passphraseFile(text: string, pass: string, armored: boolean): Promise<Uint8Array> {
  const e = new Encrypter();
  e.setPassphrase(pass);
  e.setScryptWorkFactor(10);
  const bin = await e.encrypt(text);
  return armored ? Buffer.from(armor.encode(bin)) : bin;
}

function ctxFor(h: string, env: Record<string, string>, answers?: string[]): { ctx: KeyContext; asked: string[] } {
  const asked: string[] = [];
  const queue = answers ? [...answers] : undefined;
  const prompt = queue
    ? (p: string): Promise<string> => {
        asked.push(p);
        return Promise.resolve(queue.shift() ?? "");
      }
    : false;
  return { ctx: makeKeyContext({ HOME: h, XDG_CONFIG_HOME: join(h, ".config"), ...env }, { promptPassphrase: prompt }), asked };
}

async function sealedFor(recipient: string, dataKey: Uint8Array): Promise<AgeKey> {
  const k = AgeKey.fromRecipient(recipient);
  await k.encrypt(dataKey);
  return AgeKey.fromMetadata(k.toMetadata());
}

describe("age and SSH identities", () => {
  it("finds ~/.ssh/id_ed25519 and id_rsa after the age sources and opens SSH stanzas with them", async () => {
    const h = home();
    const edPub = sshKey(join(h, ".ssh/id_ed25519"), "ed25519");
    const rsaPub = sshKey(join(h, ".ssh/id_rsa"), "rsa");
    const { ctx } = ctxFor(h, {});
    const loaded = await loadAgeIdentities(ctx);
    expect(loaded.sources.map((s) => s.kind)).toEqual(["age", "age", "age", "age", "ssh", "ssh", "ssh"]);
    expect(loaded.ssh.map((s) => s.locked)).toEqual([false, false]);
    const dk = randomBytes(32);
    for (const pub of [edPub, rsaPub]) {
      const r = await (await sealedFor(pub, dk)).decrypt(ctx);
      expect(r.ok && Buffer.compare(r.dataKey, dk) === 0).toBe(true);
    }
  });

  it("a protected SSH key is asked for only when a stanza carries its tag; wrong passphrases are a clear failure", async () => {
    const h = home();
    const keyPath = join(root, `locked${n}`);
    const pub = sshKey(keyPath, "ed25519", "s3cret pass");
    const dk = randomBytes(32);
    const ageId = await generateIdentity();
    const forOther = await sealedFor(await identityToRecipient(ageId), dk);
    const forMe = await sealedFor(pub, dk);

    const a = ctxFor(h, { SOPS_AGE_SSH_PRIVATE_KEY_FILE: keyPath }, ["s3cret pass"]);
    expect((await forOther.decrypt(a.ctx)).ok).toBe(false);
    expect(a.asked).toHaveLength(0);
    const r = await forMe.decrypt(a.ctx);
    expect(r.ok && Buffer.compare(r.dataKey, dk) === 0).toBe(true);
    expect(a.asked).toEqual([`Enter passphrase for SOPS_AGE_SSH_PRIVATE_KEY_FILE=${keyPath}: `]);
    expect((await forMe.decrypt(a.ctx)).ok).toBe(true);
    expect(a.asked).toHaveLength(1); // kept in memory for this command

    const b = ctxFor(h, { SOPS_AGE_SSH_PRIVATE_KEY_FILE: keyPath }, ["x", "y", "z"]);
    const bad = await forMe.decrypt(b.ctx);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.reason).toBe(`wrong passphrase for SOPS_AGE_SSH_PRIVATE_KEY_FILE=${keyPath}`);
    expect(b.asked).toHaveLength(3);

    const c = ctxFor(h, { SOPS_AGE_SSH_PRIVATE_KEY_FILE: keyPath });
    const none = await forMe.decrypt(c.ctx);
    if (!none.ok) expect(none.reason).toMatch(/no terminal.*SOPS_AGE_SSH_PRIVATE_KEY_CMD/);
    expect(none.ok).toBe(false);
  });

  for (const armored of [true, false]) {
    it(`a passphrase-protected identity file (${armored ? "armored" : "binary"}) opens after one prompt per command`, async () => {
      const h = home();
      const id = await generateIdentity();
      const file = join(root, `keys${n++}.age`);
      writeFileSync(file, await passphraseFile(`# created: now\n${id}\n`, "pw 1", armored));
      const dk = randomBytes(32);
      const key1 = await sealedFor(await identityToRecipient(id), dk);
      const key2 = await sealedFor(await identityToRecipient(id), dk);
      const a = ctxFor(h, { SOPS_AGE_KEY_FILE: file }, ["wrong", "pw 1"]);
      const [r1, r2] = await Promise.all([key1.decrypt(a.ctx), key2.decrypt(a.ctx)]);
      expect(r1.ok && r2.ok).toBe(true);
      expect(a.asked).toHaveLength(2); // one wrong try, one right; the second key reused it
      expect(a.asked[1]).toMatch(/^Wrong passphrase, try again\. /);

      const c = ctxFor(h, { SOPS_AGE_KEY_FILE: file });
      const none = await key1.decrypt(c.ctx);
      expect(none.ok).toBe(false);
      if (!none.ok) expect(none.reason).toContain("SOPS_AGE_KEY_CMD");
    });
  }

  it("a locked identity file is not asked for when a plain identity or an SSH stanza is what the file needs", async () => {
    const h = home();
    const plainId = await generateIdentity();
    writeFileSync(join(root, "plain.txt"), `${plainId}\n`);
    const file = join(root, `keys${n++}.age`);
    writeFileSync(file, await passphraseFile(`${await generateIdentity()}\n`, "pw", true));
    const pub = sshKey(join(h, ".ssh/id_ed25519"), "ed25519");
    const dk = randomBytes(32);
    const a = ctxFor(h, { SOPS_AGE_KEY_FILE: file, SOPS_AGE_KEY: plainId }, ["pw"]);
    expect((await (await sealedFor(await identityToRecipient(plainId), dk)).decrypt(a.ctx)).ok).toBe(true);
    expect((await (await sealedFor(pub, dk)).decrypt(a.ctx)).ok).toBe(true);
    expect(a.asked).toHaveLength(0);
  });

  it("openPassphraseFile tells a wrong passphrase from a file not made with one", async () => {
    const bin = await passphraseFile("x", "right", false);
    expect(Buffer.from(await openPassphraseFile(bin, "right")).toString()).toBe("x");
    await expect(openPassphraseFile(bin, "wrong")).rejects.toBeInstanceOf(WrongPassphraseError);
    const e = new Encrypter();
    e.addRecipient(await identityToRecipient(await generateIdentity()));
    await expect(openPassphraseFile(await e.encrypt("x"), "any")).rejects.toThrow(/not encrypted with a passphrase/);
  });

  it("listIdentities gives each identity's source and recipient, and no private material", async () => {
    const h = home();
    const id = await generateIdentity();
    writeFileSync(join(root, "list.txt"), `${id}\n`);
    const edPub = sshKey(join(h, ".ssh/id_ed25519"), "ed25519");
    const lockedPath = join(root, `lk${n++}`);
    const lockedPub = sshKey(lockedPath, "rsa", "pw");
    const ageFile = join(h, ".config/sops/age");
    mkdirSync(ageFile, { recursive: true });
    writeFileSync(join(ageFile, "keys.txt"), await passphraseFile(`${await generateIdentity()}\n`, "pw", true));
    const { ctx } = ctxFor(h, { SOPS_AGE_KEY_FILE: join(root, "list.txt"), SOPS_AGE_SSH_PRIVATE_KEY_FILE: lockedPath });
    const list = await listIdentities(ctx);
    const strip = (l: string): string => l.split(" ").slice(0, 2).join(" ");
    expect(list).toEqual([
      { source: `SOPS_AGE_KEY_FILE=${join(root, "list.txt")}`, type: "age-x25519", recipient: await identityToRecipient(id), locked: false },
      { source: join(ageFile, "keys.txt"), type: "age-passphrase-file", recipient: undefined, locked: true },
      { source: `SOPS_AGE_SSH_PRIVATE_KEY_FILE=${lockedPath}`, type: "ssh-rsa", recipient: strip(lockedPub), locked: true },
      { source: join(h, ".ssh/id_ed25519"), type: "ssh-ed25519", recipient: strip(edPub), locked: false },
    ]);
    const text = JSON.stringify(list);
    expect(text).not.toContain("AGE-SECRET-KEY");
    const body = readFileSync(join(h, ".ssh/id_ed25519"), "utf8").split("\n")[1]!;
    expect(text).not.toContain(body.slice(0, 20));
  });
});

describe("key files that are not files", () => {
  it("a key file that is a device, a folder or a pipe: devices and folders are named unreadable at once, a pipe is read", async () => {
    const h = home();
    const id = await generateIdentity();
    for (const [env, label, reason] of [
      [{ SOPS_AGE_KEY_FILE: "/dev/zero" }, "SOPS_AGE_KEY_FILE=/dev/zero", "is not a regular file (a device)"],
      [{ SOPS_AGE_KEY_FILE: h }, `SOPS_AGE_KEY_FILE=${h}`, "is not a regular file (a folder)"],
      [{ SOPS_AGE_SSH_PRIVATE_KEY_FILE: "/dev/zero" }, "SOPS_AGE_SSH_PRIVATE_KEY_FILE=/dev/zero", "is not a regular file (a device)"],
    ] as const) {
      const loaded = await loadAgeIdentities(ctxFor(h, env).ctx);
      expect(loaded.sources.find((s) => s.label === label)).toMatchObject({ status: "unreadable", reason });
    }
    // A FIFO with a writer, as `SOPS_AGE_KEY_FILE=<(pass show age)` gives.
    const fifo = join(h, "keys.fifo");
    execFileSync("mkfifo", [fifo]);
    const writer = spawn("sh", ["-c", `printf '%s\\n' "$1" > "$2"`, "sh", id, fifo], { stdio: "ignore" });
    const loaded = await loadAgeIdentities(ctxFor(h, { SOPS_AGE_KEY_FILE: fifo }).ctx);
    expect(loaded.identities).toEqual([id]);
    writer.kill();
  });
});
