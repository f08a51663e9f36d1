// Acceptance: every real sops-written fixture decrypts to its expected values, MAC verified; tampering fails.
import { afterAll, describe, expect, it } from "vitest";
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { FIXTURES, baseEnv, runSecrets, tempHome } from "../helpers/cli.js";

const home = tempHome();
afterAll(() => home.cleanup());

const cases = [
  { file: "age-examples/example.yaml", keys: "age-examples/keys.txt" },
  { file: "age-examples/example.json", keys: "age-examples/keys.txt" },
  { file: "age-examples/example.ini", keys: "age-examples/keys.txt" },
  { file: "age-examples/example.txt", keys: "age-examples/keys.txt", binary: true },
  { file: "modern/format.enc.yaml", keys: "modern/keys.txt" },
  { file: "modern/format.enc.json", keys: "modern/keys.txt" },
  { file: "modern/format.enc.env", keys: "modern/keys.txt" },
  { file: "modern/format.enc.ini", keys: "modern/keys.txt" },
  { file: "modern/comments.enc.yaml", keys: "modern/keys.txt" },
];

function expected(file: string): Record<string, unknown> {
  const [dir, name] = file.split("/") as [string, string];
  return JSON.parse(readFileSync(join(FIXTURES, dir, "expected", `${name}.values.json`), "utf8")) as Record<string, unknown>;
}

describe("real sops files decrypt to their expected values", () => {
  for (const c of cases) {
    it(c.file, () => {
      const env = baseEnv(home.dir, { SOPS_AGE_KEY_FILE: join(FIXTURES, c.keys) });
      const path = join(FIXTURES, c.file);
      if (c.binary) {
        const r = runSecrets(["decrypt", path], { env });
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        expect(r.stdout).toBe(expected(c.file).data);
        return;
      }
      const r = runSecrets(["decrypt", "--output-type", "json", path], { env });
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual(expected(c.file));
    });
  }

  it("decrypts comments of the 3.6.1 file to the plaintext's comments", () => {
    const env = baseEnv(home.dir, { SOPS_AGE_KEY_FILE: join(FIXTURES, "modern/keys.txt") });
    const r = runSecrets(["decrypt", join(FIXTURES, "modern/comments.enc.yaml")], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${readFileSync(join(FIXTURES, "modern/comments.yaml"), "utf8")}\n`);
  });
});

describe("tampering is caught", () => {
  const dir = mkdtempSync(join(tmpdir(), "sealfile-tamper-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const env = baseEnv(home.dir, { SOPS_AGE_KEY_FILE: join(FIXTURES, "age-examples/keys.txt") });
  const original = readFileSync(join(FIXTURES, "age-examples/example.yaml"), "utf8");
  const target = join(dir, "t.yaml");

  function decryptText(text: string, extra: string[] = []) {
    writeFileSync(target, text);
    return runSecrets(["decrypt", ...extra, target], { env });
  }

  it("the untouched copy decrypts", () => {
    expect(decryptText(original).code).toBe(0);
  });

  // Every position of a sample of ENC values: change one base64 character of data, iv or tag.
  const lines = original.split("\n");
  const encLines = lines.map((l, i) => [l, i] as const).filter(([l]) => /: ENC\[|^\s*- ENC\[/.test(l) && !l.includes("mac:"));
  it.each(encLines.slice(0, 6).map(([l, i]) => [i, l.trim().slice(0, 20)]))("a changed character on line %i is caught (%s…)", (i) => {
    const line = lines[i as number]!;
    for (const field of ["data:", "iv:", "tag:"]) {
      const at = line.indexOf(field) + field.length + 1;
      const ch = line[at] === "A" ? "B" : "A";
      const tampered = [...lines];
      tampered[i as number] = line.slice(0, at) + ch + line.slice(at + 1);
      const r = decryptText(tampered.join("\n"));
      expect(r.code, `${field} of line ${i}`).not.toBe(0);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(/error\[/);
    }
  });

  it("a changed value type is caught (str → int)", () => {
    const r = decryptText(original.replace(/(myapp1: ENC\[[^\]]*type:)str\]/, "$1int]"));
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe("");
  });

  it("swapping two values is caught", () => {
    const user = /user: (ENC\[[^\]]+\])/.exec(original)![1]!;
    const pass = /password: (ENC\[[^\]]+\])/.exec(original)![1]!;
    const swapped = original.replace(user, "@@U@@").replace(pass, user).replace("@@U@@", pass);
    const r = decryptText(swapped);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe("");
  });

  it("swapping two list items is caught by the MAC (exit 51)", () => {
    const items = [...original.matchAll(/ {4}- (ENC\[[^\]]+type:str\])/g)].map((m) => m[1]!);
    const swapped = original.replace(items[0]!, "@@A@@").replace(items[1]!, items[0]!).replace("@@A@@", items[1]!);
    const r = decryptText(swapped);
    expect(r.code).toBe(51);
    expect(r.stdout).toBe("");
  });

  it("deleting a key is caught by the MAC (exit 51)", () => {
    const r = decryptText(original.replace(/^myapp1: .*\n/m, ""));
    expect(r.code).toBe(51);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("MAC mismatch");
  });

  it("editing a value left in clear is caught by the MAC", () => {
    const r = decryptText(original.replace("remain in clear text", "remain in clear text!"));
    expect(r.code).toBe(51);
  });

  it("editing lastmodified or mac fails with exit 51; --ignore-mac reads anyway", () => {
    const lm = decryptText(original.replace(/lastmodified: "2022-/, 'lastmodified: "2023-'));
    expect(lm.code).toBe(51);
    expect(lm.stdout).toBe("");
    const mac = decryptText(original.replace(/(mac: ENC\[AES256_GCM,data:)(.)/, (_m, a: string, c: string) => a + (c === "A" ? "B" : "A")));
    expect(mac.code).toBe(51);
    const ignored = decryptText(original.replace(/^myapp1: .*\n/m, ""), ["--ignore-mac"]);
    expect(ignored.code).toBe(0);
    expect(ignored.stdout).toContain("eve");
  });

  it("an error never prints plaintext", () => {
    const r = decryptText(original.replace(/^myapp1: .*\n/m, ""));
    for (const secret of ["c4r1b0u", "t00m4nys3cr3tzupdated", "eve"]) expect(r.stderr).not.toContain(secret);
  });
});
