// Acceptance (style guide item 23): a planted canary secret and a private key never reach stderr on any
// failing command path, with or without --verbose/--debug; failing paths print nothing secret on stdout.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { generateX25519Identity, identityToRecipient } from "age-encryption";
import { baseEnv, runSecrets, tempHome, type RunResult } from "../helpers/cli.js";
import { runInProcess } from "../helpers/in-process.js";
import { buildMetadata, emitYaml, m, s, sealBytes, sealTree, type Node } from "./sops-writer.js";

const CANARY = `CANARY${randomBytes(6).toString("hex")}`;
const home = tempHome();
const dir = mkdtempSync(join(tmpdir(), "sealfile-canary-"));
afterAll(() => { home.cleanup(); rmSync(dir, { recursive: true, force: true }); });

let id0 = "", id1 = "", r0 = "", r1 = "";
let goodKeys = "", wrongKeys = "";
const ENC: Record<string, string> = {};
const w = (name: string, text: string | Buffer): string => { const p = join(dir, name); writeFileSync(p, text); return p; };
const envWith = (extra: Record<string, string> = {}): Record<string, string> => baseEnv(home.dir, extra);
const EDITORS = join(import.meta.dirname, "../cli/editors");

/** The secret-key body after the bech32 prefix: no 8-character run of it may show up. */
function leaksKey(text: string, id: string): string | undefined {
  const body = id.slice("AGE-SECRET-KEY-1".length);
  for (let k = 0; k + 8 <= body.length; k++) if (text.toUpperCase().includes(body.slice(k, k + 8))) return body.slice(k, k + 8);
  return undefined;
}

/** A hand-built sealed YAML whose one value `secret` has the given type and plaintext bytes. */
async function oddFile(type: string, plaintext: string, macText?: string): Promise<string> {
  const key = randomBytes(32);
  const doc: Node = m(["secret", s(sealBytes(Buffer.from(plaintext), type, key, "secret:"))]);
  const macHex = macText ?? sealTree([m(["secret", s(plaintext)])], { key, rule: { kind: "unencrypted_regex", value: "." } }).macHex;
  const meta = await buildMetadata({ version: "3.9.0", key, groups: [[{ kind: "age", recipient: r0 }]], lastmodified: "2025-01-01T00:00:00Z", macHex });
  return emitYaml([doc], meta);
}

beforeAll(async () => {
  id0 = await generateX25519Identity(); r0 = await identityToRecipient(id0);
  id1 = await generateX25519Identity(); r1 = await identityToRecipient(id1);
  goodKeys = w("good.txt", `${id0}\n`);
  wrongKeys = w("wrong.txt", `${id1}\n`);
  const env = envWith({ SOPS_AGE_KEY_FILE: goodKeys });
  const plain: Record<string, string> = {
    yaml: `secret: ${CANARY}\nnested:\n    inner: ${CANARY}-2\nbad-name: ${CANARY}-3\n`,
    json: JSON.stringify({ secret: CANARY, list: [CANARY, { k: CANARY }] }),
    env: `SECRET=${CANARY}\n`,
    ini: `[s]\nsecret = ${CANARY}\n`,
  };
  for (const [ext, text] of Object.entries(plain)) {
    const r = runSecrets(["encrypt", "--age", r0, w(`plain.${ext}`, text)], { env });
    expect(r.code).toBe(0);
    ENC[ext] = w(`sealed.${ext}`, r.stdout);
  }
  const other = runSecrets(["encrypt", "--age", r0, w("other.yaml", `secret: ${CANARY}\nnested:\n    inner: x\nbad-name: y\n`)], { env });
  ENC.otherMac = /mac: (ENC\[[^\]]+\])/.exec(other.stdout)![1]!;
});

const flagState: { flags: string[] } = { flags: [] };
/**
 * `secrets ARGS` with the current extra global flags (placed before any `--`). The plain runs go through
 * runCli in this process; the `--verbose --debug` runs, and every `exec` (its child writes to the real
 * stdout), are real processes, so whatever could reach a real stderr outside runCli is seen too.
 */
