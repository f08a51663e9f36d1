// Issue 12, acceptance 2 — a canary run over every command's failure paths: fresh private keys (age
// X25519 and post-quantum, an age plugin identity, OpenSSH ed25519, PEM RSA and PKCS#8, a PGP block),
// random cloud tokens and random secret values are fed in through argv, the environment, .sops.yaml,
// malformed, tampered and wrongly keyed files. No output of a failing run, and no file any run writes
// (work dir, HOME, TMPDIR), may hold any of them. Broader sibling of test/interop/canary.test.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateHybridIdentity, generateX25519Identity, identityToRecipient } from "age-encryption";
import { baseEnv, runSecrets, runSecretsAsync, type RunResult } from "../helpers/cli.js";
import { buildMetadata, emitYaml, m, s, sealBytes, sealTree, type Node } from "../interop/sops-writer.js";
import { ed25519Pem, rsaPem } from "../helpers/pem-keys.js";

const root = mkdtempSync(join(tmpdir(), "sealfile-sec-canary-"));
const HOME = join(root, "home");
const TMP = join(root, "tmp");
const WORK = join(root, "work");
for (const d of [HOME, TMP, WORK]) mkdirSync(d);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const EDITORS = join(import.meta.dirname, "../cli/editors");
const hex = (n: number): string => randomBytes(n).toString("hex");
const b64 = (n: number): string => randomBytes(n).toString("base64");
const CANARY = `CANARY${hex(6)}`;
const BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
const bech32ish = (n: number): string => Array.from(randomBytes(n), (x) => BECH32[x % 32]).join("").toUpperCase();

/** Random cloud tokens; present in the environment of every run. */
const TOKENS = {
  SEALFILE_AZURE_TOKEN: `eyJ0eXAi${b64(48).replace(/[+/=]/g, "x")}`,
  AWS_SECRET_ACCESS_KEY: b64(30).replace(/[+/=]/g, "Q"),
  AWS_SESSION_TOKEN: `IQoJb3JpZ2luX2Vj${b64(90).replace(/[+/=]/g, "z")}`,
  VAULT_TOKEN: `hvs.${b64(24).replace(/[+/=]/g, "k")}`,
};

interface Material { name: string; text: string; needles: string[] }
const keys: Record<string, Material> = {};
const publicForms: string[] = [];
let good = "", goodRecipient = "", wrong = "";

/** Needles for key material: short windows of its body, so a partial echo is caught too. */
function windows(body: string, size: number, stride: number): string[] {
  const out: string[] = [];
  for (let k = 0; k + size <= body.length; k += stride) out.push(body.slice(k, k + size));
  return out;
}
function ageMaterial(name: string, id: string): Material {
  const body = id.slice(id.lastIndexOf("-1") + 2).toUpperCase(); // the bech32 data after the separator
  return { name, text: id, needles: windows(body, 8, 1) };
}
function pemMaterial(name: string, text: string): Material {
  const body = text.split("\n").filter((l) => l !== "" && !l.startsWith("-----") && !l.includes(":")).join("");
  return { name, text, needles: windows(body, 16, 8) };
}
const flat = (t: string): string => t.replace(/\\n|\s/g, "");

/** The name of the first canary `text` holds, or undefined. */
function leakIn(text: string): string | undefined {
  if (text === "") return undefined;
  const f = flat(text), up = f.toUpperCase();
  if (text.includes(CANARY)) return "secret value";
  for (const [name, v] of Object.entries(TOKENS)) for (const n of [v, ...windows(v, 12, 6)]) if (f.includes(n)) return name;
  for (const k of Object.values(keys)) for (const n of k.needles) if ((k.name.startsWith("age") ? up : f).includes(n)) return `${k.name} (${n})`;
  return undefined;
}

const w = (rel: string, text: string | Buffer): string => {
  const p = join(WORK, rel);
  mkdirSync(join(p, ".."), { recursive: true });
  writeFileSync(p, text);
  return p;
};
let baseRunEnv: Record<string, string> = {};
const envWith = (extra: Record<string, string> = {}): Record<string, string> => ({ ...baseRunEnv, ...extra });

const ENC: Record<string, string> = {};
let goodKeys = "", wrongKeys = "";

