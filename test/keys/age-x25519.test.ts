// Issue 17: the node:crypto reader of age files for plain X25519 identities (src/keys/_age-x25519.ts) must give
// exactly what age-encryption gives, or nothing (then the library decides). Files come from age-encryption and
// from the age command-line tool; mutated files check that the reader never accepts what the library refuses.
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Decrypter, Encrypter, armor, generateHybridIdentity, generateX25519Identity, identityToRecipient } from "age-encryption";
import { openX25519, sealX25519 } from "../../src/keys/_age-x25519.js";
import { hasAge, noteMissing } from "../helpers/tools.js";

noteMissing("age", hasAge, "the age command-line interop tests of the node:crypto age reader and writer");
const dataKey = Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 0xff);
let alice = "";
let bob = "";
let forAlice = "";
let forBoth = "";

async function seal(plain: Uint8Array, ...recipients: string[]): Promise<string> {
  const e = new Encrypter();
  for (const r of recipients) e.addRecipient(r);
  return armor.encode(await e.encrypt(plain));
}

/** What age-encryption makes of `armored` with `identities`: the plaintext, or undefined when it refuses. */
async function library(armored: string, identities: string[]): Promise<Uint8Array | undefined> {
  try {
    const d = new Decrypter();
    for (const id of identities) d.addIdentity(id);
    return await d.decrypt(armor.decode(armored));
  } catch {
    return undefined;
  }
}

beforeAll(async () => {
  alice = await generateX25519Identity();
  bob = await generateX25519Identity();
  forAlice = await seal(dataKey, await identityToRecipient(alice));
  forBoth = await seal(dataKey, await identityToRecipient(bob), await identityToRecipient(alice));
});

