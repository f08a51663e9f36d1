// Acceptance (issue 9, point 2, through the CLI): .env files as dotenv users write them; sops's own
// .env fixture decrypts exactly as before.
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import dotenv from "dotenv";
import { afterAll, describe, expect, it } from "vitest";
import { FIXTURES, baseEnv, runSecrets, tempHome } from "../helpers/cli.js";

const RECIPIENT = "age1xq3ypj0ful9m3usyjkm9vswddrljwdz8xzpvx225dhersl5wpfhszyky9l";
const home = tempHome();
const dir = mkdtempSync(join(tmpdir(), "sealfile-dotenv-"));
const env = baseEnv(home.dir, { SOPS_AGE_KEY_FILE: join(FIXTURES, "modern/keys.txt") });
afterAll(() => {
  home.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const USER_FILE = `# database
export DB_USER=app
DB_PASS="p@ss # not a comment"   # inline note

PRIVATE_KEY="-----BEGIN KEY-----
abc
-----END KEY-----"
ESCAPED="line1\\nline2"
SINGLE='a\\nb $HOME'
BACKTICK=\`it's "q"\`
SPACED =  padded value  
YAMLISH: colon
EMPTY=
`;

describe(".env through the CLI", () => {
  it("stores what dotenv.parse reads, and decrypt writes what dotenv.parse reads back", () => {
    const plain = join(dir, "app.env");
    writeFileSync(plain, USER_FILE);
    const sealed = runSecrets(["encrypt", "--no-reuse", "--age", RECIPIENT, plain], { env });
    expect(sealed.stderr).toBe("");
    expect(sealed.code).toBe(0);
    const sealedPath = join(dir, "app.enc.env");
    writeFileSync(sealedPath, sealed.stdout);
    const stored = runSecrets(["decrypt", "--output-type", "json", sealedPath], { env });
    expect(JSON.parse(stored.stdout)).toEqual(dotenv.parse(USER_FILE));
    const out = runSecrets(["decrypt", sealedPath], { env });
    expect(out.code).toBe(0);
    expect(dotenv.parse(out.stdout)).toEqual(dotenv.parse(USER_FILE));
    expect(out.stdout).toMatch(/^# database\nDB_USER=app\n# inline note\nDB_PASS="p@ss # not a comment"\n\nPRIVATE_KEY="-----BEGIN KEY-----\nabc\n/);
  });

  it("sops's .env fixture decrypts as before (its key `foo ` keeps sops's raw line)", () => {
    const r = runSecrets(["decrypt", join(FIXTURES, "modern/format.enc.env")], { env });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("foo = bar\n");
  });

  it("--dotenv-grammar sops reads raw lines on encrypt and writes them on decrypt", () => {
    const plain = join(dir, "raw.env");
    writeFileSync(plain, 'A="quoted" # kept\n');
    const sealed = runSecrets(["encrypt", "--no-reuse", "--dotenv-grammar", "sops", "--age", RECIPIENT, plain], { env });
    expect(sealed.code).toBe(0);
    const sealedPath = join(dir, "raw.enc.env");
    writeFileSync(sealedPath, sealed.stdout);
    const json = runSecrets(["decrypt", "--output-type", "json", sealedPath], { env });
    expect(JSON.parse(json.stdout)).toEqual({ A: '"quoted" # kept' });
    expect(runSecrets(["decrypt", "--dotenv-grammar", "sops", sealedPath], { env }).stdout).toBe('A="quoted" # kept\n');
    // With dotenv's grammar the stored value is quoted so dotenv reads it back exactly.
    const quoted = runSecrets(["decrypt", sealedPath], { env }).stdout;
    expect(dotenv.parse(quoted)).toEqual({ A: '"quoted" # kept' });
    expect(readFileSync(sealedPath, "utf8")).toMatch(/^A=ENC\[/);
  });

  it("refuses a line dotenv would silently skip, by line number", () => {
    const plain = join(dir, "typo.env");
    writeFileSync(plain, "A=1\nPASSWORD hunter2\n");
    const r = runSecrets(["encrypt", "--no-reuse", "--age", RECIPIENT, plain], { env });
    expect(r.code).toBe(2); // sops: unparsable plaintext is CouldNotReadInputFile (encrypt.go:110)
    expect(r.stderr).toContain("line 2");
    expect(r.stderr).not.toContain("hunter2");
  });
});
