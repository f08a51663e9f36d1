// Issue 12, item 10: `set`/`unset`/`--extract` accept exactly the well-formed part of sops's tree-path grammar
// (a malformed path such as '["db","pw"]' no longer names a strange new key), and `set` says when the file's
// rule will store the value in plaintext.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { parseTreePath, type PathStep } from "../../src/tree/index.js";
import { runSecrets } from "../helpers/cli.js";
import { makeRepo, type TestRepo } from "../helpers/git-repo.js";

/**
 * sops's own parser (cmd/sops/main.go parseTreePath, sops 3.13), transcribed: split on "[", skip empty parts,
 * each part must end in "]"; a part starting with a quote loses its first and last character, anything else
 * goes through strconv.Atoi. "panic" where Go would index out of range.
 */
function sopsParseTreePath(arg: string): PathStep[] | "error" | "panic" {
  const path: PathStep[] = [];
  for (const part of arg.split("[")) {
    if (part === "") continue;
    if (!part.endsWith("]")) return "error";
    const c = part.slice(0, -1);
    if (c === "") return "panic";
    if (c[0] === '"' || c[0] === "'") {
      if (c.length < 2) return "panic";
      path.push(c.slice(1, -1));
    } else {
      if (!/^[+-]?\d+$/.test(c)) return "error";
      path.push(Number(c));
    }
  }
  return path;
}

/** Well-formed paths: accepted, with the steps sops gives them. */
const VALID: Array<[string, PathStep[]]> = [
  ['["db"]', ["db"]],
  ["['db']", ["db"]],
  ['["db"]["password"]', ["db", "password"]],
  ['["list"][0]', ["list", 0]],
  ['["list"][12]["name"]', ["list", 12, "name"]],
  ["[0]", [0]],
  ['[""]', [""]],
  ['["with space"]', ["with space"]],
  ['["a.b"]', ["a.b"]],
  ['["a]b"]', ["a]b"]],
  [`["it's"]`, ["it's"]],
  [`['say "hi"']`, ['say "hi"']],
  [`['db","pw']`, ['db","pw']], // the key sops would make of '["db","pw"]', if someone really means it
  ['["ключ"]', ["ключ"]],
];

/** Malformed paths: refused. The last column says what sops 3.13 does with them. */
const INVALID: Array<[string, "sops refuses" | "sops accepts by accident" | "sops panics"]> = [
  ['["db","pw"]', "sops accepts by accident"],
  ["['db', 'pw']", "sops accepts by accident"],
  [`["db']`, "sops accepts by accident"],
  ['["db]', "sops accepts by accident"],
  ['["a"b"]', "sops accepts by accident"],
  ['[["db"]', "sops accepts by accident"],
  ["[-1]", "sops accepts by accident"],
  ["[+1]", "sops accepts by accident"],
  ["", "sops accepts by accident"],
  ['["]', "sops panics"],
  ["[]", "sops panics"],
  ["db.pw", "sops refuses"],
  ["db", "sops refuses"],
  ['["db"', "sops refuses"],
  ["[db]", "sops refuses"],
  ['["db"]x', "sops refuses"],
  ['["db"] ', "sops refuses"],
  [' ["db"]', "sops refuses"],
  ['["db"] ["pw"]', "sops refuses"],
  ['[ "db" ]', "sops refuses"],
  ["[0x1]", "sops refuses"],
  ["[1.5]", "sops refuses"],
  ["[0", "sops refuses"],
  ['["a[b"]', "sops refuses"],
];

