// Acceptance (issue 15 item 1): decrypt(encrypt(f)) is byte-identical for the wild corpus in
// test/fixtures/yaml-wild/ (files taken by a fixed rule from installed packages, plus files written from
// vendors' documented formats: see its MANIFEST.tsv and scripts/collect-yaml-wild.sh), through the library
// in-process. Files sops cannot encrypt either (a top-level sequence) are refused with the reason; every
// other exception is listed below with its reason. Every encrypted file still reads as a sops file to a
// reader written here from the format notes (yaml package + node:crypto + `age -d`): values open at their
// path AAD and the MAC re-derives.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { createDecipheriv, createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { isMap, isScalar, isSeq, parseAllDocuments } from "yaml";
import { armor, Decrypter, generateX25519Identity, identityToRecipient } from "age-encryption";
import { ROOT } from "../helpers/cli.js";
import { hasAge, noteMissing } from "../helpers/tools.js";
import { YamlStore } from "../../src/formats/yaml.js";
import { openSealedBytes, sealPlainBytes } from "../../src/ops/sealed-file.js";
import { makeKeyContext } from "../../src/ops/key-context.js";
import { keyFromSpec } from "../../src/keys/registry.js";
import { isSealError } from "../../src/errors.js";

const CORPUS = join(ROOT, "test/fixtures/yaml-wild");
/** Files whose bytes are not kept or that are refused for another reason than a top-level sequence (README, "YAML kept as written"). */
const EXCEPTIONS: Record<string, string> = {
  "python3-yaml--example.yaml":
    "a collection of YAML spec examples: a `%TAG` directive after a document with no `...` end marker, which the YAML 1.2 grammar (and the `yaml` package) refuses",
};

const files = readdirSync(CORPUS).filter((f) => /\.ya?ml$/.test(f)).sort();
const dir = mkdtempSync(join(tmpdir(), "sealfile-yaml-wild-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
interface Result {
  plain: Buffer;
  enc?: Buffer;
  dec?: Buffer;
  refused?: string;
}
const results = new Map<string, Result>();
let identity = "";

/** The first document is a sequence, per the `yaml` package (an independent reading). */
function topLevelSequence(text: string): boolean {
  const docs = parseAllDocuments(text);
  return Array.isArray(docs) && docs.some((d) => isSeq(d.contents));
}

beforeAll(async () => {
  identity = await generateX25519Identity();
  const ctx = makeKeyContext({ SOPS_AGE_KEY: identity, HOME: "/nonexistent-home" });
  const key = await keyFromSpec({ kind: "age", recipient: await identityToRecipient(identity) });
  for (const f of files) {
    const plain = readFileSync(join(CORPUS, f));
    try {
      const enc = Buffer.from(await sealPlainBytes(plain, { format: "yaml", ctx, keyGroups: [[key]] }));
      const { doc, store } = await openSealedBytes(enc, { format: "yaml", ctx });
      results.set(f, { plain, enc, dec: Buffer.from(store.emitPlain(doc.plain)) });
    } catch (e) {
      if (!isSealError(e, "BAD_SYNTAX")) throw e;
      results.set(f, { plain, refused: `${e.message} (hint: ${e.hint ?? ""})` });
    }
  }
}, 120_000);

describe("issue 15 item 1: the wild YAML corpus is kept as written", () => {
  it("has at least 100 files, from a manifest naming each one's source, and every exception is a corpus file", () => {
    expect(files.length).toBeGreaterThanOrEqual(100);
    const manifest = readFileSync(join(CORPUS, "MANIFEST.tsv"), "utf8").trim().split("\n").slice(1).map((l) => l.split("\t")[0]);
    expect(manifest.sort()).toEqual(files);
    for (const f of Object.keys(EXCEPTIONS)) expect(files).toContain(f);
  });

  it("refuses top-level sequences, as sops does, saying why", () => {
    for (const f of files) {
      const r = results.get(f)!;
      const seq = topLevelSequence(r.plain.toString("utf8"));
      if (f in EXCEPTIONS) continue;
      expect(r.refused !== undefined, `${f}: refused exactly when its document is a top-level sequence`).toBe(seq);
      if (r.refused) expect(r.refused).toMatch(/top-level sequence: sops encrypts only documents that are mappings/);
    }
  });

  it("decrypt(encrypt(f)) is byte-identical, except the listed files; values come back in every file", () => {
    const store = new YamlStore();
    let same = 0;
    let refused = 0;
    const differ: string[] = [];
    for (const f of files) {
      const r = results.get(f)!;
      if (r.refused !== undefined) {
        if (topLevelSequence(r.plain.toString("utf8")) && /top-level sequence/.test(r.refused)) refused++;
        else differ.push(f);
        continue;
      }
      if (r.dec!.equals(r.plain)) same++;
      else differ.push(f);
      expect(store.parsePlain(r.dec!).branches, f).toEqual(store.parsePlain(r.plain).branches);
    }
    const encryptable = files.length - refused;
    console.log(
      `YAML wild corpus: ${same}/${encryptable} byte-identical (${files.length} files, less ${refused} top-level sequences refused as sops does); ` +
        `exceptions: ${differ.join(", ") || "none"}`,
    );
    expect(differ.sort()).toEqual(Object.keys(EXCEPTIONS).sort());
    expect(same / encryptable).toBeGreaterThanOrEqual(0.97);
  });

  it("keeps the layout record secret: no plaintext line of a wrapped value appears in the encrypted file", () => {
    const r = results.get("pyenv--.github_workflows_no-response.yml")!;
    const enc = r.enc!.toString("utf8");
    expect(enc).toMatch(/sealfile_layout: ENC\[AES256_GCM,/);
    expect(enc).not.toContain("automatically closed");
    expect(enc).not.toContain("to our request");
  });
});

noteMissing("age", hasAge, "the independent sops reader over the encrypted wild corpus (it opens stanzas with `age -d`)");
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
      expect(isScalar(p.key) && typeof p.key.value === "string", `${where}: key ${String(p.key)} under ${path.join(".")} reads as a string`).toBe(true);
      const k = String((p.key as { value: string }).value);
      if (path.length === 0 && k === "sops") continue;
      walk(p.value, [...path, k], key, hash, where);
    }
    return;
  }
  const v = isScalar(n) ? n.value : n;
  if (v === null || v === undefined || v === "") return;
  expect(typeof v === "string" && ENC_RE.test(v), `${where}: ${path.join(".")} is encrypted`).toBe(true);
  hash.update(openValue(v as string, key, `${path.join(":")}:`));
}