async function oddFile(type: string, plaintext: string, macText?: string): Promise<string> {
  const key = randomBytes(32);
  const doc: Node = m(["secret", s(sealBytes(Buffer.from(plaintext), type, key, "secret:"))]);
  const macHex = macText ?? sealTree([m(["secret", s(plaintext)])], { key, rule: { kind: "unencrypted_regex", value: "." } }).macHex;
  const meta = await buildMetadata({ version: "3.9.0", key, groups: [[{ kind: "age", recipient: goodRecipient }]], lastmodified: "2025-01-01T00:00:00Z", macHex });
  return emitYaml([doc], meta);
}

interface Scenario { name: string; args: string[]; env?: Record<string, string>; cwd?: string; input?: string; mayPass?: boolean }
const scenarios: Scenario[] = [];
const add = (sc: Scenario): void => void scenarios.push(sc);

/** The files under `dir` with a hash of their contents. */
function snapshot(dir: string, into = new Map<string, string>()): Map<string, string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) snapshot(p, into);
    else if (e.isFile()) into.set(p, createHash("sha256").update(readFileSync(p)).digest("hex"));
  }
  return into;
}

async function buildInputs(): Promise<void> {
  good = await generateX25519Identity();
  goodRecipient = await identityToRecipient(good);
  wrong = await generateX25519Identity();
  publicForms.push(goodRecipient, await identityToRecipient(wrong));
  goodKeys = w("keys/good.txt", `${good}\n`);
  wrongKeys = w("keys/wrong.txt", `${wrong}\n`);
  keys.good = ageMaterial("age good identity", good);
  keys.wrong = ageMaterial("age wrong identity", wrong);
  const misplaced = await generateX25519Identity();
  keys.misplaced = { ...ageMaterial("age misplaced identity", misplaced), text: `# created: 2025-01-01T00:00:00Z\n# public key: ${await identityToRecipient(misplaced)}\n${misplaced}\n` };
  const pq = await generateHybridIdentity();
  keys.pq = ageMaterial("age post-quantum identity", pq);
  keys.plugin = ageMaterial("age plugin identity", `AGE-PLUGIN-YUBIKEY-1${bech32ish(58)}`);
  keys.rsa = pemMaterial("PEM RSA key", rsaPem("pkcs1").privatePem);
  keys.pkcs8 = pemMaterial("PEM PKCS#8 key", ed25519Pem());
  let openssh: string;
  try {
    const f = join(root, "id_ed25519");
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "", "-f", f], { stdio: "ignore" });
    openssh = readFileSync(f, "utf8");
    publicForms.push(readFileSync(`${f}.pub`, "utf8").trim());
    rmSync(f);
    rmSync(`${f}.pub`);
  } catch {
    openssh = ed25519Pem();
  }
  keys.openssh = pemMaterial("OpenSSH key", openssh);
  keys.pgp = pemMaterial("PGP key block", `-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n${b64(300).replace(/(.{64})/g, "$1\n")}\n=${b64(3)}\n-----END PGP PRIVATE KEY BLOCK-----\n`);
  // An OpenSSH body embeds the public key; windows of it that show in public text are not secret.
  for (const k of Object.values(keys)) k.needles = k.needles.filter((n) => !publicForms.some((p) => flat(p).toUpperCase().includes(n.toUpperCase())));

  const gcpKey = rsaPem("pkcs8").privatePem;
  keys.gcp = pemMaterial("GOOGLE_CREDENTIALS private_key", gcpKey);
  baseRunEnv = baseEnv(HOME, {
    TMPDIR: TMP,
    ...TOKENS,
    AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
    AWS_REGION: "us-east-1",
    // Nothing here may reach a real service.
    AWS_ENDPOINT_URL_KMS: "http://127.0.0.1:9",
    SOPS_GCP_KMS_ENDPOINT: "127.0.0.1:9",
    SEALFILE_KEY_TIMEOUT_MS: "1500",
    GOOGLE_CREDENTIALS: JSON.stringify({ type: "service_account", project_id: "p", private_key_id: hex(20), private_key: gcpKey, client_email: "x@p.iam.gserviceaccount.com" }),
  });

  const env = envWith({ SOPS_AGE_KEY_FILE: goodKeys });
  const plain: Record<string, string> = {
    yaml: `secret: ${CANARY}\nnested:\n    inner: ${CANARY}-2\nbad-name: ${CANARY}-3\n`,
    json: JSON.stringify({ secret: CANARY, list: [CANARY, { k: CANARY }] }),
    env: `SECRET=${CANARY}\n`,
    ini: `[s]\nsecret = ${CANARY}\n`,
  };
  for (const [ext, text] of Object.entries(plain)) {
    const p = join(root, `plain.${ext}`);
    writeFileSync(p, text);
    const r = runSecrets(["encrypt", "--age", goodRecipient, p], { env });
    rmSync(p);
    expect(r.code, r.stderr).toBe(0);
    ENC[ext] = w(`sealed/s.${ext}`, r.stdout);
  }
  // A repository whose rule points at the good recipient, for commands that read .sops.yaml.
  w("repo/.sops.yaml", `creation_rules:\n  - age: ${goodRecipient}\n`);
  w("repo/s.enc.yaml", readFileSync(ENC.yaml!));
  w("repo/plain.yaml", `secret: ${CANARY}\n`);
  w("repo/.env.enc", readFileSync(ENC.env!));
  w("keygen/keys.txt", "# already here\n");
}

