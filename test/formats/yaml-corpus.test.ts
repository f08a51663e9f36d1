// Acceptance (issue 9, YAML as written): decrypt(encrypt(f)) is byte-identical for every file of the corpus
// in test/fixtures/yaml/, through the real CLI, except the files listed below (each documented in the
// README); and every encrypted corpus file still reads as a sops file to a reader written here from the
// format notes alone (yaml package + node:crypto + `age -d`): every value ENC[…] at its path AAD, MAC re-derived.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { createDecipheriv, createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { isMap, isScalar, isSeq, parseAllDocuments } from "yaml";
import { ROOT, baseEnv, runSecretsAsync, tempHome } from "../helpers/cli.js";
import { YamlStore } from "../../src/formats/yaml.js";
import { hasAge, noteMissing } from "../helpers/tools.js";

const CORPUS = join(ROOT, "test/fixtures/yaml");
/** Files whose bytes are not kept, with the reason (README, "YAML kept as written" → Exceptions). Values are. */
const EXCEPTIONS: Record<string, string> = {
  // Since issue 15 none: wrapped scalars, number/bool/date spellings and escapes are kept through the
  // encrypted layout record.
};

const files = readdirSync(CORPUS).filter((f) => f.endsWith(".yaml")).sort();
const home = tempHome();
const dir = mkdtempSync(join(tmpdir(), "sealfile-yaml-corpus-"));
const keys = join(dir, "keys.txt");
let env: Record<string, string> = {};
let recipient = "";
const results = new Map<string, { plain: Buffer; enc: Buffer; dec: Buffer }>();

