// Issue 12, item 11: Ctrl-C in the editor does not lose the edit. The terminal sends SIGINT to the whole foreground
// process group; here `secrets edit` runs detached (its own group) and the test signals that group, as a terminal
// would. sealfile ignores the signal while the editor runs and encrypts whatever the editor saved.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BIN, runSecrets } from "../helpers/cli.js";
import { makeRepo, sopsConfig, type TestRepo } from "../helpers/git-repo.js";

const FILE = "secrets/app.yaml";
const ORIGINAL = "db_password: original-value\n";
let repo: TestRepo;
let tmp: string;
let editors: string;

/** Test editors: each replaces `original-value` with $EDIT_TO (unless told not to), saves, then tells the test. */
const EDITOR_SCRIPTS: Record<string, string> = {
  // saves, then waits; Ctrl-C kills it (Node's default for SIGINT)
  "save-then-wait.mjs": `import { readFileSync, writeFileSync } from "node:fs";
const file = process.argv[2];
if (process.env.EDIT_TO) writeFileSync(file, readFileSync(file, "utf8").replace("original-value", process.env.EDIT_TO));
writeFileSync(process.env.EDIT_MARKER, String(process.pid));
setInterval(() => {}, 1000);
`,
  // like vim: Ctrl-C does not end it; it saves after the Ctrl-C and then exits normally
  "ignore-int.mjs": `import { readFileSync, writeFileSync } from "node:fs";
const file = process.argv[2];
process.on("SIGINT", () => {
  writeFileSync(file, readFileSync(file, "utf8").replace("original-value", process.env.EDIT_TO));
  setTimeout(() => process.exit(0), 200);
});
writeFileSync(process.env.EDIT_MARKER, String(process.pid));
setInterval(() => {}, 1000);
`,
};

beforeAll(() => {
  repo = makeRepo(1);
  tmp = join(repo.home, "private-tmp");
  editors = join(repo.home, "editors");
  mkdirSync(editors);
  for (const [name, text] of Object.entries(EDITOR_SCRIPTS)) writeFileSync(join(editors, name), text);
  repo.write(".sops.yaml", sopsConfig("secrets/.*", [repo.keys[0]!.recipient]));
});
afterAll(() => repo.cleanup());
beforeEach(() => {
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  repo.write(FILE, ORIGINAL);
  const r = runSecrets(["encrypt", "-i", FILE], { env: repo.env(), cwd: repo.dir });
  expect(r.code).toBe(0);
});

/** Runs `secrets edit` in its own process group, sends `signal` to the group once the editor is ready. */
async function editAndSignal(editor: string, signal: NodeJS.Signals, editTo: string): Promise<{ code: number | null; stderr: string }> {
  const marker = join(repo.home, `marker-${Date.now()}`);
  const env = repo.env(0, { TMPDIR: tmp, EDITOR: `"${process.execPath}" ${join(editors, editor)}`, EDIT_MARKER: marker, EDIT_TO: editTo });
  const child = spawn(process.execPath, [BIN, "edit", FILE], { cwd: repo.dir, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  child.stdout.resume();
  const exited = new Promise<number | null>((res) => child.on("exit", (c) => res(c)));
  const t0 = Date.now();
  while (!existsSync(marker) && Date.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 25));
  expect(existsSync(marker)).toBe(true);
  process.kill(-(child.pid as number), signal); // the whole group, as the terminal does on Ctrl-C
  const hang = setTimeout(() => process.kill(-(child.pid as number), "SIGKILL"), 30_000);
  const code = await exited;
  clearTimeout(hang);
  rmSync(marker, { force: true });
  return { code, stderr };
}

function decrypted(): string {
  const r = runSecrets(["decrypt", FILE], { env: repo.env(), cwd: repo.dir });
  expect(r.code).toBe(0);
  return r.stdout;
}

describe("item 11: Ctrl-C in the editor does not lose the edit", () => {
  it("the editor killed by Ctrl-C after saving: the saved change is encrypted and written, no plaintext left", async () => {
    const r = await editAndSignal("save-then-wait.mjs", "SIGINT", "changed-before-ctrl-c");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("the editor was ended by SIGINT");
    expect(repo.read(FILE)).not.toContain("changed-before-ctrl-c"); // encrypted, not plaintext
    expect(decrypted()).toBe("db_password: changed-before-ctrl-c\n");
    expect(readdirSync(tmp)).toEqual([]);
  });

  it("the editor killed by Ctrl-C before saving: file unchanged (exit 200), no plaintext left", async () => {
    const before = readFileSync(join(repo.dir, FILE));
    const r = await editAndSignal("save-then-wait.mjs", "SIGINT", "");
    expect(r.code, r.stderr).toBe(200);
    expect(r.stderr).toMatch(/ended by SIGINT and .*has not changed/);
    expect(readFileSync(join(repo.dir, FILE)).equals(before)).toBe(true);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it("an editor that ignores Ctrl-C keeps running, saves and exits 0: the change is written", async () => {
    const r = await editAndSignal("ignore-int.mjs", "SIGINT", "changed-after-ctrl-c");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    expect(decrypted()).toBe("db_password: changed-after-ctrl-c\n");
    expect(readdirSync(tmp)).toEqual([]);
  });

  it("Ctrl-\\ (SIGQUIT) is the editor's too: sealfile does not die of it", async () => {
    const r = await editAndSignal("save-then-wait.mjs", "SIGQUIT", "changed-before-ctrl-backslash");
    expect(r.code, r.stderr).toBe(0);
    expect(decrypted()).toBe("db_password: changed-before-ctrl-backslash\n");
    expect(readdirSync(tmp)).toEqual([]);
  });
});
