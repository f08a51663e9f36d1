// Acceptance 2 (edit) and 6: minimal diffs through an editor, and no temp files left on any way out.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { BIN, runSecrets } from "../helpers/cli.js";
import { diffLines, makeRepo, pastLastModified, sopsConfig, type TestRepo } from "../helpers/git-repo.js";
import { hasPty, runOnPty } from "../helpers/pty.js";
import { noteMissing } from "../helpers/tools.js";

noteMissing("python3", hasPty, "the pseudo-terminal test (test/helpers/pty-drive.py)");

const EDITORS = join(import.meta.dirname, "editors");
let repo: TestRepo;
let tmp: string;
const FILE = "secrets/app.yaml";

function bigYaml(n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += `key${String(i).padStart(4, "0")}: value-${i}\n`;
  return s;
}

function editEnv(editor: string, extra: Record<string, string> = {}): Record<string, string> {
  return repo.env(0, { TMPDIR: tmp, EDITOR: `"${process.execPath}" ${join(EDITORS, editor)}`, ...extra });
}

beforeAll(() => {
  repo = makeRepo(1);
  tmp = join(repo.home, "private-tmp");
  repo.write(".sops.yaml", sopsConfig("secrets/.*", [repo.keys[0]!.recipient]));
  repo.write(FILE, bigYaml(1000));
  expect(runSecrets(["encrypt", "-i", FILE], { env: repo.env(), cwd: repo.dir }).code).toBe(0);
  repo.commit("encrypted");
});
afterAll(() => repo.cleanup());
beforeEach(() => {
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
});

const tmpEmpty = (): void => expect(readdirSync(tmp)).toEqual([]);

describe("secrets edit", () => {
  it("an editor changing one value changes exactly 3 lines; the temp folder is removed", async () => {
    await pastLastModified(repo.read(FILE));
    const r = runSecrets(["edit", FILE], { env: editEnv("replace.mjs", { EDIT_FROM: "key0700: value-700", EDIT_TO: "key0700: edited" }), cwd: repo.dir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const { removed, added } = diffLines(repo, FILE);
    expect(removed).toHaveLength(3);
    expect(added.map((l) => l.slice(1).trim().split(":")[0])).toEqual(["key0700", "lastmodified", "mac"]);
    expect(runSecrets(["decrypt", FILE], { env: repo.env(), cwd: repo.dir }).stdout).toContain("key0700: edited\n");
    tmpEmpty();
    repo.commit("edited");
  });

  it("an unchanged file exits 200 and is not written", () => {
    const before = readFileSync(join(repo.dir, FILE));
    const r = runSecrets(["edit", FILE], { env: editEnv("replace.mjs", { EDIT_FROM: "nothing-matches", EDIT_TO: "x" }), cwd: repo.dir });
    expect(r.code).toBe(200);
    expect(readFileSync(join(repo.dir, FILE)).equals(before)).toBe(true);
    tmpEmpty();
  });

  it("invalid syntax without a terminal: says where, keeps the original, exits with the error", () => {
    const before = readFileSync(join(repo.dir, FILE));
    const r = runSecrets(["edit", FILE], { env: editEnv("replace.mjs", { EDIT_FROM: "key0003: value-3", EDIT_TO: "key0003: [unclosed" }), cwd: repo.dir });
    expect(r.code).toBe(2); // BAD_SYNTAX in plaintext, as for encrypt (sops has no exit here: it reopens the editor)
    expect(r.stderr).toMatch(/line \d+/);
    expect(r.stderr).not.toContain("unclosed");
    expect(readFileSync(join(repo.dir, FILE)).equals(before)).toBe(true);
    tmpEmpty();
  });

  it.skipIf(!hasPty)("invalid syntax on a terminal: Enter reopens the editor, and the fixed text is saved", () => {
    repo.write("secrets/small.yaml", "key0001: one\nkey0002: two\n");
    expect(runSecrets(["encrypt", "-i", "secrets/small.yaml"], { env: repo.env(), cwd: repo.dir }).code).toBe(0);
    const counter = join(repo.home, "counter");
    const argv = [process.execPath, BIN, "edit", "secrets/small.yaml"];
    const out = runOnPty(argv, { answers: [{ after: "reopen the editor", send: "\n" }] }, { cwd: repo.dir, env: editEnv("twice.mjs", { EDIT_COUNTER: counter }) });
    expect(out.tty).toMatch(/YAML syntax error at line \d+, column \d+/);
    expect(out.tty).not.toContain("broken");
    expect(out.answered).toBe(1);
    expect(out.exit).toBe(0);
    expect(readFileSync(counter, "utf8")).toBe("2");
    expect(runSecrets(["decrypt", "secrets/small.yaml"], { env: repo.env(), cwd: repo.dir }).stdout).toBe("key0001: fixed-after-reopen\n");
    tmpEmpty();
  });

  it("a failing editor leaves the file untouched and no temp files", () => {
    const before = readFileSync(join(repo.dir, FILE));
    const r = runSecrets(["edit", FILE], { env: editEnv("fail.mjs"), cwd: repo.dir });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("status 3");
    expect(readFileSync(join(repo.dir, FILE)).equals(before)).toBe(true);
    tmpEmpty();
  });

  for (const [signal, code] of [["SIGHUP", 129], ["SIGTERM", 143]] as const) {
    it(`${signal} while the editor runs removes the temp folder and exits ${code}`, async () => {
      const marker = join(repo.home, `marker-${signal}`);
      const before = readFileSync(join(repo.dir, FILE));
      const child = spawn(process.execPath, [BIN, "edit", FILE], { cwd: repo.dir, env: editEnv("hang.mjs", { EDIT_MARKER: marker }), stdio: ["ignore", "pipe", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
      const exited = new Promise<number | null>((res) => child.on("exit", (c) => res(c)));
      const t0 = Date.now();
      while (!existsSync(marker) && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 25));
      const [pid, tempFile] = readFileSync(marker, "utf8").split("\n") as [string, string];
      expect(tempFile.startsWith(tmp)).toBe(true);
      expect(existsSync(tempFile)).toBe(true);
      child.kill(signal);
      expect(await exited).toBe(code);
      expect(stderr).toContain("was not changed");
      tmpEmpty();
      expect(readFileSync(join(repo.dir, FILE)).equals(before)).toBe(true);
      rmSync(marker);
      // The editor was stopped too, not left running on a deleted file.
      const gone = async (): Promise<boolean> => {
        for (let i = 0; i < 100; i++) {
          try {
            process.kill(Number(pid), 0);
          } catch {
            return true;
          }
          await new Promise((r) => setTimeout(r, 20));
        }
        return false;
      };
      expect(await gone()).toBe(true);
    });
  }

  it("a missing file is created from the creation rule's recipients and a template", () => {
    const r = runSecrets(["edit", "secrets/new.yaml"], { env: editEnv("replace.mjs", { EDIT_FROM: "example_value", EDIT_TO: "fresh-secret" }), cwd: repo.dir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const text = repo.read("secrets/new.yaml");
    expect(text).toContain(repo.keys[0]!.recipient);
    expect(text).not.toContain("fresh-secret");
    expect(runSecrets(["decrypt", "secrets/new.yaml"], { env: repo.env(), cwd: repo.dir }).stdout).toContain("example_key: fresh-secret\n");
    tmpEmpty();
  });
});