beforeAll(async () => {
  env = baseEnv(home.dir, { SOPS_AGE_KEY_FILE: keys });
  const kg = await runSecretsAsync(["keygen", "-o", keys], { env });
  recipient = kg.stdout.trim();
  // Four at a time: each file is two real CLI processes.
  const queue = [...files];
  const worker = async (): Promise<void> => {
    for (let f = queue.shift(); f !== undefined; f = queue.shift()) {
      const plain = readFileSync(join(CORPUS, f));
      const enc = await runSecretsAsync(["encrypt", "--age", recipient, join(CORPUS, f)], { env });
      if (enc.code !== 0) throw new Error(`encrypt ${f}: ${enc.stderr}`);
      const encPath = join(dir, f.replace(/\.yaml$/, ".enc.yaml"));
      writeFileSync(encPath, enc.stdoutBytes);
      const dec = await runSecretsAsync(["decrypt", encPath], { env });
      if (dec.code !== 0) throw new Error(`decrypt ${f}: ${dec.stderr}`);
      results.set(f, { plain, enc: enc.stdoutBytes, dec: dec.stdoutBytes });
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
}, 300_000);
afterAll(() => {
  home.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe("YAML corpus kept as written", () => {
  it("has at least 40 files, and every exception is a corpus file", () => {
    expect(files.length).toBeGreaterThanOrEqual(40);
    for (const f of Object.keys(EXCEPTIONS)) expect(files).toContain(f);
  });

  it("decrypt(encrypt(f)) is byte-identical, except the listed files, whose values are still identical", () => {
    const store = new YamlStore();
    let same = 0;
    const differ: string[] = [];
    for (const f of files) {
      const r = results.get(f)!;
      if (r.dec.equals(r.plain)) same++;
      else differ.push(f);
      // Values always come back, exceptions included.
      expect(store.parsePlain(r.dec).branches, f).toEqual(store.parsePlain(r.plain).branches);
    }
    console.log(`YAML corpus: ${same}/${files.length} byte-identical (exceptions: ${differ.join(", ") || "none"})`);
    expect(differ.sort()).toEqual(Object.keys(EXCEPTIONS).sort());
  });

  it("keeps the layout in the encrypted file too: only values and comments change, a sops block is appended", () => {
    const r = results.get("helm-values.yaml")!;
    const plainLines = r.plain.toString().split("\n");
    const encLines = r.enc.toString().split("\n");
    const sopsAt = encLines.indexOf("sops:");
    expect(sopsAt).toBe(plainLines.length - 1);
    for (let i = 0; i < sopsAt; i++) {
      const p = plainLines[i]!, e = encLines[i]!;
      if (p === e) continue;
      // Same indentation and key; the value or comment is replaced by its envelope.
      expect(e.slice(0, p.search(/\S|$/))).toBe(p.slice(0, p.search(/\S|$/)));
      expect(e).toMatch(/ENC\[AES256_GCM,/);
    }
    expect(r.enc.toString()).not.toContain("Zx9!kq#2");
    expect(r.enc.toString()).not.toContain("Database credentials");
  });
});

describe("decrypt -i → edit one value with a text tool → encrypt -i: a 3-line git diff", () => {
  it("a 1,000-key YAML file with blank lines, comments, quotes and block scalars keeps its layout", async () => {
    const repo = mkdtempSync(join(dir, "git-"));
    const git = (...args: string[]): string => {
      const r = spawnSync("git", args, { cwd: repo, encoding: "utf8" });
      if (r.status !== 0) throw new Error(`git ${args[0]}: ${r.stderr}`);
      return r.stdout;
    };
    git("init", "-q");
    git("config", "user.email", "t@example.com");
    git("config", "user.name", "t");
    const lines = ["# Service settings", ""];
    for (let g = 0; g < 10; g++) {
      lines.push(`# group ${g}`, `group_${g}:`);
      for (let i = 0; i < 100; i++) {
        if (i % 25 === 0) lines.push("", `  # block ${i}`);
        const v = `v-${g}-${i}`;
        lines.push(i % 7 === 0 ? `  key_${i}: "${v}"` : i % 11 === 0 ? `  key_${i}: |-\n    ${v}\n    more` : `  key_${i}: ${v}`);
      }
    }
    const original = `${lines.join("\n")}\n`;
    const file = join(repo, "secrets.yaml");
    writeFileSync(file, original);
    const run = (args: string[]) => runSecretsAsync(args, { env, cwd: repo });
    expect((await run(["encrypt", "-i", "--age", recipient, "secrets.yaml"])).code).toBe(0);
    git("add", ".");
    git("commit", "-q", "-m", "sealed");
    expect((await run(["decrypt", "-i", "secrets.yaml"])).code).toBe(0);
    expect(readFileSync(file, "utf8")).toBe(original);
    writeFileSync(file, original.replace("\n  key_5: v-3-5\n", "\n  key_5: changed\n"));
    await new Promise((r) => setTimeout(r, 1100)); // `lastmodified` has one-second resolution
    expect((await run(["encrypt", "-i", "secrets.yaml"])).code).toBe(0);
    const changed = git("diff", "-U0", "--", "secrets.yaml").split("\n").filter((l) => /^[-+](?![-+])/.test(l));
    // Exactly 3 lines changed: the value, `lastmodified` and `mac`.
    expect(changed.map((l) => l.slice(0, 16)).sort()).toEqual(["+  key_5: ENC[AE", "+  lastmodified:", "+  mac: ENC[AES2", "-  key_5: ENC[AE", "-  lastmodified:", "-  mac: ENC[AES2"]);
  }, 60_000);
});

noteMissing("age", hasAge, "the independent sops reader over the encrypted corpus (it opens stanzas with `age -d`)");
const ENC_RE = /^ENC\[AES256_GCM,data:(.*),iv:(.+),tag:(.+),type:(.+)\]$/;

function openValue(envelope: string, key: Buffer, aad: string): Buffer {
  const m = ENC_RE.exec(envelope);
  if (!m) throw new Error("not an envelope");
  const d = createDecipheriv("aes-256-gcm", key, Buffer.from(m[2]!, "base64"));
  d.setAAD(Buffer.from(aad, "utf8"));
  d.setAuthTag(Buffer.from(m[3]!, "base64"));
  return Buffer.concat([d.update(Buffer.from(m[1]!, "base64")), d.final()]);
}

/** sops's walk over yaml nodes (document order): map keys form the path, list indices do not. */
function walk(n: unknown, path: string[], key: Buffer, hash: ReturnType<typeof createHash>, where: string): void {
  if (isSeq(n)) return n.items.forEach((x) => walk(x, path, key, hash, where));
  if (isMap(n)) {
    for (const p of n.items) {
      // sops refuses a key that does not read as a string ("Tree contains a non-string key").
      expect(isScalar(p.key) && typeof p.key.value === "string", `${where}: key ${String(p.key)} under ${path.join(".")} reads as a string`).toBe(true);
      const k = String((p.key as { value: string }).value);
      if (path.length === 0 && k === "sops") continue;
      walk(p.value, [...path, k], key, hash, where);
    }
    return;
  }
  const v = isScalar(n) ? n.value : n;
  if (v === null || v === undefined || v === "") return;
  if (path.some((p) => p.endsWith("_unencrypted"))) {
    hash.update(String(v));
    return;
  }
  expect(typeof v === "string" && ENC_RE.test(v), `${where}: ${path.join(".")} is encrypted`).toBe(true);
  hash.update(openValue(v as string, key, `${path.join(":")}:`));
}

describe.skipIf(!hasAge)("every encrypted corpus file reads as a sops file to an independent reader", () => {
  it("values open at their path AAD and the MAC re-derives", () => {
    for (const f of files) {
      const text = results.get(f)!.enc.toString("utf8");
      const docs = parseAllDocuments(text, { uniqueKeys: false });
      expect(Array.isArray(docs), f).toBe(true);
      const js = (docs as Array<{ errors: unknown[]; toJS: () => unknown }>).map((d) => {
        expect(d.errors, f).toEqual([]);
        return d.toJS() as Record<string, unknown> & { sops: { age: Array<{ enc: string }>; mac: string; lastmodified: string } };
      });
      for (const d of js) expect(d.sops, `${f}: every document has a sops block`).toBeDefined();
      const stanza = join(dir, "stanza.age");
      writeFileSync(stanza, js[0]!.sops.age[0]!.enc);
      const age = spawnSync("age", ["-d", "-i", keys, stanza]);
      expect(age.status, f).toBe(0);
      const dataKey = age.stdout;
      const hash = createHash("sha512");
      for (const d of docs as Array<{ contents: unknown }>) walk(d.contents, [], dataKey, hash, f);
      const mac = openValue(js[0]!.sops.mac, dataKey, js[0]!.sops.lastmodified).toString("utf8");
      expect(mac, `${f}: MAC`).toBe(hash.digest("hex").toUpperCase());
    }
  });
});