describe("issue 17: age data keys open with node:crypto for plain X25519 identities", () => {
  it("opens a file age-encryption wrote, for the one recipient and for the second of two", () => {
    expect(openX25519(forAlice, [alice])).toEqual(dataKey);
    expect(openX25519(forBoth, [alice])).toEqual(dataKey);
    expect(openX25519(forBoth, ["AGE-SECRET-KEY-1NOTAKEY", alice])).toEqual(dataKey);
  });

  it.skipIf(!hasAge)("opens a file the age command-line tool wrote", () => {
    const dir = mkdtempSync(join(tmpdir(), "sealfile-age-cli-"));
    try {
      writeFileSync(join(dir, "key.bin"), dataKey);
      writeFileSync(join(dir, "id.txt"), `${alice}\n`);
      const r = spawnSync("age", ["-a", "-i", join(dir, "id.txt"), "-e", join(dir, "key.bin")], { encoding: "utf8" });
      // `age -i` encrypts to the identity's recipient
      expect(r.status, r.stderr).toBe(0);
      expect(openX25519(r.stdout, [alice])).toEqual(dataKey);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("answers nothing for a wrong identity, a passphrase file, or a post-quantum recipient", async () => {
    expect(openX25519(forAlice, [bob])).toBeUndefined();
    expect(openX25519(forAlice, [])).toBeUndefined();
    const e = new Encrypter();
    e.setPassphrase("correct horse");
    e.setScryptWorkFactor(4);
    expect(openX25519(armor.encode(await e.encrypt(dataKey)), [alice])).toBeUndefined();
    const pq = await generateHybridIdentity();
    const sealed = await seal(dataKey, await identityToRecipient(pq));
    expect(openX25519(sealed, [pq, alice])).toBeUndefined();
    expect(await library(sealed, [pq])).toEqual(dataKey);
  });

  it("never accepts a mutated file the library refuses, and agrees whenever it answers", async () => {
    const lines = forBoth.split("\n");
    const body = lines.slice(1, -2);
    let answered = 0;
    // every character of every base64 line, changed to a neighbour in the alphabet, plus line-level damage
    const mutants: string[] = [];
    body.forEach((l, i) => {
      for (let j = 0; j < l.length; j += 3) {
        const c = l[j] === "A" ? "B" : "A";
        mutants.push([lines[0], ...body.map((b, k) => (k === i ? b.slice(0, j) + c + b.slice(j + 1) : b)), ...lines.slice(-2)].join("\n"));
      }
    });
    mutants.push(forBoth.replace("-----END", "\n-----END"), forBoth.replace("\n", "\r\n"), forBoth.slice(0, -40) + forBoth.slice(-33));
    for (const m of mutants) {
      const ours = openX25519(m, [alice]);
      if (ours === undefined) continue;
      answered++;
      expect(await library(m, [alice])).toEqual(ours);
    }
    expect(mutants.length).toBeGreaterThan(50);
    // a CRLF file is still a good file, so some mutants are answered
    expect(answered).toBeGreaterThan(0);
  });
});

// Issue 13 item 6 (the suite's time): encrypting a data key through age-encryption's WebCrypto X25519 cost
// about twice the CPU of the rest of an in-process `encrypt`; the node:crypto writer must produce what
// age-encryption writes, readable by the library and by the age tool, or nothing (then the library writes).
describe("issue 13 item 6: age data keys are sealed with node:crypto for plain X25519 recipients", () => {
  it("writes a file that age-encryption and the node:crypto reader open, laid out as age-encryption lays it out", async () => {
    const recipient = await identityToRecipient(alice);
    const ours = sealX25519(recipient, dataKey);
    expect(ours).toBeDefined();
    expect(await library(ours!, [alice])).toEqual(dataKey);
    expect(openX25519(ours!, [alice])).toEqual(dataKey);
    expect(await library(ours!, [bob])).toBeUndefined();
    const theirs = await seal(dataKey, recipient);
    // same armor lines and lengths; the header, once unarmored, has the same lines
    expect(ours!.split("\n").map((l) => l.length)).toEqual(theirs.split("\n").map((l) => l.length));
    const header = (armored: string): string[] => Buffer.from(armor.decode(armored)).toString("latin1").split("\n").slice(0, 4);
    const shape = (lines: string[]): string[] => lines.map((l) => l.replace(/[A-Za-z0-9+/]{43}$/, "<43>"));
    expect(shape(header(ours!))).toEqual(["age-encryption.org/v1", "-> X25519 <43>", "<43>", "--- <43>"]);
    expect(shape(header(ours!))).toEqual(shape(header(theirs)));
    // a fresh ephemeral key and file key every time
    expect(sealX25519(recipient, dataKey)).not.toBe(ours);
  });

  it.skipIf(!hasAge)("writes a file the age command-line tool opens", () => {
    const dir = mkdtempSync(join(tmpdir(), "sealfile-age-cli-"));
    try {
      writeFileSync(join(dir, "id.txt"), `${alice}\n`);
      writeFileSync(join(dir, "sealed.age"), sealX25519(spawnSync("age-keygen", ["-y", join(dir, "id.txt")], { encoding: "utf8" }).stdout.trim(), dataKey)!);
      const r = spawnSync("age", ["-d", "-i", join(dir, "id.txt"), join(dir, "sealed.age")]);
      expect(r.status, r.stderr.toString()).toBe(0);
      expect(new Uint8Array(r.stdout)).toEqual(dataKey);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("leaves everything but a plain age1 recipient and a one-chunk payload to age-encryption", async () => {
    const recipient = await identityToRecipient(alice);
    const pq = await identityToRecipient(await generateHybridIdentity());
    const badChecksum = recipient.slice(0, -1) + (recipient.endsWith("q") ? "p" : "q");
    for (const r of [pq, badChecksum, recipient.toUpperCase(), "age1", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl", "age1yubikey1qwerty"]) {
      expect(sealX25519(r, dataKey), r).toBeUndefined();
    }
    expect(sealX25519(recipient, new Uint8Array(0))).toBeUndefined();
    expect(sealX25519(recipient, new Uint8Array(64 * 1024 + 1))).toBeUndefined();
    expect(sealX25519(recipient, new Uint8Array(64 * 1024))).toBeDefined();
  });
});

// Issue 14 (the fuzzer's hang): a worker stopped for good, its main thread waiting on a lock inside
// node:crypto. On Node 20 a key made by generateKeyPairSync can deadlock its own export({ format: "jwk" }):
// a garbage collection during the export finalizes the key's generation job, whose destructor takes the
// lock the export holds. Sealing made its ephemeral key that way; it now imports 32 random bytes. The
// deadlock depends on when the collector runs, so the seals run in a child with a tiny young generation
// (collections every few hundred seals); before the fix about two runs in three hung there.
describe("issue 14: sealing cannot deadlock in node:crypto", () => {
  const SEALS = 6_000;

  it(`${SEALS} seals in a child process with a tiny young generation all finish`, async () => {
    const root = join(import.meta.dirname, "../..");
    const program = await build({
      stdin: {
        contents: `import { sealX25519 } from "./src/keys/_age-x25519.ts";
          let sealed = 0;
          for (let i = 0; i < ${SEALS}; i++) if (sealX25519(process.argv[2], new Uint8Array(32).fill(7)) !== undefined) sealed++;
          process.stdout.write(String(sealed));`,
        resolveDir: root,
        loader: "ts",
      },
      bundle: true,
      platform: "node",
      format: "cjs",
      write: false,
      logLevel: "warning",
    });
    const recipient = await identityToRecipient(alice);
    const child = spawn(process.execPath, ["--max-semi-space-size=1", "--min-semi-space-size=1", "-", recipient], { cwd: root, stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (b: Buffer) => (out += b.toString()));
    child.stdin.end(program.outputFiles[0]!.text);
    // Wide slack: the seals take about a second; only a deadlock comes near this.
    const hung = setTimeout(() => child.kill("SIGKILL"), 60_000);
    const [code, signal] = (await once(child, "exit")) as [number | null, NodeJS.Signals | null];
    clearTimeout(hung);
    expect({ code, signal, out }).toEqual({ code: 0, signal: null, out: String(SEALS) });
  }, 90_000);
});
