// Issue 13, item 2: the exit code of every failure that sops 3.13.2 also has is sops's number, taken from
// sops's source (cmd/sops/...). Plain Go errors reach urfave/cli as non-ExitError errors, and sops's main()
// ends with `log.Fatal(err)` (main.go:2108), so they exit 1; `toExitError` (main.go:2303) does the same.
// Each row below names the sops line that decides the number. The README's exit-code table is this table.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { baseEnv, runSecrets, tempHome } from "../helpers/cli.js";

interface Row {
  /** What happened, in a user's words. */
  situation: string;
  /** sops's exit status in that situation. */
  sops: number;
  /** Where sops's source decides it (sops 3.13.2). */
  source: string;
  /** Writes the files the row needs into `dir` and returns the command line. */
  setup: (dir: string) => { argv: string[]; input?: string; env?: Record<string, string> };
}

const home = tempHome();
const root = mkdtempSync(join(tmpdir(), "sealfile-exit-"));
const keyFile = join(root, "keys.txt");
let recipient = "";
let sealedYaml = "";
let env: Record<string, string> = {};

const PLAIN = "db:\n  password: hunter2\nport: 5432\nnote_unencrypted: hello\n";
const write = (dir: string, name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const rule = (extra = ""): string => `creation_rules:\n  - path_regex: .*\n    age: ${recipient}\n${extra}`;
const noEditor = { EDITOR: "sealfile-no-such-editor-xyz" };

const ROWS: Row[] = [
  {
    situation: "decrypt: the input file does not exist",
    sops: 100, source: "cmd/sops/main.go:844",
    setup: () => ({ argv: ["decrypt", "missing.yaml"] }),
  },
  {
    situation: "encrypt: the input file does not exist",
    sops: 100, source: "cmd/sops/main.go:1035",
    setup: () => ({ argv: ["encrypt", "--age", recipient, "missing.yaml"] }),
  },
  {
    situation: "decrypt: the input cannot be read (a directory)",
    sops: 2, source: "cmd/sops/common/common.go:146",
    setup: (d) => (mkdirSync(join(d, "dir.yaml")), { argv: ["decrypt", "dir.yaml"] }),
  },
  {
    situation: "encrypt: the input cannot be read (a directory)",
    sops: 2, source: "cmd/sops/encrypt.go:105",
    setup: (d) => (mkdirSync(join(d, "dir.yaml")), { argv: ["encrypt", "--age", recipient, "dir.yaml"] }),
  },
  {
    situation: "set: the file does not exist (no existence check; reading fails)",
    sops: 2, source: "cmd/sops/common/common.go:146",
    setup: () => ({ argv: ["set", "missing.yaml", '["a"]', "--value-stdin"], input: '"x"' }),
  },
  {
    situation: "unset: the file does not exist (reading fails)",
    sops: 2, source: "cmd/sops/common/common.go:146",
    setup: () => ({ argv: ["unset", "missing.yaml", '["a"]'] }),
  },
  {
    situation: "rotate: the file does not exist (reading fails)",
    sops: 2, source: "cmd/sops/common/common.go:146",
    setup: () => ({ argv: ["rotate", "missing.yaml"] }),
  },
  {
    situation: "rotate --add-age/--rm-age on a file that does not exist",
    sops: 49, source: "cmd/sops/main.go:1214",
    setup: () => ({ argv: ["rotate", "--add-age", recipient, "missing.yaml"] }),
  },
  {
    situation: "decrypt --output: the output file cannot be created",
    sops: 3, source: "cmd/sops/main.go:912",
    setup: (d) => ({ argv: ["decrypt", "--output", "no/such/dir/out.yaml", write(d, "s.yaml", sealedYaml)] }),
  },
  {
    situation: "encrypt --output: the output file cannot be created",
    sops: 3, source: "cmd/sops/main.go:1096",
    setup: (d) => ({ argv: ["encrypt", "--age", recipient, "--output", "no/such/dir/out.yaml", write(d, "p.yaml", PLAIN)] }),
  },
  {
    situation: "encrypt: the plaintext is not valid YAML",
    sops: 2, source: "cmd/sops/encrypt.go:110",
    setup: (d) => ({ argv: ["encrypt", "--age", recipient, write(d, "bad.yaml", "a: [1, 2\nb: {\n")] }),
  },
  {
    situation: "encrypt: the plaintext is not valid JSON",
    sops: 2, source: "cmd/sops/encrypt.go:110",
    setup: (d) => ({ argv: ["encrypt", "--age", recipient, write(d, "bad.json", '{"a": 1,')] }),
  },
  {
    situation: "encrypt: the plaintext is not valid dotenv",
    sops: 2, source: "cmd/sops/encrypt.go:110",
    setup: (d) => ({ argv: ["encrypt", "--age", recipient, write(d, "bad.env", "A=1\nthis line has no equals sign\n")] }),
  },
  {
    situation: "encrypt: the plaintext is not valid INI",
    sops: 2, source: "cmd/sops/encrypt.go:110",
    setup: (d) => ({ argv: ["encrypt", "--age", recipient, write(d, "bad.ini", "[unclosed\na = 1\n")] }),
  },
  {
    situation: "encrypt: the YAML file holds no document at all",
    sops: 92, source: "cmd/sops/encrypt.go:71",
    setup: (d) => ({ argv: ["encrypt", "--age", recipient, write(d, "empty.yaml", "")] }),
  },
  {
    situation: "encrypt: the file is already encrypted",
    sops: 203, source: "cmd/sops/encrypt.go:74",
    setup: (d) => ({ argv: ["encrypt", "--age", recipient, write(d, "s.yaml", sealedYaml)] }),
  },
  {
    situation: "decrypt: the encrypted file is not valid YAML",
    sops: 1, source: "cmd/sops/common/common.go:153 (store error, main.go:889 toExitError)",
    setup: (d) => ({ argv: ["decrypt", write(d, "bad.yaml", `${sealedYaml}x: [1,\n`)] }),
  },
  {
    situation: "decrypt: the file is not encrypted (sops metadata not found)",
    sops: 1, source: "stores/metadata.go:150 (main.go:889 toExitError)",
    setup: (d) => ({ argv: ["decrypt", write(d, "p.yaml", PLAIN)] }),
  },
  {
    situation: "encrypt: .sops.yaml is not valid YAML",
    sops: 1, source: "cmd/sops/main.go:1044 (loadStoresConfig error, toExitError)",
    setup: (d) => (write(d, ".sops.yaml", "creation_rules: [\n"), { argv: ["encrypt", write(d, "p.yaml", PLAIN)] }),
  },
  {
    situation: "encrypt: a .sops.yaml rule is invalid (path_regex does not compile)",
    sops: 1, source: "cmd/sops/main.go:2124 (config.LoadCreationRuleForFile error, toExitError)",
    setup: (d) => (write(d, ".sops.yaml", `creation_rules:\n  - path_regex: "(["\n    age: ${recipient}\n`), { argv: ["encrypt", write(d, "p.yaml", PLAIN)] }),
  },
  {
    situation: "encrypt: no creation rule matches the file",
    sops: 1, source: "cmd/sops/main.go:2124 (config: no matching creation rules found)",
    setup: (d) => (write(d, ".sops.yaml", `creation_rules:\n  - path_regex: ^nothing$\n    age: ${recipient}\n`), { argv: ["encrypt", write(d, "p.yaml", PLAIN)] }),
  },
  {
    situation: "encrypt: --config names a file that does not exist",
    sops: 1, source: "cmd/sops/main.go:1044 (config.LoadStoresConfig error, toExitError)",
    setup: (d) => ({ argv: ["encrypt", "--config", "no-such.sops.yaml", write(d, "p.yaml", PLAIN)] }),
  },
  {
    situation: "encrypt: no recipients on the command line and no .sops.yaml",
    sops: 1, source: "cmd/sops/main.go:2503",
    setup: (d) => ({ argv: ["encrypt", write(d, "p.yaml", PLAIN)] }),
  },
  {
    situation: "encrypt: an invalid age recipient on the command line",
    sops: 1, source: "cmd/sops/main.go:2485 (age.MasterKeysFromRecipients error)",
    setup: (d) => ({ argv: ["encrypt", "--age", "age1notarecipient", write(d, "p.yaml", PLAIN)] }),
  },
  {
    situation: "encrypt: an invalid age recipient in .sops.yaml",
    sops: 1, source: "cmd/sops/main.go:2124 (config.LoadCreationRuleForFile error)",
    setup: (d) => (write(d, ".sops.yaml", "creation_rules:\n  - age: age1notarecipient\n"), { argv: ["encrypt", write(d, "p.yaml", PLAIN)] }),
  },
  {
    situation: "updatekeys: there is no .sops.yaml",
    sops: 1, source: "cmd/sops/main.go:746",
    setup: (d) => ({ argv: ["updatekeys", "-y", write(d, "s.yaml", sealedYaml)] }),
  },
  {
    situation: "updatekeys: the file does not exist",
    sops: 1, source: "cmd/sops/subcommand/updatekeys/updatekeys.go:34 (main.go:768)",
    setup: (d) => (write(d, ".sops.yaml", rule()), { argv: ["updatekeys", "-y", "missing.yaml"] }),
  },
  {
    situation: "encrypt: malformed --encryption-context",
    sops: 6, source: "cmd/sops/main.go:2438",
    setup: (d) => ({ argv: ["encrypt", "--age", recipient, "--encryption-context", "no-colon-here", write(d, "p.yaml", PLAIN)] }),
  },
  {
    situation: "set: the value is not valid JSON",
    sops: 7, source: "cmd/sops/main.go:2561",
    setup: (d) => ({ argv: ["set", write(d, "s.yaml", sealedYaml), '["a"]', "--value-stdin"], input: "not json" }),
  },
  {
    situation: "set: the path is not in the ['key'][0] format",
    sops: 7, source: "cmd/sops/main.go:1517",
    setup: (d) => ({ argv: ["set", write(d, "s.yaml", sealedYaml), "db.password", "--value-stdin"], input: '"x"' }),
  },
  {
    situation: "unset: the path is not in the ['key'][0] format",
    sops: 7, source: "cmd/sops/main.go:1636",
    setup: (d) => ({ argv: ["unset", write(d, "s.yaml", sealedYaml), "db.password"] }),
  },
  {
    situation: "decrypt: --in-place together with --output",
    sops: 8, source: "cmd/sops/main.go:834",
    setup: (d) => ({ argv: ["decrypt", "-i", "--output", "o.yaml", write(d, "s.yaml", sealedYaml)] }),
  },
  {
    situation: "encrypt: two encryption rules given (--encrypted-regex and --unencrypted-suffix)",
    sops: 8, source: "cmd/sops/main.go:2205",
    setup: (d) => ({ argv: ["encrypt", "--age", recipient, "--encrypted-regex", "^db$", "--unencrypted-suffix", "_plain", write(d, "p.yaml", PLAIN)] }),
  },
  {
    situation: "decrypt: a value's ciphertext fails authentication",
    sops: 25, source: "cmd/sops/common/common.go:92",
    setup: (d) => ({ argv: ["decrypt", write(d, "s.yaml", sealedYaml.replace(/(password: ENC\[AES256_GCM,data:)(.)/, (_m, p: string, c: string) => p + (c === "A" ? "B" : "A")))] }),
  },
  {
    situation: "decrypt: the MAC does not match the values",
    sops: 51, source: "cmd/sops/common/common.go:104",
    setup: (d) => ({ argv: ["decrypt", write(d, "s.yaml", sealedYaml.replace("note_unencrypted: hello", "note_unencrypted: changed"))] }),
  },
  {
    situation: "decrypt: the MAC is missing",
    sops: 51, source: "cmd/sops/common/common.go:104 (empty MAC: \"File has no MAC\")",
    setup: (d) => ({ argv: ["decrypt", write(d, "s.yaml", sealedYaml.replace(/^ +mac: .*\n/m, ""))] }),
  },
  {
    situation: "decrypt: the MAC cannot be decrypted",
    sops: 51, source: "cmd/sops/common/common.go:97",
    setup: (d) => ({ argv: ["decrypt", write(d, "s.yaml", sealedYaml.replace(/^( +mac: ENC\[AES256_GCM,data:)(.)/m, (_m, p: string, c: string) => p + (c === "A" ? "B" : "A")))] }),
  },
  {
    situation: "decrypt: no key can open the data key",
    sops: 128, source: "cmd/sops/common/common.go:88",
    setup: (d) => ({ argv: ["decrypt", write(d, "s.yaml", sealedYaml)], env: baseEnv(home.dir) }),
  },
  {
    situation: "decrypt: --extract path is not in the ['key'][0] format",
    sops: 91, source: "cmd/sops/main.go:875",
    setup: (d) => ({ argv: ["decrypt", "--extract", "db.password", write(d, "s.yaml", sealedYaml)] }),
  },
  {
    situation: "decrypt: --extract path is valid but not in the file",
    sops: 1, source: "cmd/sops/decrypt.go:78",
    setup: (d) => ({ argv: ["decrypt", "--extract", '["db"]["nope"]', write(d, "s.yaml", sealedYaml)] }),
  },
  {
    situation: "unset: the path is valid but not in the file",
    sops: 1, source: "sops.go:270 SopsKeyNotFound (cmd/sops/main.go:1657)",
    setup: (d) => ({ argv: ["unset", write(d, "s.yaml", sealedYaml), '["db"]["nope"]'] }),
  },
  {
    situation: "set: no path given",
    sops: 100, source: "cmd/sops/main.go:1493",
    setup: (d) => ({ argv: ["set", write(d, "s.yaml", sealedYaml)] }),
  },
  {
    situation: "unset: no path given",
    sops: 100, source: "cmd/sops/main.go:1617",
    setup: (d) => ({ argv: ["unset", write(d, "s.yaml", sealedYaml)] }),
  },
  {
    situation: "edit: no file given",
    sops: 100, source: "cmd/sops/main.go:1375",
    setup: () => ({ argv: ["edit"] }),
  },
  {
    situation: "rotate: no file given",
    sops: 100, source: "cmd/sops/main.go:1201",
    setup: () => ({ argv: ["rotate"] }),
  },
  {
    situation: "updatekeys: no file given",
    sops: 100, source: "cmd/sops/main.go:750",
    setup: (d) => (write(d, ".sops.yaml", rule()), { argv: ["updatekeys", "-y"] }),
  },
  {
    situation: "edit: the file was saved unchanged",
    sops: 200, source: "cmd/sops/edit.go:243",
    setup: (d) => ({ argv: ["edit", write(d, "s.yaml", sealedYaml)], env: { ...env, EDITOR: "true" } }),
  },
  {
    situation: "edit: the editor cannot be found",
    sops: 201, source: "cmd/sops/edit.go:236",
    setup: (d) => ({ argv: ["edit", write(d, "s.yaml", sealedYaml)], env: { ...env, ...noEditor } }),
  },
  {
    situation: "edit: the editor exits with a failure status",
    sops: 201, source: "cmd/sops/edit.go:236 (runEditor returns the exec.ExitError)",
    setup: (d) => ({ argv: ["edit", write(d, "s.yaml", sealedYaml)], env: { ...env, EDITOR: "false" } }),
  },
  {
    situation: "--decryption-order names a key type twice",
    sops: 112, source: "cmd/sops/main.go:2615",
    setup: (d) => ({ argv: ["decrypt", "--decryption-order", "age,age", write(d, "s.yaml", sealedYaml)] }),
  },
];

beforeAll(() => {
  const k = runSecrets(["keygen", "-o", keyFile], { env: baseEnv(home.dir) });
  expect(k.code).toBe(0);
  recipient = k.stdout.trim();
  env = baseEnv(home.dir, { SOPS_AGE_KEY_FILE: keyFile });
  const s = runSecrets(["encrypt", "--age", recipient, "--input-type", "yaml", "--output-type", "yaml"], { env, cwd: root, input: PLAIN });
  expect(s.code).toBe(0);
  sealedYaml = s.stdout;
  expect(sealedYaml).toMatch(/^ +mac: ENC\[/m);
});
afterAll(() => {
  home.cleanup();
  rmSync(root, { recursive: true, force: true });
});

describe("exit codes are sops's (issue 13, item 2)", () => {
  ROWS.forEach((row, i) => {
    it(`${row.situation} → ${row.sops} (sops ${row.source})`, () => {
      const dir = join(root, `row-${i}`);
      mkdirSync(dir);
      const { argv, input, env: rowEnv } = row.setup(dir);
      const r = runSecrets(argv, { env: rowEnv ?? env, cwd: dir, ...(input === undefined ? {} : { input }) });
      const said = `stderr was: ${r.stderr}`;
      expect(r.code, said).toBe(row.sops);
      expect(r.stderr, said).toMatch(/^error\[[A-Z_]+\]: \S/m);
      expect(r.stderr, said).toMatch(/^hint: \S/m);
      expect(r.stdout).toBe("");
      expect(r.stderr).not.toContain("hunter2");
    });
  });
});