const misplacedNames = ["misplaced", "pq", "plugin", "rsa", "pkcs8", "openssh", "pgp"] as const;

function buildScenarios(): void {
  const k = (n: string): string => keys[n]!.text;
  const copy = (from: string, rel: string): string => { const p = join(WORK, rel); mkdirSync(join(p, ".."), { recursive: true }); copyFileSync(from, p); return p; };
  const okPlain = w("plain/ok.yaml", "a: 1\n");

  // 1. A private key where a recipient belongs: argv. Every key on the main routes; the side routes take
  // turns (`some`), so each is covered without multiplying the run time.
  const fromArgv: Array<(n: string) => Scenario> = [
    (n) => ({ name: `encrypt --kms <${n}>`, args: ["encrypt", "--kms", k(n), okPlain] }),
    (n) => ({ name: `encrypt --gcp-kms <${n}>`, args: ["encrypt", "--gcp-kms", k(n), okPlain] }),
    (n) => ({ name: `encrypt --azure-kv <${n}>`, args: ["encrypt", "--azure-kv", k(n), okPlain] }),
    (n) => ({ name: `rotate --rm-age <${n}>`, args: ["rotate", "--rm-age", k(n), copy(ENC.yaml!, `rot-rm/${n}.yaml`)], env: { SOPS_AGE_KEY_FILE: wrongKeys } }),
    (n) => ({ name: `set with a key as the path <${n}>`, args: ["set", "--value-stdin", copy(ENC.yaml!, `set-path/${n}.yaml`), k(n)], env: { SOPS_AGE_KEY_FILE: goodKeys }, input: '"x"' }),
    (n) => ({ name: `encrypt, SOPS_KMS_ARN=<${n}>`, args: ["encrypt", okPlain], env: { SOPS_KMS_ARN: k(n) } }),
    (n) => ({ name: `encrypt, SOPS_GCP_KMS_IDS=<${n}>`, args: ["encrypt", okPlain], env: { SOPS_GCP_KMS_IDS: k(n) } }),
  ];
  misplacedNames.forEach((n, i) => {
    add({ name: `encrypt --age <${n}>`, args: ["encrypt", "--age", k(n), okPlain] });
    add({ name: `encrypt --age <public>,<${n}>`, args: ["encrypt", "--age", `${goodRecipient},${k(n)}`, okPlain] });
    add({ name: `rotate --add-age <${n}>`, args: ["rotate", "--add-age", k(n), copy(ENC.yaml!, `rot-add/${n}.yaml`)], env: { SOPS_AGE_KEY_FILE: goodKeys } });
    add({ name: `revoke -y <${n}>`, args: ["revoke", "-y", k(n)], cwd: join(WORK, "repo"), env: { SOPS_AGE_KEY_FILE: goodKeys }, mayPass: true });
    add({ name: `decrypt --extract <${n}>`, args: ["decrypt", "--extract", k(n), ENC.yaml!], env: { SOPS_AGE_KEY_FILE: goodKeys } });
    // 2. … through the environment.
    add({ name: `encrypt, SOPS_AGE_RECIPIENTS=<${n}>`, args: ["encrypt", okPlain], env: { SOPS_AGE_RECIPIENTS: k(n) } });
    for (const make of some(fromArgv, i, 2)) add(make(n));
  });
  // 3. … through .sops.yaml (`age: |`, key groups, named recipients), seen by the commands that read it.
  misplacedNames.forEach((n, i) => {
    const indented = k(n).trimEnd().split("\n").map((l) => `      ${l}`).join("\n");
    const dir = join(WORK, `cfg-${n}`);
    w(`cfg-${n}/.sops.yaml`, `creation_rules:\n  - age: |\n${indented}\n`);
    w(`cfg-${n}/plain.yaml`, `a: 1\n`);
    w(`cfg-${n}/s.enc.yaml`, readFileSync(ENC.yaml!));
    const env = { SOPS_AGE_KEY_FILE: goodKeys };
    add({ name: `encrypt, age: | <${n}> in .sops.yaml`, args: ["encrypt", "plain.yaml"], cwd: dir });
    add({ name: `updatekeys, age: | <${n}>`, args: ["updatekeys", "-y", "s.enc.yaml"], cwd: dir, env });
    add({ name: `doctor --debug, age: | <${n}>`, args: ["doctor", "s.enc.yaml", "--debug"], cwd: dir, env: { SOPS_AGE_KEY_FILE: wrongKeys } });
    const extras: Scenario[] = [
      { name: `encrypt -i, age: | <${n}> in .sops.yaml`, args: ["encrypt", "-i", "plain.yaml"], cwd: dir },
      { name: `rotate -i, age: | <${n}>`, args: ["rotate", "-i", "s.enc.yaml"], cwd: dir, env: { SOPS_AGE_KEY_FILE: wrongKeys } },
      { name: `edit of a new file, age: | <${n}>`, args: ["edit", "new.yaml"], cwd: dir, env: { EDITOR: "true" } },
      { name: `status, age: | <${n}>`, args: ["status", "."], cwd: dir, mayPass: true },
      { name: `revoke, age: | <${n}>`, args: ["revoke", "-y", goodRecipient], cwd: dir, env, mayPass: true },
    ];
    for (const sc of some(extras, i, 2)) add(sc);
    const gdir = join(WORK, `cfg-kg-${n}`);
    w(`cfg-kg-${n}/.sops.yaml`, `creation_rules:\n  - key_groups:\n      - age:\n          - ${JSON.stringify(k(n))}\n`);
    w(`cfg-kg-${n}/plain.yaml`, `a: 1\n`);
    add({ name: `encrypt, key_groups age entry <${n}>`, args: ["encrypt", "plain.yaml"], cwd: gdir });
    const rdir = join(WORK, `cfg-rec-${n}`);
    w(`cfg-rec-${n}/.sops.yaml`, `recipients:\n  alice: ${JSON.stringify(k(n))}\ncreation_rules:\n  - age: alice\n`);
    w(`cfg-rec-${n}/plain.yaml`, `a: 1\n`);
    add({ name: `encrypt, named recipient <${n}>`, args: ["encrypt", "plain.yaml"], cwd: rdir });
    if (i % 2 === 0) add({ name: `revoke alice, named recipient <${n}>`, args: ["revoke", "-y", "alice"], cwd: rdir, mayPass: true });
  });
  // 4. A malformed .sops.yaml holding canaries, through the commands that read one.
  const broken: Record<string, string> = {
    yaml: `creation_rules:\n  - age: ${goodRecipient}\n    secret: "${CANARY}\n  bad: [${keys.misplaced!.text.split("\n")[2]}\n`,
    // A .sops.yaml is committed plaintext: the regex or key an error is about may be quoted back so it can be
    // fixed. Canaries sit where nothing is quoted (a comment), next to a private key that must never show.
    schema: `creation_rules:\n  - age: ${goodRecipient}\n    key_groups: 7\n    unknown_key: ${k("plugin")}\n# ${CANARY}\n`,
    regex: `# ${CANARY}\ncreation_rules:\n  - path_regex: "(unclosed"\n    age: ${goodRecipient}\n`,
    type: `creation_rules:\n  - age: [${JSON.stringify(k("misplaced"))}, {x: ${CANARY}}]\n`,
  };
  const readers = [["encrypt", "plain.yaml"], ["updatekeys", "-y", "s.enc.yaml"], ["rotate", "-i", "s.enc.yaml"], ["set", "s.enc.yaml", '["a"]', "1"], ["edit", "s.enc.yaml"], ["unset", "s.enc.yaml", '["secret"]'], ["revoke", "-y", goodRecipient], ["status", "."], ["git", "setup", "--pattern", "*.x"], ["exec", "--", process.execPath, "-e", "0"], ["doctor"]];
  Object.entries(broken).forEach(([what, text], i) => {
    const dir = join(WORK, `badcfg-${what}`);
    w(`badcfg-${what}/.sops.yaml`, text);
    w(`badcfg-${what}/plain.yaml`, "a: 1\n");
    w(`badcfg-${what}/s.enc.yaml`, readFileSync(ENC.yaml!));
    w(`badcfg-${what}/.env.enc`, readFileSync(ENC.env!));
    for (const args of [readers[0]!, ...some(readers.slice(1), i, 5)]) {
      add({ name: `${args.slice(0, 2).join(" ")}, malformed .sops.yaml (${what})`, args, cwd: dir, env: { SOPS_AGE_KEY_FILE: goodKeys, EDITOR: "true" }, mayPass: args[0] === "status" || args[0] === "git" });
    }
  });
  // 5. Identity variables holding garbage, other keys, or key-shaped junk, with the commands that open files.
  const garbage: Record<string, Record<string, string>> = {
    "SOPS_AGE_KEY=garbage": { SOPS_AGE_KEY: `${CANARY}\nnot-a-key ${hex(20)}` },
    "SOPS_AGE_KEY=wrong key": { SOPS_AGE_KEY: wrong },
    "SOPS_AGE_KEY=corrupted key": { SOPS_AGE_KEY: `${wrong.slice(0, -1)}${wrong.endsWith("Q") ? "P" : "Q"}` },
    "SOPS_AGE_KEY=plugin identity": { SOPS_AGE_KEY: k("plugin") },
    "SOPS_AGE_KEY=PEM": { SOPS_AGE_KEY: k("rsa") },
    "SOPS_AGE_KEY_FILE=garbage file": { SOPS_AGE_KEY_FILE: w("keys/garbage.txt", `${wrong}x\n${CANARY}\n${k("pq").slice(0, 40)}\n`) },
    "SOPS_AGE_KEY_CMD prints garbage": { SOPS_AGE_KEY_CMD: `${process.execPath} -e "process.stdout.write('${CANARY} ${wrong}x')"` },
    "SOPS_AGE_SSH_PRIVATE_KEY_FILE=unrelated RSA": { SOPS_AGE_SSH_PRIVATE_KEY_FILE: w("keys/id_rsa", k("rsa")) },
    "SOPS_AGE_SSH_PRIVATE_KEY_FILE=truncated key": { SOPS_AGE_SSH_PRIVATE_KEY_FILE: w("keys/id_cut", k("openssh").slice(0, 200)) },
  };
  Object.entries(garbage).forEach(([what, env], i) => {
    const tag = what.replace(/[^a-z0-9]+/gi, "-");
    const openers: Scenario[] = [
      { name: `decrypt --extract, ${what}`, args: ["decrypt", "--extract", '["secret"]', ENC.json!], env },
      { name: `set, ${what}`, args: ["set", "--value-stdin", copy(ENC.yaml!, `g-set/${tag}.yaml`), '["secret"]'], env, input: JSON.stringify(`${CANARY}-new`) },
      { name: `unset, ${what}`, args: ["unset", copy(ENC.yaml!, `g-unset/${tag}.yaml`), '["secret"]'], env },
      { name: `edit, ${what}`, args: ["edit", copy(ENC.yaml!, `g-edit/${tag}.yaml`)], env: { ...env, EDITOR: "true" } },
      { name: `rotate -i, ${what}`, args: ["rotate", "-i", copy(ENC.ini!, `g-rot/${tag}.ini`)], env },
      { name: `updatekeys, ${what}`, args: ["updatekeys", "-y", "s.enc.yaml"], cwd: join(WORK, "repo"), env, mayPass: true },
      { name: `doctor, ${what}`, args: ["doctor", ENC.yaml!], env },
      { name: `git merge, ${what}`, args: ["git", "merge", ENC.yaml!, copy(ENC.yaml!, `g-merge/${tag}.yaml`), ENC.yaml!, "s.yaml"], env },
      { name: `git diff-text, ${what}`, args: ["git", "diff-text", ENC.yaml!], env, mayPass: true },
    ];
    add({ name: `decrypt, ${what}`, args: ["decrypt", ENC.yaml!], env });
    add({ name: `exec, ${what}`, args: ["exec", "-f", ENC.env!, "--", process.execPath, "-e", "0"], env });
    for (const sc of some(openers, i, 4)) add(sc);
  });
  // 6. Malformed and tampered files holding canaries (plaintext and sealed), and wrong keys.
  const env = { SOPS_AGE_KEY_FILE: goodKeys };
  const t = readFileSync(ENC.yaml!, "utf8");
  const tampered: Record<string, string> = {
    "MAC from another file": t.replace(/mac: ENC\[[^\]]+\]/, `mac: ENC[AES256_GCM,data:${b64(70)},iv:${b64(32)},tag:${b64(16)},type:str]`),
    "a broken value": t.replace(/(^secret: ENC\[AES256_GCM,data:)(.)/m, (_x, p: string, ch: string) => p + (ch === "A" ? "B" : "A")),
    "a clear canary in a sealed file": t.replace(/^secret: .*$/m, `secret_unencrypted: ${CANARY}: [oops`),
    "a private key in the sops block": t.replace(/recipient: age1\S+/, `recipient: ${JSON.stringify(k("plugin"))}`),
    "a PEM block as enc": t.replace(/enc: \|[\s\S]*?-----END AGE ENCRYPTED FILE-----/, `enc: |\n${k("pkcs8").trimEnd().split("\n").map((l) => `                ${l}`).join("\n")}`),
    "no sops block, canary values": `secret: ${CANARY}\nkey: ${JSON.stringify(k("plugin"))}\n`,
  };
  Object.entries(tampered).forEach(([what, text], i) => {
    const tag = what.replace(/[^a-z0-9]+/gi, "-");
    const p = w(`tampered/${tag}.yaml`, text);
    // A private key in the sops block is only a label; with the right key the file opens, so use the wrong one.
    const env = what.includes("sops block") ? { SOPS_AGE_KEY_FILE: wrongKeys } : { SOPS_AGE_KEY_FILE: goodKeys };
    add({ name: `decrypt, ${what}`, args: ["decrypt", p], env });
    add({ name: `exec, ${what}`, args: ["exec", "-f", p, "--", process.execPath, "-e", "0"], env });
    const others: Scenario[] = [
      { name: `set, ${what}`, args: ["set", "--value-stdin", copy(p, `tampered-set/${tag}.yaml`), '["secret"]'], input: JSON.stringify(`${CANARY}-set`), env },
      { name: `rotate, ${what}`, args: ["rotate", "-i", copy(p, `tampered-rot/${tag}.yaml`)], env },
      { name: `doctor, ${what}`, args: ["doctor", p], env, mayPass: true },
      { name: `git merge, ${what}`, args: ["git", "merge", p, copy(p, `tampered-merge/${tag}.yaml`), ENC.yaml!, "s.yaml"], env },
    ];
    for (const sc of some(others, i, 2)) add(sc);
  });
  for (const [name, type] of [["int", "int"], ["float", "float"], ["bool", "bool"], ["time", "time"], ["unknown type", "bogus"]] as const) {
    add({ name: `decrypt, type:${name} with a canary plaintext`, args: ["decrypt", "@odd:" + type], env });
  }
  add({ name: "decrypt, a MAC whose plaintext is a canary", args: ["decrypt", "@oddmac"], env });
  for (const [ext, text] of Object.entries({ yaml: `a: 1\nsecret: "${CANARY}\nb: [\n`, json: `{"secret": ${CANARY}}`, env: `A=1\n${CANARY}\n`, ini: `[sec\nsecret = ${CANARY}\n`, toml: `secret = ${CANARY}\n` })) {
    const p = w(`malformed/m.${ext}`, text);
    add({ name: `encrypt malformed ${ext}`, args: ["encrypt", "--age", goodRecipient, p] });
    add({ name: `filestatus of malformed ${ext}`, args: ["filestatus", p], mayPass: true });
  }
  for (const ext of ["yaml", "json", "env", "ini"]) {
    if (ext === "yaml") add({ name: `encrypt -i malformed ${ext}`, args: ["encrypt", "-i", "--age", goodRecipient, join(WORK, "malformed/m.yaml")] });
    add({ name: `decrypt ${ext}, wrong key`, args: ["decrypt", ENC[ext]!], env: { SOPS_AGE_KEY_FILE: wrongKeys, SEALFILE_AUDIT_LOG: join(WORK, "audit.log") } });
    add({ name: `decrypt ${ext}, no key`, args: ["decrypt", ENC[ext]!] });
    if (ext !== "ini") add({ name: `exec ${ext}, wrong key`, args: ["exec", "-f", ENC[ext]!, "--", process.execPath, "-e", "0"], env: { SOPS_AGE_KEY_FILE: wrongKeys } });
  }
  add({ name: "decrypt of a file named after a private key, audited", args: ["decrypt", copy(ENC.yaml!, `named/${good}.enc.yaml`)], env: { SOPS_AGE_KEY_FILE: wrongKeys, SEALFILE_AUDIT_LOG: join(WORK, "audit.log") } });
  add({ name: "set with invalid JSON holding a canary", args: ["set", "--value-stdin", copy(ENC.yaml!, "set-json/s.yaml"), '["secret"]'], env, input: `{"a": ${CANARY}` });
  add({ name: "set --value-file of invalid JSON", args: ["set", "--value-file", w("set-json/v.json", `[${CANARY}`), copy(ENC.yaml!, "set-json/s2.yaml"), '["secret"]'], env });
  add({ name: "unset a missing path", args: ["unset", copy(ENC.yaml!, "unset/s.yaml"), '["secret"]["x"]'], env });
  add({ name: "edit with EDITOR=false", args: ["edit", copy(ENC.yaml!, "edit/a.yaml")], env: { ...env, EDITOR: "false" } });
  add({ name: "edit with a missing editor", args: ["edit", copy(ENC.yaml!, "edit/b.yaml")], env: { ...env, EDITOR: "/nonexistent/editor" } });
  add({ name: "edit to invalid YAML", args: ["edit", copy(ENC.yaml!, "edit/c.yaml")], env: { ...env, EDITOR: `"${process.execPath}" ${join(EDITORS, "replace.mjs")}`, EDIT_FROM: `secret: ${CANARY}`, EDIT_TO: `secret: ${CANARY}: [oops` } });
  add({ name: "edit with a failing editor", args: ["edit", copy(ENC.json!, "edit/d.json")], env: { ...env, EDITOR: `"${process.execPath}" ${join(EDITORS, "fail.mjs")}` } });
  add({ name: "exec of a missing command", args: ["exec", "-f", ENC.env!, "--", "/nonexistent/cmd"], env });
  add({ name: "exec with invalid names", args: ["exec", "-f", ENC.yaml!, "--no-flatten", "--", process.execPath, "-e", "0"], env });
  add({ name: "guard on plaintext secrets", args: ["guard", w("guard/leak.yaml", `password: ${CANARY}\nkey: ${good}\npem: ${JSON.stringify(k("rsa"))}\n`), w("guard/leak.env", `DB_PASSWORD=${CANARY}\nAWS_SECRET_ACCESS_KEY=${TOKENS.AWS_SECRET_ACCESS_KEY}\n`)], cwd: WORK });
  add({ name: "guard --json on plaintext secrets", args: ["guard", "--json", w("guard/leak2.yaml", `password: ${CANARY}\nkey: ${k("pq")}\n`)], cwd: WORK });
  add({ name: "hook install outside a repository", args: ["hook", "install"], cwd: WORK });
  add({ name: "keygen onto an existing file", args: ["keygen", "-o", join(WORK, "keygen/keys.txt")] });
  add({ name: "filestatus of a missing file", args: ["filestatus", join(WORK, "missing.yaml")] });
  add({ name: "git merge conflict", args: ["git", "merge", ENC.yaml!, "@ours", "@theirs", "s.yaml"], env });
  add({ name: "updatekeys of a missing file", args: ["updatekeys", "-y", "missing.yaml"], cwd: join(WORK, "repo"), env });
}