function run(args: string[], opts: Parameters<typeof runSecrets>[1]): RunResult | Promise<RunResult> {
  const dd = args.indexOf("--");
  const full = dd < 0 ? [...args, ...flagState.flags] : [...args.slice(0, dd), ...flagState.flags, ...args.slice(dd)];
  return flagState.flags.length > 0 || args[0] === "exec" ? runSecrets(full, opts) : runInProcess(full, opts);
}

interface Scenario { name: string; run: () => { code: number; stdout: string; stderr: string } | Promise<{ code: number; stdout: string; stderr: string }>; mayPrintPlain?: boolean; mayPass?: boolean }

const yamlWith = (broken: string): string => broken;
const scenarios: Scenario[] = [
  { name: "decrypt with the wrong key", run: () => run(["decrypt", ENC.yaml!], { env: envWith({ SOPS_AGE_KEY_FILE: wrongKeys }) }) },
  { name: "decrypt with no key", run: () => run(["decrypt", ENC.yaml!], { env: envWith() }) },
  { name: "decrypt, MAC from another file", run: () => run(["decrypt", w("mac.yaml", readFileSync(ENC.yaml!, "utf8").replace(/mac: ENC\[[^\]]+\]/, `mac: ${ENC.otherMac}`))], { env: envWith({ SOPS_AGE_KEY_FILE: goodKeys }) }) },
  { name: "decrypt, values swapped between keys", run: () => {
    const t = readFileSync(ENC.yaml!, "utf8");
    const a = /^secret: (ENC\[[^\]]+\])/m.exec(t)![1]!, bb = /^bad-name: (ENC\[[^\]]+\])/m.exec(t)![1]!;
    return run(["decrypt", w("swap.yaml", t.replace(a, "@A@").replace(bb, a).replace("@A@", bb))], { env: envWith({ SOPS_AGE_KEY_FILE: goodKeys }) });
  } },
  { name: "decrypt --ignore-mac of a file with a broken value", run: () => {
    const t = readFileSync(ENC.yaml!, "utf8").replace(/(^secret: ENC\[AES256_GCM,data:)(.)/m, (_x, p: string, ch: string) => p + (ch === "A" ? "B" : "A"));
    return run(["decrypt", "--ignore-mac", w("bv.yaml", t)], { env: envWith({ SOPS_AGE_KEY_FILE: goodKeys }) });
  } },
  { name: "decrypt --extract of a missing path", run: () => run(["decrypt", "--extract", '["nope"]["x"]', ENC.yaml!], { env: envWith({ SOPS_AGE_KEY_FILE: goodKeys }) }) },
  { name: "decrypt --extract through a string", run: () => run(["decrypt", "--extract", '["secret"]["x"]', ENC.yaml!], { env: envWith({ SOPS_AGE_KEY_FILE: goodKeys }) }) },
  { name: "decrypt --extract with an index into a map", run: () => run(["decrypt", "--extract", '["nested"][0]', ENC.yaml!], { env: envWith({ SOPS_AGE_KEY_FILE: goodKeys }) }) },
  { name: "decrypt --extract with a bad path syntax", run: () => run(["decrypt", "--extract", `["secret"`, ENC.yaml!], { env: envWith({ SOPS_AGE_KEY_FILE: goodKeys }) }) },
  { name: "decrypt to dotenv of a nested tree", run: () => run(["decrypt", "--output-type", "dotenv", ENC.json!], { env: envWith({ SOPS_AGE_KEY_FILE: goodKeys }) }) },
  { name: "decrypt to ini of a flat tree", run: () => run(["decrypt", "--output-type", "ini", ENC.json!], { env: envWith({ SOPS_AGE_KEY_FILE: goodKeys }) }) },
  { name: "decrypt --input-type json of a YAML file", run: () => run(["decrypt", "--input-type", "json", ENC.yaml!], { env: envWith({ SOPS_AGE_KEY_FILE: goodKeys }) }) },
  { name: "decrypt, a malformed sealed YAML with a clear canary", run: () => run(["decrypt", w("broken.enc.yaml", readFileSync(ENC.yaml!, "utf8").replace(/^secret: .*$/m, `secret_unencrypted: ${CANARY}: [oops`))], { env: envWith({ SOPS_AGE_KEY_FILE: goodKeys }) }) },
  { name: "decrypt, type:int with a non-number plaintext", run: async () => run(["decrypt", w("oddint.yaml", await oddFile("int", CANARY))], { env: envWith({ SOPS_AGE_KEY_FILE: goodKeys }) }) },
  { name: "decrypt, type:float with a non-number plaintext", run: async () => run(["decrypt", w("oddfloat.yaml", await oddFile("float", CANARY))], { env: envWith({ SOPS_AGE_KEY_FILE: goodKeys }) }) },
  { name: "decrypt, type:bool with a non-bool plaintext", run: async () => run(["decrypt", w("oddbool.yaml", await oddFile("bool", CANARY))], { env: envWith({ SOPS_AGE_KEY_FILE: goodKeys }) }) },
  { name: "decrypt, type:time with a non-time plaintext", run: async () => run(["decrypt", w("oddtime.yaml", await oddFile("time", CANARY))], { env: envWith({ SOPS_AGE_KEY_FILE: goodKeys }) }) },
  { name: "decrypt, an unknown type", run: async () => run(["decrypt", w("oddtype.yaml", await oddFile("bogus", CANARY))], { env: envWith({ SOPS_AGE_KEY_FILE: goodKeys }) }) },
  { name: "decrypt, a MAC whose plaintext is not hex", run: async () => run(["decrypt", w("oddmac.yaml", await oddFile("str", "x", CANARY))], { env: envWith({ SOPS_AGE_KEY_FILE: goodKeys }) }) },
  { name: "decrypt, a MAC of the wrong value (message names MACs, not values)", run: async () => run(["decrypt", w("wrongmac.yaml", await oddFile("str", CANARY, "0".repeat(128)))], { env: envWith({ SOPS_AGE_KEY_FILE: goodKeys }) }) },
  { name: "encrypt malformed YAML (unclosed quote)", run: () => run(["encrypt", "--age", r0, w("m1.yaml", yamlWith(`a: 1\nsecret: "${CANARY}\nb: [\n`))], { env: envWith() }) },
  { name: "encrypt malformed YAML (bad mapping)", run: () => run(["encrypt", "--age", r0, w("m2.yaml", `a: 1\nsecret: ${CANARY}: x: y\n`)], { env: envWith() }) },
  { name: "encrypt malformed YAML (bad indentation)", run: () => run(["encrypt", "--age", r0, w("m3.yaml", `a:\n    b: 1\n  secret: ${CANARY}\n`)], { env: envWith() }) },
  { name: "encrypt malformed YAML (tab)", run: () => run(["encrypt", "--age", r0, w("m4.yaml", `a:\n\tsecret: ${CANARY}\n`)], { env: envWith() }) },
  { name: "encrypt YAML with a duplicate key", run: () => run(["encrypt", "--age", r0, w("m5.yaml", `secret: ${CANARY}\nsecret: ${CANARY}-2\n`)], { env: envWith() }) },
  { name: "encrypt YAML with a non-string key", run: () => run(["encrypt", "--age", r0, w("m6.yaml", `? [${CANARY}]\n: x\n`)], { env: envWith() }) },
  { name: "encrypt YAML whose top level is a list", run: () => run(["encrypt", "--age", r0, w("m7.yaml", `- ${CANARY}\n`)], { env: envWith() }) },
  { name: "encrypt YAML with invalid !!binary", run: () => run(["encrypt", "--age", r0, w("m8.yaml", `secret: !!binary ${CANARY}!!\n`)], { env: envWith() }) },
  { name: "encrypt malformed JSON (missing comma)", run: () => run(["encrypt", "--age", r0, w("j1.json", `{"secret": "${CANARY}" "x": 1}`)], { env: envWith() }) },
  { name: "encrypt malformed JSON (bare word)", run: () => run(["encrypt", "--age", r0, w("j2.json", `{"secret": ${CANARY}}`)], { env: envWith() }) },
  { name: "encrypt malformed JSON (truncated)", run: () => run(["encrypt", "--age", r0, w("j3.json", `{"secret": "${CANARY}`)], { env: envWith() }) },
  { name: "encrypt JSON whose top level is an array", run: () => run(["encrypt", "--age", r0, w("j4.json", `["${CANARY}"]`)], { env: envWith() }) },
  // The dotenv grammar (like the dotenv package) reads an unmatched quote literally, so these may succeed.
  { name: "encrypt malformed dotenv (unterminated quote)", run: () => run(["encrypt", "--age", r0, w("d1.env", `A=1\nSECRET="${CANARY}\n`)], { env: envWith() }), mayPass: true },
  { name: "encrypt malformed dotenv (no =)", run: () => run(["encrypt", "--age", r0, w("d2.env", `A=1\n${CANARY}\n`)], { env: envWith() }) },
  { name: "encrypt malformed dotenv (bad key)", run: () => run(["encrypt", "--age", r0, w("d3.env", `BAD KEY ${CANARY}=x\n`)], { env: envWith() }) },
  { name: "encrypt malformed dotenv (sops grammar, no =)", run: () => run(["encrypt", "--dotenv-grammar", "sops", "--age", r0, w("d4.env", `${CANARY}\n`)], { env: envWith() }) },
  { name: "encrypt dotenv with a sops_ key", run: () => run(["encrypt", "--age", r0, w("d5.env", `sops_x=${CANARY}\n`)], { env: envWith() }) },
  { name: "encrypt malformed INI (bad section)", run: () => run(["encrypt", "--age", r0, w("i1.ini", `[sec\nsecret = ${CANARY}\n`)], { env: envWith() }) },
  { name: "encrypt malformed INI (no =)", run: () => run(["encrypt", "--age", r0, w("i2.ini", `[sec]\n${CANARY}\n`)], { env: envWith() }) },
  { name: "encrypt malformed TOML (unclosed string)", run: () => run(["encrypt", "--age", r0, w("t1.toml", `a = 1\nsecret = "${CANARY}\n`)], { env: envWith() }) },
  { name: "encrypt malformed TOML (bare word)", run: () => run(["encrypt", "--age", r0, w("t2.toml", `secret = ${CANARY}\n`)], { env: envWith() }) },
  { name: "encrypt malformed TOML (duplicate key)", run: () => run(["encrypt", "--age", r0, w("t3.toml", `secret = "${CANARY}"\nsecret = "${CANARY}"\n`)], { env: envWith() }) },
  { name: "encrypt an already sealed file", run: () => run(["encrypt", "--age", r0, ENC.yaml!], { env: envWith() }) },
  { name: "encrypt with an invalid recipient", run: () => run(["encrypt", "--age", "age1notarecipient", w("ok.yaml", `secret: ${CANARY}\n`)], { env: envWith() }) },
  { name: "encrypt with a private key given as recipient", run: () => run(["encrypt", "--age", id0, w("ok2.yaml", `secret: ${CANARY}\n`)], { env: envWith() }) },
  { name: "set with invalid JSON on stdin", run: () => run(["set", "--value-stdin", ENC.yaml!, '["secret"]'], { env: envWith({ SOPS_AGE_KEY_FILE: goodKeys }), input: `"${CANARY}` }) },
  { name: "set with invalid JSON on stdin (bare word)", run: () => run(["set", "--value-stdin", ENC.yaml!, '["secret"]'], { env: envWith({ SOPS_AGE_KEY_FILE: goodKeys }), input: `{"a": ${CANARY}}` }) },
  { name: "set with invalid JSON from a file", run: () => run(["set", "--value-file", w("v.json", `[${CANARY}`), ENC.yaml!, '["secret"]'], { env: envWith({ SOPS_AGE_KEY_FILE: goodKeys }) }) },
  { name: "set with an index into a map", run: () => run(["set", "--value-stdin", ENC.yaml!, '[0]'], { env: envWith({ SOPS_AGE_KEY_FILE: goodKeys }), input: '"x"' }) },
  { name: "set with the wrong key", run: () => run(["set", "--value-stdin", ENC.yaml!, '["secret"]'], { env: envWith({ SOPS_AGE_KEY_FILE: wrongKeys }), input: `"${CANARY}-new"` }) },
  { name: "unset a missing path", run: () => run(["unset", ENC.yaml!, '["secret"]["x"]'], { env: envWith({ SOPS_AGE_KEY_FILE: goodKeys }) }) },
  { name: "exec with invalid environment names", run: () => run(["exec", "-f", ENC.yaml!, "--no-flatten", "--", process.execPath, "-e", "0"], { env: envWith({ SOPS_AGE_KEY_FILE: goodKeys }) }) },
  { name: "exec of a JSON file with lists", run: () => run(["exec", "-f", ENC.json!, "--", process.execPath, "-e", "0"], { env: envWith({ SOPS_AGE_KEY_FILE: goodKeys }) }), mayPass: true },
  { name: "exec of a missing command", run: () => run(["exec", "-f", ENC.env!, "--", "/nonexistent/cmd"], { env: envWith({ SOPS_AGE_KEY_FILE: goodKeys }) }) },
  { name: "exec with the wrong key", run: () => run(["exec", "-f", ENC.env!, "--", process.execPath, "-e", "0"], { env: envWith({ SOPS_AGE_KEY_FILE: wrongKeys }) }) },
  { name: "edit to invalid YAML", run: () => run(["edit", w("ed1.yaml", readFileSync(ENC.yaml!))], { env: envWith({ SOPS_AGE_KEY_FILE: goodKeys, EDITOR: `"${process.execPath}" ${join(EDITORS, "replace.mjs")}`, EDIT_FROM: `secret: ${CANARY}`, EDIT_TO: `secret: ${CANARY}: [oops` }) }) },
  { name: "edit to invalid JSON", run: () => run(["edit", w("ed2.json", readFileSync(ENC.json!))], { env: envWith({ SOPS_AGE_KEY_FILE: goodKeys, EDITOR: `"${process.execPath}" ${join(EDITORS, "replace.mjs")}`, EDIT_FROM: `"${CANARY}"`, EDIT_TO: `${CANARY}` }) }) },
  { name: "edit to invalid dotenv", run: () => run(["edit", w("ed3.env", readFileSync(ENC.env!))], { env: envWith({ SOPS_AGE_KEY_FILE: goodKeys, EDITOR: `"${process.execPath}" ${join(EDITORS, "replace.mjs")}`, EDIT_FROM: `SECRET=${CANARY}`, EDIT_TO: `SECRET="${CANARY}` }) }), mayPass: true },
  { name: "edit with a failing editor", run: () => run(["edit", w("ed4.yaml", readFileSync(ENC.yaml!))], { env: envWith({ SOPS_AGE_KEY_FILE: goodKeys, EDITOR: `"${process.execPath}" ${join(EDITORS, "fail.mjs")}` }) }) },
  { name: "edit with the wrong key", run: () => run(["edit", w("ed5.yaml", readFileSync(ENC.yaml!))], { env: envWith({ SOPS_AGE_KEY_FILE: wrongKeys, EDITOR: "true" }) }) },
  { name: "guard on plaintext secrets", run: () => run(["guard", w("leak.yaml", `password: ${CANARY}\naws_secret_access_key: ${CANARY}abcdefabcdefabcdefabcdefabcd\nkey: ${id0}\n`), w("leak.env", `DB_PASSWORD=${CANARY}\nAGE=${id0}\n`)], { env: envWith(), cwd: dir }) },
  { name: "guard --json on plaintext secrets", run: () => run(["guard", "--json", w("leak2.yaml", `password: ${CANARY}\nkey: ${id0}\n`)], { env: envWith(), cwd: dir }) },
  { name: "doctor with the wrong key", run: () => run(["doctor", ENC.yaml!], { env: envWith({ SOPS_AGE_KEY_FILE: wrongKeys }) }), mayPass: true },
  { name: "doctor with a private key in SOPS_AGE_KEY", run: () => run(["doctor", ENC.yaml!], { env: envWith({ SOPS_AGE_KEY: id0 }) }), mayPass: true },
  { name: "updatekeys without a key", run: () => {
    const d = mkdtempSync(join(dir, "uk-"));
    writeFileSync(join(d, ".sops.yaml"), `creation_rules:\n  - age: ${r1}\n`);
    const p = join(d, "s.yaml");
    writeFileSync(p, readFileSync(ENC.yaml!));
    return run(["updatekeys", "-y", p], { env: envWith(), cwd: d });
  } },
  { name: "rotate without a key", run: () => run(["rotate", w("rot.yaml", readFileSync(ENC.yaml!))], { env: envWith({ SOPS_AGE_KEY_FILE: wrongKeys }) }) },
  { name: "a corrupted identity in SOPS_AGE_KEY", run: () => run(["decrypt", ENC.yaml!], { env: envWith({ SOPS_AGE_KEY: `${id0.slice(0, -1)}${id0.endsWith("Q") ? "P" : "Q"}` }) }) },
  { name: "doctor with a corrupted identity", run: () => run(["doctor", ENC.yaml!], { env: envWith({ SOPS_AGE_KEY: `${id0.slice(0, -1)}${id0.endsWith("Q") ? "P" : "Q"}` }) }), mayPass: true },
  { name: "exec with a corrupted identity next to a good one", run: () => run(["exec", "-f", ENC.env!, "--", process.execPath, "-e", "process.exit(3)"], { env: envWith({ SOPS_AGE_KEY: `${id1.slice(0, -1)}${id1.endsWith("Q") ? "P" : "Q"}\n${id0}` }) }) },
  { name: "a key file with a garbled identity line", run: () => run(["decrypt", ENC.yaml!], { env: envWith({ SOPS_AGE_KEY_FILE: w("garbled.txt", `${id0}x\n${CANARY}\n`) }) }) },
  { name: "a key file that is a private key with spaces", run: () => run(["decrypt", ENC.yaml!], { env: envWith({ SOPS_AGE_KEY_FILE: w("spaced.txt", `  ${id0.toLowerCase()} trailing\n`) }) }), mayPass: true },
  { name: "merge conflict", run: () => {
    const env = envWith({ SOPS_AGE_KEY_FILE: goodKeys });
    const base = readFileSync(ENC.yaml!);
    const ours = w("ours.yaml", base);
    const theirs = w("theirs.yaml", base);
    expect(runSecrets(["set", "--value-stdin", ours, '["secret"]'], { env, input: JSON.stringify(`${CANARY}-ours`) }).code).toBe(0);
    expect(runSecrets(["set", "--value-stdin", theirs, '["secret"]'], { env, input: JSON.stringify(`${CANARY}-theirs`) }).code).toBe(0);
    return run(["git", "merge", w("base.yaml", base), ours, theirs, "s.yaml"], { env });
  } },
  { name: "merge with the wrong key", run: () => {
    const base = readFileSync(ENC.yaml!);
    return run(["git", "merge", w("b2.yaml", base), w("o2.yaml", base), w("t2.yaml", base), "s.yaml"], { env: envWith({ SOPS_AGE_KEY_FILE: wrongKeys }) });
  } },
  // textconv shows a file that is not sealed as it is: its own text on stdout is what git would show anyway.
  { name: "diff-text of a malformed file", run: () => run(["git", "diff-text", w("dt.yaml", `secret: ${CANARY}: [\n`)], { env: envWith({ SOPS_AGE_KEY_FILE: goodKeys }) }), mayPass: true, mayPrintPlain: true },
  { name: "filestatus of a malformed file", run: () => run(["filestatus", w("fs.json", `{"secret": ${CANARY}`)], { env: envWith() }), mayPass: true },
  { name: "status of a directory with malformed files", run: () => run(["status", dir], { env: envWith(), cwd: dir }), mayPass: true },
];

