// Issue 17: the common commands run from bundles of their own (dist/cli-decrypt.cjs, cli-exec, cli-git, cli-guard),
// chosen by dist/route.cjs with the same routing runCli uses. A copy of the built package without the full
// dist/cli.cjs shows which command lines need only their own bundle; --version needs none.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baseEnv, ROOT, runSecrets, tempHome } from "../helpers/cli.js";
import { commandOf, routeOf } from "../../src/cli/route.js";

const home = tempHome();
const dir = mkdtempSync(join(tmpdir(), "sealfile-bundles-"));
const keys = join(dir, "keys.txt");
const pkg = join(dir, "pkg");
let sealed = "";

beforeAll(() => {
  mkdirSync(pkg);
  for (const part of ["bin", "dist", "package.json"]) cpSync(join(ROOT, part), join(pkg, part), { recursive: true });
  symlinkSync(join(ROOT, "node_modules"), join(pkg, "node_modules"));
  unlinkSync(join(pkg, "dist/cli.cjs"));
  const k = runSecrets(["keygen", "-o", keys], { env: baseEnv(home.dir) });
  expect(k.code).toBe(0);
  writeFileSync(join(dir, "plain.yaml"), "API_TOKEN: hunter2\n");
  const enc = runSecrets(["encrypt", "--age", k.stdout.trim(), join(dir, "plain.yaml")], { env: baseEnv(home.dir) });
  expect(enc.code).toBe(0);
  sealed = join(dir, "s.enc.yaml");
  writeFileSync(sealed, enc.stdout);
});
afterAll(() => {
  home.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

function inCopy(args: string[], extraEnv: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(pkg, "bin/secrets.js"), ...args], { cwd: dir, env: baseEnv(home.dir, { SOPS_AGE_KEY_FILE: keys, ...extraEnv }), encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("issue 17: routing to a command's own bundle", () => {
  it("names the command runCli runs: sops forms, help spelled out, words after -- left alone", () => {
    expect(commandOf(["decrypt", "a.yaml"])).toBe("decrypt");
    expect(commandOf(["-d", "a.yaml"])).toBe("decrypt");
    expect(commandOf(["--verbose", "exec", "-f", "a.yaml", "--", "decrypt"])).toBe("exec");
    expect(commandOf(["help", "git", "diff-text"])).toBe("git");
    expect(routeOf(["help", "git"]).argv).toEqual(["git", "--help"]);
    expect(commandOf(["--", "decrypt"])).toBeUndefined();
    expect(commandOf(["--version"])).toBeUndefined();
    // a malformed sops form names no command: the full CLI reports it
    expect(commandOf(["-d", "-e", "a.yaml"])).toBeUndefined();
  });

  it("decrypt, exec, git diff-text and guard run without the full bundle; --version needs no bundle", () => {
    const dec = inCopy(["decrypt", sealed]);
    expect(dec.stderr).toBe("");
    expect(dec.stdout).toBe("API_TOKEN: hunter2\n");
    expect(inCopy(["-d", sealed]).stdout).toBe("API_TOKEN: hunter2\n");
    const ex = inCopy(["exec", "-f", sealed, "--", process.execPath, "-e", "process.stdout.write(process.env.API_TOKEN)"]);
    expect(ex.stdout).toBe("hunter2");
    // textconv adds who can open the file after the document (issue 18 item 2)
    expect(inCopy(["git", "diff-text", sealed]).stdout).toMatch(/^API_TOKEN: hunter2\n# ---- sealfile: who can open this file/);
    expect(inCopy(["guard", join(dir, "s.enc.yaml")]).code).toBe(0);
    expect(inCopy(["--version"]).stdout).toBe(`${runSecrets(["--version"], { env: baseEnv(home.dir) }).stdout}`);
  });

  it("exec with inherited stdio starts its child without loading child_process, net or dgram", () => {
    // Built-in modules are not in the module trace (node: requests skip resolution): Node's own list is read at exit.
    const preload = join(dir, "builtins.cjs");
    const list = join(dir, "builtins.txt");
    writeFileSync(preload, `process.on("exit", () => require("fs").writeFileSync(${JSON.stringify(list)}, process.moduleLoadList.join("\\n")));\n`);
    // --pending-deprecation would make Node warn about the handle's lookup (process.binding): nothing may show
    const ex = inCopy(["exec", "-f", sealed, "--", process.execPath, "-e", "process.stdout.write(process.env.API_TOKEN)"], {
      NODE_OPTIONS: `--require=${preload} --pending-deprecation`,
    });
    expect(ex.stdout).toBe("hunter2");
    expect(ex.stderr).toBe("");
    const loaded = readFileSync(list, "utf8").split("\n");
    expect(loaded).toContain("NativeModule crypto"); // the list is read after the work
    for (const m of ["NativeModule child_process", "NativeModule net", "NativeModule dgram"]) expect(loaded).not.toContain(m);
    // --mask needs pipes, hence child_process
    const masked = inCopy(["exec", "--mask", "-f", sealed, "--", process.execPath, "-e", "process.stdout.write(process.env.API_TOKEN)"], { NODE_OPTIONS: `--require=${preload}` });
    expect(masked.code).toBe(0);
    expect(readFileSync(list, "utf8").split("\n")).toContain("NativeModule child_process");
  });

  it("exec's own way of starting a child does not get around Node's permission model", () => {
    const denied = inCopy(["exec", "-f", sealed, "--", process.execPath, "-e", "process.stdout.write(process.env.API_TOKEN)"], {
      NODE_OPTIONS: "--experimental-permission --allow-fs-read=*",
    });
    expect(denied.code).toBe(1);
    expect(denied.stdout).toBe("");
    expect(denied.stderr).toMatch(/^error\[GENERIC\]: could not start \S+: ERR_ACCESS_DENIED\nhint: \S/m);
    const allowed = inCopy(["exec", "-f", sealed, "--", process.execPath, "-e", "process.stdout.write(process.env.API_TOKEN)"], {
      NODE_OPTIONS: "--experimental-permission --allow-fs-read=* --allow-child-process",
    });
    expect(allowed.stdout).toBe("hunter2");
  });

  it("every other command line needs the full bundle (here removed), so it is not in the command bundles", () => {
    const r = inCopy(["encrypt", "--age", "age1x", join(dir, "plain.yaml")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("the CLI is not built yet");
    expect(inCopy(["--help"]).stderr).toContain("the CLI is not built yet");
  });

  it("in a typical repository (a .sops.yaml with a path_regex), decrypt, exec and textconv need neither the yaml package, nor TOML or SSH code, nor RE2", () => {
    const repo = join(dir, "repo");
    mkdirSync(repo, { recursive: true });
    const recipient = readFileSync(keys, "utf8").match(/age1[0-9a-z]+/)![0];
    writeFileSync(join(repo, ".sops.yaml"), `creation_rules:\n  - path_regex: \\.enc\\.yaml$\n    age: ${recipient}\n`);
    cpSync(sealed, join(repo, "app.enc.yaml"));
    // The chunks these commands must not need are taken out of the copy; RE2 would show in the module trace.
    for (const chunk of ["yaml", "smol-toml", "curves"]) unlinkSync(join(pkg, `dist/vendor/${chunk}.cjs`));
    const file = join(repo, "app.enc.yaml");
    const trace = join(dir, "modules.txt");
    const traced = { NODE_OPTIONS: `--import=${join(ROOT, "test/helpers/module-trace.mjs")}`, SEALFILE_MODULE_TRACE: trace };
    const dec = inCopy(["decrypt", file], traced);
    expect(dec.stderr).toBe("");
    expect(dec.stdout).toBe("API_TOKEN: hunter2\n");
    const loaded = readFileSync(trace, "utf8");
    expect(loaded).toContain("bin/secrets.js"); // the trace works
    expect(loaded).not.toContain("re2js");
    expect(inCopy(["exec", "-f", file, "--", process.execPath, "-e", "process.stdout.write(process.env.API_TOKEN)"]).stdout).toBe("hunter2");
    expect(inCopy(["git", "diff-text", file]).stdout).toMatch(/^API_TOKEN: hunter2\n/);
  });
});