describe("item 10: malformed paths accepted", () => {
  it("accepts every well-formed path with the steps sops gives it, and refuses every malformed one with a hint", () => {
    for (const [path, steps] of VALID) {
      expect(parseTreePath(path), path).toEqual(steps);
      expect(sopsParseTreePath(path), `sops on ${path}`).toEqual(steps);
    }
    for (const [path, sops] of INVALID) {
      const sopsResult = sopsParseTreePath(path);
      expect(sops === "sops refuses" ? sopsResult === "error" : sops === "sops panics" ? sopsResult === "panic" : Array.isArray(sopsResult), `${path}: ${sops}`).toBe(true);
      let err: unknown;
      try {
        parseTreePath(path, "BAD_SET_FORMAT");
      } catch (e) {
        err = e;
      }
      expect(err, path).toMatchObject({ code: "BAD_SET_FORMAT", exitCode: 7 });
      expect((err as { hint?: string }).hint, path).toContain(`'["db"]["p`);
    }
  });

  describe("through the CLI", () => {
    let repo: TestRepo;
    let file: string;
    let before: Buffer;
    beforeAll(() => {
      repo = makeRepo(1);
      repo.write(".sops.yaml", `creation_rules:\n  - path_regex: \\.enc\\.yaml$\n    encrypted_regex: ^password$\n    age: ${repo.keys[0]!.recipient}\n`);
      file = repo.write("app.enc.yaml", "db:\n  password: hunter2\n  host: db.internal\nhosts:\n  - a\n");
      const enc = runSecrets(["encrypt", "-i", "app.enc.yaml"], { env: repo.env(), cwd: repo.dir });
      if (enc.code !== 0) throw new Error(enc.stderr);
      before = readFileSync(file);
    });
    afterAll(() => repo.cleanup());

    it(`set '["db","pw"]' is refused with sops's exit code 7 and leaves the file byte-for-byte unchanged`, () => {
      for (const path of ['["db","pw"]', "db.pw", '["db"] ["pw"]', "[-1]", ""]) {
        const r = runSecrets(["set", "app.enc.yaml", path, "--value-stdin"], { env: repo.env(), cwd: repo.dir, input: '"x"' });
        expect(r.code, `${path}: ${r.stderr}`).toBe(7);
        expect(r.stderr).toContain("error[BAD_SET_FORMAT]: invalid path");
        expect(r.stderr).toMatch(/hint: .*'\["db"\]\["pw"\]'|hint: .*'\["db"\]\["password"\]'/);
        expect(readFileSync(file).equals(before), path).toBe(true);
      }
      const unset = runSecrets(["unset", "app.enc.yaml", '["db","password"]'], { env: repo.env(), cwd: repo.dir });
      expect(unset.code, unset.stderr).toBe(7);
      expect(readFileSync(file).equals(before)).toBe(true);
      const extract = runSecrets(["decrypt", "--extract", '["db","password"]', "app.enc.yaml"], { env: repo.env(), cwd: repo.dir });
      expect(extract.code, extract.stderr).toBe(91);
      expect(extract.stdout).toBe("");
      expect(extract.stderr).toContain("error[BAD_TREE_PATH]");
    });

    it("well-formed paths still work, and a malformed one is refused before the value is read", () => {
      const ok = runSecrets(["set", "app.enc.yaml", `['db']["password"]`, "--value-stdin"], { env: repo.env(), cwd: repo.dir, input: '"s3cret"' });
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stderr).toBe("");
      const got = runSecrets(["decrypt", "--extract", '["db"]["password"]', "app.enc.yaml"], { env: repo.env(), cwd: repo.dir });
      expect(got.stdout).toBe("s3cret");
      const list = runSecrets(["decrypt", "--extract", '["hosts"][0]', "app.enc.yaml"], { env: repo.env(), cwd: repo.dir });
      expect(list.stdout).toBe("a");
      // No value source at all: the path error comes first, as sops checks the path before reading the value.
      const bad = runSecrets(["set", "app.enc.yaml", '["db","pw"]'], { env: repo.env(), cwd: repo.dir });
      expect(bad.code).toBe(7);
    });

    it("set warns on stderr when the file's rule stores the value in plaintext, and only then", () => {
      const clear = runSecrets(["set", "app.enc.yaml", '["db"]["host"]', "--value-stdin"], { env: repo.env(), cwd: repo.dir, input: '"db2.internal"' });
      expect(clear.code, clear.stderr).toBe(0);
      expect(clear.stderr.trim()).toBe("warning: db.host will be stored in plaintext (the file's rule leaves it unencrypted: encrypted_regex ^password$)");
      expect(repo.read("app.enc.yaml")).toMatch(/^ +host: db2\.internal$/m);

      const nested = runSecrets(["set", "app.enc.yaml", '["cache"]', "--value-stdin"], { env: repo.env(), cwd: repo.dir, input: '{"url": "redis://x", "password": "p"}' });
      expect(nested.code, nested.stderr).toBe(0);
      expect(nested.stderr.trim()).toBe("warning: cache.url will be stored in plaintext (the file's rule leaves it unencrypted: encrypted_regex ^password$)");

      const secret = runSecrets(["set", "app.enc.yaml", '["db"]["password"]', "--value-stdin"], { env: repo.env(), cwd: repo.dir, input: '"other"' });
      expect(secret.code, secret.stderr).toBe(0);
      expect(secret.stderr).toBe("");

      // The default rule (sops's _unencrypted suffix).
      repo.write("plain.yaml", "token: t\n");
      const enc = runSecrets(["encrypt", "--age", repo.keys[0]!.recipient, "-i", "plain.yaml"], { env: repo.env(), cwd: repo.dir });
      expect(enc.code, enc.stderr).toBe(0);
      const suffix = runSecrets(["set", "plain.yaml", '["note_unencrypted"]', "--value-stdin"], { env: repo.env(), cwd: repo.dir, input: '"hello"' });
      expect(suffix.code, suffix.stderr).toBe(0);
      expect(suffix.stderr.trim()).toBe("warning: note_unencrypted will be stored in plaintext (the file's rule leaves it unencrypted: unencrypted_suffix _unencrypted)");
      const encrypted = runSecrets(["set", "plain.yaml", '["token"]', "--value-stdin"], { env: repo.env(), cwd: repo.dir, input: '"t2"' });
      expect(encrypted.stderr).toBe("");
    });
  });
});