/** `n` items of `list`, a different run of them for each `i`. */
function some<T>(list: readonly T[], i: number, n: number): T[] {
  return Array.from({ length: Math.min(n, list.length) }, (_x, j) => list[(i * n + j) % list.length]!);
}

/** Placeholders for inputs that need async work. */
async function resolveArgs(args: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const a of args) {
    if (a.startsWith("@odd:")) out.push(w(`odd/${a.slice(5)}.yaml`, await oddFile(a.slice(5), CANARY)));
    else if (a === "@oddmac") out.push(w("odd/mac.yaml", await oddFile("str", "x", CANARY)));
    else if (a === "@ours" || a === "@theirs") {
      const p = w(`conflict/${a.slice(1)}.yaml`, readFileSync(ENC.yaml!));
      const r = runSecrets(["set", "--value-stdin", p, '["secret"]'], { env: envWith({ SOPS_AGE_KEY_FILE: goodKeys }), input: JSON.stringify(`${CANARY}-${a}`) });
      expect(r.code, r.stderr).toBe(0);
      out.push(p);
    } else out.push(a);
  }
  return out;
}

interface Outcome { sc: Scenario; r: RunResult }
const outcomes: Outcome[] = [];
let before = new Map<string, string>();
let failing = 0;

beforeAll(async () => {
  await buildInputs();
  buildScenarios();
  const resolved = await Promise.all(scenarios.map(async (sc) => ({ ...sc, args: await resolveArgs(sc.args) })));
  for (const d of [WORK, HOME, TMP]) snapshot(d, before);
  let next = 0;
  // The first scenario of each command runs as a real process (bin/secrets.js, main.ts, the process's own
  // streams), and so does every run that starts a child or an editor (exec, edit: see needsProcess in
  // test/helpers/cli.ts); the rest in the CLI worker thread, on the same runCli, whose stray writes to its
  // own stdout and stderr count as the run's output.
  const commandOf = (args: readonly string[]): string => (args[0] === "git" || args[0] === "hook" ? args.slice(0, 2).join(" ") : args[0]!);
  const firstOfCommand = new Set(resolved.map((sc, i) => ({ c: commandOf(sc.args), i })).filter(({ c, i }) => resolved.findIndex((o) => commandOf(o.args) === c) === i).map(({ i }) => i));
  const worker = async (): Promise<void> => {
    while (next < resolved.length) {
      const i = next++;
      const sc = resolved[i]!;
      const r = await runSecretsAsync(sc.args, { env: envWith(sc.env), cwd: sc.cwd ?? WORK, input: sc.input ?? "", timeoutMs: 60_000, process: firstOfCommand.has(i) });
      outcomes.push({ sc, r });
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  failing = outcomes.filter((o) => o.r.code !== 0).length;
  console.log(`security canary: ${failing} failing invocations of ${outcomes.length} runs across ${new Set(outcomes.map((o) => o.sc.args[0] === "git" ? `git ${o.sc.args[1]}` : o.sc.args[0])).size} commands`);
}, 600_000);

describe("issue 12, acceptance 2: canary run over every command's failure paths", () => {
  it("runs at least 200 failing invocations, across all commands", () => {
    const unexpected = outcomes.filter((o) => !o.sc.mayPass && o.r.code === 0).map((o) => o.sc.name);
    expect(unexpected).toEqual([]);
    expect(failing).toBeGreaterThanOrEqual(200);
    const commands = new Set(outcomes.filter((o) => o.r.code !== 0).map((o) => o.sc.args[0]));
    for (const c of ["encrypt", "decrypt", "exec", "set", "unset", "edit", "rotate", "updatekeys", "revoke", "status", "doctor", "guard", "git", "keygen", "filestatus", "hook"]) expect(commands, c).toContain(c);
  });

  it("no private key, token or secret value reaches stdout or stderr", () => {
    const leaks: string[] = [];
    for (const { sc, r } of outcomes) {
      const err = leakIn(r.stderr);
      if (err) leaks.push(`${sc.name}: stderr has ${err}`);
      // A run that succeeded printed what was asked for; only the stdout of failing runs is held to this.
      const out = r.code !== 0 ? leakIn(r.stdout) : undefined;
      if (out) leaks.push(`${sc.name}: stdout has ${out}`);
    }
    expect(leaks).toEqual([]);
  });

  it("no file written by any run (work dir, HOME, TMPDIR) holds a canary", () => {
    const after = new Map<string, string>();
    for (const d of [WORK, HOME, TMP]) snapshot(d, after);
    const leaks: string[] = [];
    for (const [path, hash] of after) {
      if (before.get(path) === hash) continue;
      const what = leakIn(readFileSync(path, "utf8"));
      if (what) leaks.push(`${path}: ${what}`);
    }
    expect(leaks).toEqual([]);
    // The audit log was written (so the check above looked at it).
    expect(statSync(join(WORK, "audit.log")).size).toBeGreaterThan(0);
  });
});