describe.skipIf(!hasAge)("issue 15 item 4: every encrypted wild corpus file reads as a sops file to an independent reader", () => {
  it("values open at their path AAD and the MAC re-derives", async () => {
    const decrypter = new Decrypter();
    decrypter.addIdentity(identity);
    const keys = join(dir, "keys.txt");
    writeFileSync(keys, identity + "\n");
    let checked = 0;
    for (const f of files) {
      const r = results.get(f)!;
      if (!r.enc) continue;
      const docs = parseAllDocuments(r.enc.toString("utf8"), { uniqueKeys: false }) as Array<{ errors: unknown[]; contents: unknown; toJS: () => unknown }>;
      const js = docs.map((d) => {
        expect(d.errors, f).toEqual([]);
        return d.toJS() as { sops: { age: Array<{ enc: string }>; mac: string; lastmodified: string } };
      });
      // Every 4th stanza through Debian's `age` (a process each); the others through age-encryption in-process.
      let dataKey: Buffer;
      if (checked % 4 === 0) {
        const stanza = join(dir, "stanza.age");
        writeFileSync(stanza, js[0]!.sops.age[0]!.enc);
        const age = spawnSync("age", ["-d", "-i", keys, stanza]);
        expect(age.status, f).toBe(0);
        dataKey = age.stdout;
      } else dataKey = Buffer.from(await decrypter.decrypt(armor.decode(js[0]!.sops.age[0]!.enc)));
      const hash = createHash("sha512");
      for (const d of docs) walk(d.contents, [], dataKey, hash, f);
      expect(openValue(js[0]!.sops.mac, dataKey, js[0]!.sops.lastmodified).toString("utf8"), `${f}: MAC`).toBe(hash.digest("hex").toUpperCase());
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(90);
  }, 60_000);
});
