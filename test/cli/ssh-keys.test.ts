// Acceptance (issue 8, points 1 and 2) through the built CLI, checked against Debian's `age` and `ssh-keygen`:
// SSH recipients both ways, a passphrase-protected OpenSSH key and an `age -p` identity file typed on a
// pseudo-terminal, a wrong passphrase, and no terminal at all.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Encrypter } from "age-encryption";
import { BIN, baseEnv, runSecrets, tempHome } from "../helpers/cli.js";
import { hasPty, runOnPty } from "../helpers/pty.js";
import { hasAge, noteMissing } from "../helpers/tools.js";

noteMissing("python3", hasPty, "the passphrase-on-a-terminal tests (test/helpers/pty-drive.py)");
noteMissing("age", hasAge, "the SSH-key interop tests that run `age` and `age-keygen`");

const home = tempHome();
const dir = mkdtempSync(join(tmpdir(), "sealfile-ssh-cli-"));
afterAll(() => {
  home.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const PLAIN = JSON.stringify({ db: { password: "hunter2-ssh" }, port: 5432 }, null, "\t") + "\n";

function sshKey(name: string, type: "ed25519" | "rsa", pass = ""): { path: string; pub: string } {
  const path = join(dir, name);
  // 4 bcrypt rounds instead of ssh-keygen's 16 for a passphrase: the key format is the same, the KDF cheaper.
  execFileSync("ssh-keygen", ["-q", "-t", type, ...(type === "rsa" ? ["-b", "3072"] : []), "-a", "4", "-N", pass, "-C", `${name}@example`, "-f", path]);
  return { path, pub: readFileSync(`${path}.pub`, "utf8").trim() };
}

interface AgeEntry {
  recipient: string;
  enc: string;
}
interface Sealed {
  sops: { age: AgeEntry[] };
}

/** Runs the CLI on a pseudo-terminal (stdin /dev/null), typing `answers` at each passphrase prompt. */
function onPty(args: string[], env: Record<string, string>, answers: string[]): { exit: number; tty: string; stdout: string; stderr: string; answered: number } {
  const out = join(dir, `out-${Math.random().toString(36).slice(2)}`);
  const err = `${out}.err`;
  const envArgs = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  const res = runOnPty(["env", "-i", ...envArgs, process.execPath, BIN, ...args], { answers: passphrases(answers), stdout: out, stderr: err, stdinNull: true });
  return { ...res, stdout: readFileSync(out, "utf8"), stderr: readFileSync(err, "utf8") };
}

/** Runs a command on a pseudo-terminal that has no CLI in it (for `age -p`). */
function ageOnPty(args: string[], answers: string[]): void {
  const out = join(dir, "age-out");
  expect(runOnPty(["age", ...args], { answers: passphrases(answers), stdout: out, stderr: `${out}.err`, stdinNull: true }).exit).toBe(0);
}

/** Each passphrase typed at the next prompt that asks for one. */
const passphrases = (answers: string[]) => answers.map((a) => ({ after: "assphrase", endsWith: ":", send: `${a}\r` }));

let ed: { path: string; pub: string };
let rsa: { path: string; pub: string };
let locked: { path: string; pub: string };
let sealed = "";
let dataKey = Buffer.alloc(0);

beforeAll(() => {
  ed = sshKey("ed", "ed25519");
  rsa = sshKey("rsa", "rsa");
  locked = sshKey("locked", "ed25519", "open sesame");
  writeFileSync(join(dir, "plain.json"), PLAIN);
  const r = runSecrets(["encrypt", "--age", `${ed.pub},${rsa.pub}`, join(dir, "plain.json")], { env: baseEnv(home.dir) });
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  sealed = join(dir, "sealed.json");
  writeFileSync(sealed, r.stdout);
});

function entries(path: string): AgeEntry[] {
  return (JSON.parse(readFileSync(path, "utf8")) as Sealed).sops.age;
}

function ageDecrypt(enc: string, key: string): Buffer {
  const f = join(dir, "stanza.age");
  writeFileSync(f, enc);
  return execFileSync("age", ["-d", "-i", key, f]);
}

/** A copy of `sealed` whose age list holds only the stanza `age -R pub -a` made for the raw data key. */
function withAgeMadeStanza(pubPath: string, pubLine: string, name: string): string {
  const doc = JSON.parse(readFileSync(sealed, "utf8")) as Sealed;
  const enc = execFileSync("age", ["-R", pubPath, "-a"], { input: dataKey }).toString();
  doc.sops.age = [{ recipient: pubLine, enc }];
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify(doc, null, "\t"));
  return p;
}

describe("acceptance 1: SSH keys interoperate with age", () => {
  it.skipIf(!hasAge)("stanzas written by `secrets encrypt` open with `age -d -i <ssh key>` to the same 32-byte data key", () => {
    const list = entries(sealed);
    expect(list.map((e) => e.recipient)).toEqual([ed.pub, rsa.pub]);
    expect(list[0]!.enc).toMatch(/^-----BEGIN AGE ENCRYPTED FILE-----/);
    const a = ageDecrypt(list[0]!.enc, ed.path);
    const b = ageDecrypt(list[1]!.enc, rsa.path);
    expect(a).toHaveLength(32);
    expect(Buffer.compare(a, b)).toBe(0);
    expect(() => execFileSync("age", ["-d", "-i", ed.path, join(dir, "stanza.age")], { stdio: "pipe" })).toThrow();
    dataKey = a;
  });

  it("`secrets decrypt` opens the file with each SSH key: env var, ~/.ssh/id_rsa", () => {
    const d1 = runSecrets(["decrypt", sealed], { env: baseEnv(home.dir, { SOPS_AGE_SSH_PRIVATE_KEY_FILE: ed.path }) });
    expect(d1.stderr).toBe("");
    expect(d1.stdout).toBe(PLAIN);
    const h = join(dir, "home-rsa");
    mkdirSync(join(h, ".ssh"), { recursive: true });
    writeFileSync(join(h, ".ssh/id_rsa"), readFileSync(rsa.path), { mode: 0o600 });
    const d2 = runSecrets(["decrypt", sealed], { env: baseEnv(h) });
    expect(d2.stderr).toBe("");
    expect(d2.stdout).toBe(PLAIN);
  });

  it.skipIf(!hasAge)("stanzas made by `age -R key.pub` in the sops age list open with `secrets decrypt`", () => {
    for (const k of [ed, rsa]) {
      const p = withAgeMadeStanza(`${k.path}.pub`, k.pub, `age-made-${k === ed ? "ed" : "rsa"}.json`);
      const d = runSecrets(["decrypt", p], { env: baseEnv(home.dir, { SOPS_AGE_SSH_PRIVATE_KEY_FILE: k.path }) });
      expect(d.stderr).toBe("");
      expect(d.stdout).toBe(PLAIN);
      const wrong = runSecrets(["decrypt", p], { env: baseEnv(home.dir, { SOPS_AGE_SSH_PRIVATE_KEY_FILE: k === ed ? rsa.path : ed.path }) });
      expect(wrong.code).toBe(128);
    }
  });

  it.skipIf(!hasAge || !hasPty)("a passphrase-protected OpenSSH key opens after the passphrase is typed on the terminal", () => {
    const p = withAgeMadeStanza(`${locked.path}.pub`, locked.pub, "age-made-locked.json");
    const env = baseEnv(home.dir, { SOPS_AGE_SSH_PRIVATE_KEY_FILE: locked.path });
    const ok = onPty(["decrypt", p], env, ["open sesame"]);
    expect(ok.stderr).toBe("");
    expect(ok.exit).toBe(0);
    expect(ok.stdout).toBe(PLAIN);
    expect(ok.answered).toBe(1);
    expect(ok.tty).toContain(`Enter passphrase for SOPS_AGE_SSH_PRIVATE_KEY_FILE=${locked.path}: `);
    expect(ok.tty).not.toContain("open sesame"); // no echo

    const bad = onPty(["decrypt", p], env, ["nope", "nope", "nope"]);
    expect(bad.exit).toBe(128);
    expect(bad.stderr).toContain(`wrong passphrase for SOPS_AGE_SSH_PRIVATE_KEY_FILE=${locked.path}`);
    expect(bad.stdout).toBe("");
  });

  it("SSH keys work as recipients in .sops.yaml rules and key groups", () => {
    const repo = join(dir, "repo");
    mkdirSync(repo, { recursive: true });
    writeFileSync(join(repo, ".sops.yaml"), `creation_rules:\n  - path_regex: a\\.json$\n    age: "${ed.pub}"\n  - path_regex: b\\.json$\n    key_groups:\n      - age:\n          - "${rsa.pub}"\n`);
    for (const [name, key] of [["a.json", ed], ["b.json", rsa]] as const) {
      writeFileSync(join(repo, name), PLAIN);
      const e = runSecrets(["encrypt", join(repo, name)], { env: baseEnv(home.dir), cwd: repo });
      expect(e.stderr).toBe("");
      writeFileSync(join(repo, `${name}.enc`), e.stdout);
      expect((JSON.parse(e.stdout) as Sealed).sops.age?.[0]?.recipient ?? JSON.stringify(JSON.parse(e.stdout).sops.key_groups)).toContain(key.pub.split(" ")[1]);
      const d = runSecrets(["decrypt", "--input-type", "json", join(repo, `${name}.enc`)], { env: baseEnv(home.dir, { SOPS_AGE_SSH_PRIVATE_KEY_FILE: key.path }), cwd: repo });
      expect(d.stderr).toBe("");
      expect(d.stdout).toBe(PLAIN);
    }
  });
});

describe.skipIf(!hasAge || !hasPty)("acceptance 2: a passphrase-protected identity file made by `age -p`", () => {
  let idFile = "";
  // The same identities under scrypt work factor 10 instead of `age -p`'s 18, for the test that types three
  // wrong passphrases: each costs a whole scrypt run, and the retry loop does not depend on the work factor.
  let cheapIdFile = "";
  let sealedForId = "";
  beforeAll(async () => {
    const keys = join(dir, "keys.txt");
    execFileSync("age-keygen", ["-o", keys], { stdio: "pipe" });
    const recipient = execFileSync("age-keygen", ["-y", keys]).toString().trim();
    idFile = join(dir, "keys.txt.age");
    ageOnPty(["-p", "-o", idFile, keys], ["tr0ub4dor&3", "tr0ub4dor&3"]);
    expect(readFileSync(idFile).subarray(0, 19).toString()).toBe("age-encryption.org/");
    const cheap = new Encrypter();
    cheap.setPassphrase("tr0ub4dor&3");
    cheap.setScryptWorkFactor(10);
    cheapIdFile = join(dir, "keys.txt.cheap.age");
    writeFileSync(cheapIdFile, await cheap.encrypt(readFileSync(keys)));
    const e = runSecrets(["encrypt", "--age", recipient, join(dir, "plain.json")], { env: baseEnv(home.dir) });
    expect(e.code).toBe(0);
    sealedForId = join(dir, "sealed-id.json");
    writeFileSync(sealedForId, e.stdout);
  });

  it("opens after the passphrase is typed on the terminal (stdin is not read)", () => {
    const r = onPty(["decrypt", sealedForId], baseEnv(home.dir, { SOPS_AGE_KEY_FILE: idFile }), ["tr0ub4dor&3"]);
    expect(r.stderr).toBe("");
    expect(r.exit).toBe(0);
    expect(r.stdout).toBe(PLAIN);
    expect(r.tty).toContain(`Enter passphrase for SOPS_AGE_KEY_FILE=${idFile}: `);
    expect(r.tty).not.toContain("tr0ub4dor");
  });

  it("a wrong passphrase is a clear error (exit 128)", () => {
    const r = onPty(["decrypt", sealedForId], baseEnv(home.dir, { SOPS_AGE_KEY_FILE: cheapIdFile }), ["wrong1", "wrong2", "wrong3"]);
    expect(r.exit).toBe(128);
    expect(r.answered).toBe(3);
    expect(r.tty).toContain("Wrong passphrase, try again.");
    expect(r.stderr).toContain(`wrong passphrase for SOPS_AGE_KEY_FILE=${cheapIdFile}`);
    expect(r.stdout).toBe("");
  });

  it("Ctrl-C at the prompt interrupts the command like SIGINT, printing nothing on stdout", () => {
    const r = onPty(["decrypt", sealedForId], baseEnv(home.dir, { SOPS_AGE_KEY_FILE: idFile }), ["ab\u0003"]);
    expect(r.exit).toBe(-2);
    expect(r.stdout).toBe("");
  });

  it("with no terminal the error names SOPS_AGE_KEY_CMD, and SOPS_AGE_KEY_CMD then works", () => {
    const env = baseEnv(home.dir, { SOPS_AGE_KEY_FILE: idFile });
    const r = spawnSync("setsid", ["-w", process.execPath, BIN, "decrypt", sealedForId], { env, encoding: "utf8", input: "tr0ub4dor&3\n" });
    expect(r.status).toBe(128);
    expect(r.stderr).toContain("no terminal");
    expect(r.stderr).toContain("SOPS_AGE_KEY_CMD");
    expect(r.stdout).toBe("");
    const cmd = runSecrets(["decrypt", sealedForId], { env: baseEnv(home.dir, { SOPS_AGE_KEY_CMD: `cat ${join(dir, "keys.txt")}` }) });
    expect(cmd.stdout).toBe(PLAIN);
  });
});
