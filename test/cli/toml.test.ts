// Acceptance (issue 9, point 3): TOML files round-trip through the CLI with values and types kept; a
// tampered file fails the MAC; a `.toml` file sops encrypted as binary still opens.
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, TomlDate } from "smol-toml";
import { afterAll, describe, expect, it } from "vitest";
import { FIXTURES, ROOT, baseEnv, runSecrets, tempHome } from "../helpers/cli.js";

const TOML_DIR = join(ROOT, "test/fixtures/toml");
const KEYS = join(FIXTURES, "modern/keys.txt");
const RECIPIENT = "age1xq3ypj0ful9m3usyjkm9vswddrljwdz8xzpvx225dhersl5wpfhszyky9l";
const home = tempHome();
const dir = mkdtempSync(join(tmpdir(), "sealfile-toml-"));
const env = baseEnv(home.dir, { SOPS_AGE_KEY_FILE: KEYS });
afterAll(() => {
  home.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

/** smol-toml's reading with dates as instants, so values and their types can be compared. */
function typed(text: string): unknown {
  const walk = (v: unknown): unknown => {
    if (v instanceof TomlDate) return { date: v.getTime(), local: v.isLocal() };
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return typeof v === "number" ? { float: v } : v;
  };
  return walk(parse(text, { integersAsBigInt: true }));
}

function seal(name: string): { plain: string; sealedPath: string; sealed: string } {
  const src = join(TOML_DIR, name);
  const r = runSecrets(["encrypt", "--no-reuse", "--age", RECIPIENT, src], { env });
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  const sealedPath = join(dir, name);
  writeFileSync(sealedPath, r.stdout);
  return { plain: readFileSync(src, "utf8"), sealedPath, sealed: r.stdout };
}

const files = readdirSync(TOML_DIR).filter((f) => f.endsWith(".toml"));

describe("TOML through the CLI", () => {
  it("has at least 10 fixtures", () => expect(files.length).toBeGreaterThanOrEqual(10));

  for (const name of files) {
    it(`${name}: values and types survive encrypt → decrypt; keys stay readable; metadata in [sops]`, () => {
      const { plain, sealedPath, sealed } = seal(name);
      const doc = parse(sealed, { integersAsBigInt: true }) as Record<string, unknown>;
      expect(Object.keys(doc).sort()).toEqual([...Object.keys(parse(plain, { integersAsBigInt: true })), "sops"].sort());
      expect(sealed).toMatch(/^\[\[sops\.age\]\]$/m);
      expect(sealed).not.toContain("hunter2");
      const r = runSecrets(["decrypt", sealedPath], { env });
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(typed(r.stdout)).toEqual(typed(plain));
    });
  }

  it("a changed clear value, or two swapped list items, fail the MAC (exit 51)", () => {
    const { sealedPath, sealed } = seal("unencrypted.toml");
    writeFileSync(sealedPath, sealed.replace("replicas_unencrypted = 3", "replicas_unencrypted = 4"));
    const r1 = runSecrets(["decrypt", sealedPath], { env });
    expect(r1.code).toBe(51);
    expect(r1.stderr).toContain("MAC_MISMATCH");

    const arrays = seal("arrays.toml");
    const m = /^ports = \[ ("ENC[^"]+"), ("ENC[^"]+"), /m.exec(arrays.sealed)!;
    writeFileSync(arrays.sealedPath, arrays.sealed.replace(`${m[1]}, ${m[2]}`, `${m[2]}, ${m[1]}`));
    const r2 = runSecrets(["decrypt", arrays.sealedPath], { env });
    expect(r2.code).toBe(51);
  });

  it("a changed ciphertext character fails to decrypt", () => {
    const { sealedPath, sealed } = seal("app-config.toml");
    writeFileSync(sealedPath, sealed.replace(/(password = "ENC\[AES256_GCM,data:)(.)/, (_, a: string, c: string) => a + (c === "A" ? "B" : "A")));
    const r = runSecrets(["decrypt", sealedPath], { env });
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe("");
  });

  it("a .toml file that sops encrypted as binary still decrypts to its bytes", () => {
    const target = join(dir, "from-sops.toml");
    copyFileSync(join(FIXTURES, "age-examples/example.txt"), target);
    const expected = JSON.parse(readFileSync(join(FIXTURES, "age-examples/expected/example.txt.values.json"), "utf8")) as { data: string };
    const r = runSecrets(["decrypt", target], { env: baseEnv(home.dir, { SOPS_AGE_KEY_FILE: join(FIXTURES, "age-examples/keys.txt") }) });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(expected.data);
  });
});
