// Acceptance: round trips through the CLI for every format, format conversion, and the error cases.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, statSync, writeFileSync, existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { baseEnv, runSecrets, tempHome } from "../helpers/cli.js";

const home = tempHome();
const dir = mkdtempSync(join(tmpdir(), "sealfile-cli-"));
let recipient = "";
let env: Record<string, string> = {};
const keys = join(dir, "keys.txt");

beforeAll(() => {
  const r = runSecrets(["keygen", "-o", keys], { env: baseEnv(home.dir) });
  expect(r.code).toBe(0);
  recipient = r.stdout.trim();
  env = baseEnv(home.dir, { SOPS_AGE_KEY_FILE: keys });
});
afterAll(() => {
  home.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const YAML_WITH_COMMENTS = `# top comment
app:
    # database settings
    db:
        user: admin
        password: s3cr3t p4ss
        port: 5432
        ratio: 0.1
    enabled: true # inline note
    tags:
        - a
        - b
    empty: ""
    nothing: null
api_key_unencrypted: visible
`;

const MULTI_DOC = `a: 1
b: two
---
c: three
d:
    - x1
    - y1
`;

const cases: Array<{ name: string; text: string }> = [
  { name: "comments.yaml", text: YAML_WITH_COMMENTS },
  { name: "multi.yaml", text: MULTI_DOC },
  { name: "plain.env", text: "DB_PASSWORD=hunter2\n# comment\nAPI_URL=https://example.com/?a=b\nMULTI=line1\\nline2\n" },
];

describe("round trips through the CLI", () => {
  for (const c of cases) {
    it(`${c.name}: decrypt(encrypt(x)) == x, values hidden`, () => {
      const p = write(c.name, c.text);
      const enc = runSecrets(["encrypt", "--age", recipient, p], { env });
      expect(enc.stderr).toBe("");
      expect(enc.code).toBe(0);
      expect(enc.stdout).toContain("ENC[AES256_GCM,");
      expect(enc.stdout).not.toContain("hunter2");
      expect(enc.stdout).not.toContain("s3cr3t");
      const encPath = write(`enc.${c.name}`, enc.stdout);
      const dec = runSecrets(["decrypt", encPath], { env });
      expect(dec.stderr).toBe("");
      expect(dec.code).toBe(0);
      expect(dec.stdout).toBe(c.text);
    });
  }

  it("JSON with nested lists of maps round trips as data, int and float kept apart", () => {
    const data = { servers: [{ host: "a", ports: [1, 2], weight: 0.5 }, { host: "b", meta: { deep: [{ k: "v" }] } }], n: -42, big: 9007199254740993, f: 1.5, t: true, z: null, s: "" };
    const text = JSON.stringify(data, null, "\t").replace("9007199254740992", "9007199254740993");
    const p = write("nested.json", text.replace(/"big": \d+/, '"big": 9007199254740993'));
    const enc = runSecrets(["encrypt", "--age", recipient, p], { env });
    expect(enc.code).toBe(0);
    expect(enc.stdout).toMatch(/type:int/);
    expect(enc.stdout).toMatch(/type:float/);
    const encPath = write("nested.enc.json", enc.stdout);
    const dec = runSecrets(["decrypt", encPath], { env });
    expect(dec.code).toBe(0);
    expect(dec.stdout).toContain('"big": 9007199254740993');
    expect(JSON.parse(dec.stdout.replace("9007199254740993", "1"))).toEqual({ ...data, big: 1 });
  });

  it("INI round trips", () => {
    const text = "[database]\nuser     = admin\npassword = hunter2\n\n[server]\nport = 8080\n";
    const p = write("app.ini", text);
    const enc = runSecrets(["encrypt", "--age", recipient, p], { env });
    expect(enc.code).toBe(0);
    expect(enc.stdout).not.toContain("hunter2");
    const dec = runSecrets(["decrypt", write("app.enc.ini", enc.stdout)], { env });
    expect(dec.code).toBe(0);
    expect(dec.stdout).toBe(text);
  });

  it("binary files round trip byte for byte", () => {
    const bytes = Buffer.from([0, 1, 2, 255, 254, 10, 13, 0x80, 0x41]);
    const p = join(dir, "blob.bin");
    writeFileSync(p, bytes);
    const enc = runSecrets(["encrypt", "--age", recipient, p], { env });
    expect(enc.code).toBe(0);
    const dec = runSecrets(["decrypt", "--input-type", "binary", write("blob.enc", enc.stdout)], { env });
    expect(dec.code).toBe(0);
    expect(Buffer.compare(dec.stdoutBytes, bytes)).toBe(0);
  });

  it("converts YAML to JSON on decrypt, and --extract prints one value", () => {
    const p = write("conv.yaml", YAML_WITH_COMMENTS);
    const encPath = write("conv.enc.yaml", runSecrets(["encrypt", "--age", recipient, p], { env }).stdout);
    const json = runSecrets(["decrypt", "--output-type", "json", encPath], { env });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).app.db.port).toBe(5432);
    const one = runSecrets(["decrypt", "--extract", '["app"]["db"]["password"]', encPath], { env });
    expect(one.stdout).toBe("s3cr3t p4ss");
    const missing = runSecrets(["decrypt", "--extract", '["nope"]', encPath], { env });
    expect(missing.code).toBe(1); // sops: a valid path that is absent is a plain error (decrypt.go:78)
  });

  it("encrypt -i replaces the file atomically, keeping its mode; decrypt --output writes 0600", () => {
    const p = write("inplace.yaml", "k: v\n");
    const r = runSecrets(["encrypt", "-i", "--age", recipient, p], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(readFileSync(p, "utf8")).toContain("ENC[");
    const out = join(dir, "out.yaml");
    expect(runSecrets(["decrypt", "--output", out, p], { env }).code).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(readFileSync(out, "utf8")).toBe("k: v\n");
  });

  it("encrypts stdin with --filename-override, using .sops.yaml rules", () => {
    const proj = mkdtempSync(join(dir, "proj-"));
    writeFileSync(join(proj, ".sops.yaml"), `creation_rules:\n  - path_regex: \\.env$\n    age: ${recipient}\n`);
    const r = runSecrets(["encrypt", "--filename-override", "prod.env", "-"], { env, cwd: proj, input: "TOKEN=abc\n" });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("sops_age__list_0__map_recipient=" + recipient);
  });
});

describe("errors", () => {
  it("no matching identity → exit 128, listing each recipient and where keys were looked for", () => {
    const p = write("other.yaml", "k: v\n");
    const enc = runSecrets(["encrypt", "--age", recipient, p], { env });
    const encPath = write("other.enc.yaml", enc.stdout);
    const noKeys = baseEnv(home.dir);
    const r = runSecrets(["decrypt", encPath], { env: noKeys });
    expect(r.code).toBe(128);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(recipient);
    expect(r.stderr).toContain("SOPS_AGE_KEY");
    expect(r.stderr).toContain("SOPS_AGE_KEY_FILE");
    expect(r.stderr).toContain(join(home.dir, ".config/sops/age/keys.txt"));
    expect(r.stderr.match(/error\[/g)).toHaveLength(1);
  });

  it("a wrong key → 128 too", () => {
    const other = join(dir, "other-keys.txt");
    runSecrets(["keygen", "-o", other], { env: baseEnv(home.dir) });
    const encPath = write("w.enc.yaml", runSecrets(["encrypt", "--age", recipient, write("w.yaml", "k: v\n")], { env }).stdout);
    const r = runSecrets(["decrypt", encPath], { env: baseEnv(home.dir, { SOPS_AGE_KEY_FILE: other }) });
    expect(r.code).toBe(128);
    expect(r.stderr).toContain("none of the identities matches");
  });

  it("malformed YAML and JSON → line and column, no source text", () => {
    const y = runSecrets(["encrypt", "--age", recipient, write("bad.yaml", "a: 1\nb: [unclosed\nsecret: hunter2\n")], { env });
    expect(y.code).not.toBe(0);
    expect(y.stderr).toMatch(/line \d+, column \d+/);
    expect(y.stderr).not.toContain("hunter2");
    const j = runSecrets(["encrypt", "--age", recipient, write("bad.json", '{"a": "hunter2",\n  "b": }')], { env });
    expect(j.code).not.toBe(0);
    expect(j.stderr).toMatch(/line 2, column \d+/);
    expect(j.stderr).not.toContain("hunter2");
  });

  it("a plaintext file passed to decrypt → not encrypted", () => {
    const r = runSecrets(["decrypt", write("plain.yaml", "a: 1\n")], { env });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("not encrypted");
  });

  it("an encrypted file passed to encrypt → exit 203", () => {
    const encPath = write("twice.yaml", runSecrets(["encrypt", "--age", recipient, write("once.yaml", "a: 1\n")], { env }).stdout);
    const r = runSecrets(["encrypt", "--age", recipient, encPath], { env });
    expect(r.code).toBe(203);
  });

  it("a missing file → exit 100; keygen refuses to overwrite", () => {
    expect(runSecrets(["decrypt", join(dir, "nope.yaml")], { env }).code).toBe(100);
    const k = runSecrets(["keygen", "-o", keys], { env });
    expect(k.code).not.toBe(0);
    expect(existsSync(keys)).toBe(true);
  });

  it("a failed encrypt -i leaves the original byte-identical", () => {
    const text = "a: [broken\n";
    const p = write("keep.yaml", text);
    expect(runSecrets(["encrypt", "-i", "--age", recipient, p], { env }).code).not.toBe(0);
    expect(readFileSync(p, "utf8")).toBe(text);
  });

  it("filestatus prints sops's JSON", () => {
    const encPath = write("fs.enc.yaml", runSecrets(["encrypt", "--age", recipient, write("fs.yaml", "a: 1\n")], { env }).stdout);
    expect(runSecrets(["filestatus", encPath], { env }).stdout.trim()).toBe('{"encrypted":true}');
    expect(runSecrets(["filestatus", write("fs2.yaml", "a: 1\n")], { env }).stdout.trim()).toBe('{"encrypted":false}');
  });
});
