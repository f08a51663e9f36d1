/**
 * A stranger's repository can name its files, and key its .sops.yaml, with terminal control sequences.
 * sealfile quotes such names in its findings and errors: on the reader's terminal they must show as
 * escapes, never act (erase the finding's own line, set the title, write the clipboard, reorder the line).
 */
import { afterAll, describe, expect, it } from "vitest";
import { CLEAR_LINE, visibleText } from "../../src/cli/visible-text.js";
import { baseEnv, runSecrets, tempHome } from "../helpers/cli.js";
import { makeRepo } from "../git/_repo.js";

// Erase the line and go to its start, set the window title, a bare carriage return, and a right-to-left override.
const HOSTILE = "x\x1b[2K\x1b[1G\x1b]0;owned\x07\rclean\u202egpj";
const ACTING = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;
const TOKEN = ["gh", "p_", "R8xK2mQ9vT4wL7nB3cY6", "hJ1fD5sA0gZ8eU2iO4pW"].join("");

const home = tempHome();
const env = baseEnv(home.dir, { GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" });
afterAll(() => home.cleanup());

describe("visibleText", () => {
  it("shows C0 and C1 controls, DEL and bidirectional marks as escapes, and keeps tabs, newlines and other text", () => {
    expect(visibleText(HOSTILE)).toBe("x\\u001b[2K\\u001b[1G\\u001b]0;owned\\u0007\\u000dclean\\u202egpj");
    expect(visibleText("a\x00b\x7fc\x9bd\u2066e\u2069")).toBe("a\\u0000b\\u007fc\\u009bd\\u2066e\\u2069");
    const plain = "line one\n\tindented: ümlaut, 漢字, emoji 🔑, quotes \"'`, backslash \\u001b as text\n";
    expect(visibleText(plain)).toBe(plain);
  });

  it("lets the progress bar's own erase sequence through only as a write of its own", () => {
    expect(visibleText(CLEAR_LINE)).toBe(CLEAR_LINE);
    expect(visibleText(`${CLEAR_LINE}name`)).toBe("\\u000d\\u001b[2Kname");
  });
});

describe("names from a repository reach the terminal as escapes", () => {
  it("guard --staged: a staged file whose name erases its own finding line", () => {
    const repo = makeRepo();
    try {
      const name = `${HOSTILE}.env`;
      repo.write(name, `TOKEN=${TOKEN}\n`);
      repo.git("add", "--", name);
      for (const args of [["guard", "--staged"], ["guard", "--staged", "--json"]]) {
        const r = runSecrets(args, { env, cwd: repo.dir });
        expect(r.code).toBe(1);
        const shown = r.stdout + r.stderr;
        expect(shown).not.toMatch(ACTING);
        expect(shown).not.toContain(TOKEN);
        // the name is there, escaped
        expect(shown).toContain("x\\u001b[2K");
      }
    } finally {
      repo.cleanup();
    }
  });

  it("decrypt and status: a missing file, and a file a creation rule matches, named with control sequences (a real process too)", () => {
    const repo = makeRepo();
    try {
      const recipient = "age1xq3ypj0ful9m3usyjkm9vswddrljwdz8xzpvx225dhersl5wpfhszyky9l";
      repo.write(".sops.yaml", `creation_rules:\n  - path_regex: \\.yaml$\n    age: ${recipient}\n`);
      repo.write(`${HOSTILE}.yaml`, "password: hunter2\n");
      for (const process of [false, true]) {
        const missing = runSecrets(["decrypt", `${HOSTILE}.missing.yaml`], { env, cwd: repo.dir, process });
        expect(missing.stderr).toMatch(/^error\[FILE_NOT_FOUND\]: x\\u001b\[2K/);
        expect(missing.stderr).not.toMatch(ACTING);
      }
      const status = runSecrets(["status"], { env, cwd: repo.dir });
      expect(status.stdout + status.stderr).toContain("x\\u001b[2K");
      expect(status.stdout + status.stderr).not.toMatch(ACTING);
      // --json still parses, to the very name: DEL and C1 controls, which JSON.stringify leaves raw, become \u escapes.
      const odd = "odd\x7f\x85\u202e.yaml";
      repo.write(odd, "password: hunter2\n");
      const json = runSecrets(["status", "--json"], { env, cwd: repo.dir });
      expect(json.stdout).not.toMatch(ACTING);
      const names = (JSON.parse(json.stdout) as { files: Array<{ path?: string; file?: string }> }).files.map((f) => f.path ?? f.file);
      expect(names).toContain(odd);
    } finally {
      repo.cleanup();
    }
  });

  it("doctor: a .sops.yaml key made of control sequences", () => {
    const repo = makeRepo();
    try {
      repo.write(".sops.yaml", `creation_rules:\n  - path_regex: x\n    "agee${HOSTILE}": age1abc\n`);
      const r = runSecrets(["doctor"], { env, cwd: repo.dir });
      expect(r.stdout + r.stderr).toContain("creation_rules[0]");
      expect(r.stdout + r.stderr).not.toMatch(ACTING);
    } finally {
      repo.cleanup();
    }
  });
});