describe("canary never on stderr", () => {
  for (const sc of scenarios) {
    for (const extra of [[], ["--verbose", "--debug"]] as const) {
      it(`${sc.name}${extra.length ? " (--verbose --debug)" : ""}`, async () => {
        flagState.flags = [...extra];
        let r: { code: number; stdout: string; stderr: string };
        try { r = await sc.run(); } finally { flagState.flags = []; }
        if (!sc.mayPass) expect(r.code, r.stderr).not.toBe(0);
        expect(r.stderr.includes(CANARY), r.stderr).toBe(false);
        expect(leaksKey(r.stderr, id0), r.stderr).toBeUndefined();
        expect(leaksKey(r.stderr, id1), r.stderr).toBeUndefined();
        if (!sc.mayPrintPlain) {
          expect(r.stdout.includes(CANARY), r.stdout).toBe(false);
          expect(leaksKey(r.stdout, id0), r.stdout).toBeUndefined();
        }
      });
    }
  }
});


describe("fixes found by this canary run", () => {
  it("a corrupted identity is skipped, so a good one next to it still opens the file", () => {
    const bad = `${id1.slice(0, -1)}${id1.endsWith("Q") ? "P" : "Q"}`;
    const r = runSecrets(["decrypt", "--extract", '["secret"]', ENC.yaml!], { env: envWith({ SOPS_AGE_KEY: `${bad}\n${id0}` }) });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(CANARY);
  });

  it("a corrupted identity alone is named as malformed, without its text", () => {
    const bad = `${id0.slice(0, -1)}${id0.endsWith("Q") ? "P" : "Q"}`;
    const r = runSecrets(["decrypt", ENC.yaml!], { env: envWith({ SOPS_AGE_KEY: bad }) });
    expect(r.code).toBe(128);
    expect(r.stderr).toContain("malformed");
    expect(r.stderr).not.toContain(bad.slice(16, 30));
  });

  it("doctor lists a corrupted identity as malformed instead of crashing (and printing it under --debug)", () => {
    const bad = `${id0.slice(0, -1)}${id0.endsWith("Q") ? "P" : "Q"}`;
    const r = runSecrets(["doctor", "--debug", ENC.yaml!], { env: envWith({ SOPS_AGE_KEY: bad }) });
    expect(`${r.stdout}${r.stderr}`).not.toContain("INTERNAL");
    expect(`${r.stdout}${r.stderr}`).toContain("malformed");
    expect(leaksKey(`${r.stdout}${r.stderr}`, id0)).toBeUndefined();
  });

  it("a private key passed as --age is refused without echoing it", () => {
    const r = runSecrets(["encrypt", "--age", id0, w("pk.yaml", "a: 1\n")], { env: envWith() });
    expect(r.code).toBe(1); // BAD_RECIPIENT: sops fails parsing recipients with a plain error
    expect(r.stderr).toContain("error[BAD_RECIPIENT]");
    expect(r.stderr).toContain("private key");
    expect(leaksKey(r.stderr, id0)).toBeUndefined();
  });

  it("guard reads absolute paths given from another folder", () => {
    const elsewhere = mkdtempSync(join(dir, "cwd-"));
    const r = runSecrets(["guard", w("abs-leak.yaml", `password: ${CANARY}Zq8\n`)], { env: envWith(), cwd: elsewhere });
    expect(r.code).toBe(1);
    expect(`${r.stdout}${r.stderr}`).not.toContain("unreadable");
    expect(`${r.stdout}${r.stderr}`).toContain("abs-leak.yaml:1");
  });
});
