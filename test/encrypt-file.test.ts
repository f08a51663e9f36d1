// The library's encryptFile: paths are taken from `cwd` when it is given (as .sops.yaml is looked up from
// it), the result opens with decryptFile, and what cannot be encrypted is refused with its code.
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decryptFile, encryptFile } from "../src/index.js";
import { baseEnv, runSecrets, tempHome } from "./helpers/cli.js";

const home = tempHome();
const keys = join(home.dir, "keys.txt");
const recipient = runSecrets(["keygen", "-o", keys], { env: baseEnv(home.dir) }).stdout.trim();
const env = { ...baseEnv(home.dir), SOPS_AGE_KEY_FILE: keys };
const root = mkdtempSync(join(tmpdir(), "sealfile-encrypt-file-"));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  home.cleanup();
});

describe("encryptFile", () => {
  it("reads and writes relative to cwd, not the process's folder, in place or to `output`", async () => {
    const dir = mkdtempSync(join(root, "cwd-"));
    writeFileSync(join(dir, "app.yaml"), "password: hunter2\n");
    writeFileSync(join(dir, "other.yaml"), "token: abc\n");
    expect(process.cwd()).not.toBe(dir);
    await encryptFile("app.yaml", { cwd: dir, env, age: recipient });
    expect(readFileSync(join(dir, "app.yaml"), "utf8")).toMatch(/password: ENC\[AES256_GCM/);
    await encryptFile("other.yaml", { cwd: dir, env, age: [recipient], output: "other.enc.yaml" });
    expect(readFileSync(join(dir, "other.yaml"), "utf8")).toBe("token: abc\n");
    expect(await decryptFile("app.yaml", { cwd: dir, env })).toEqual({ password: "hunter2" });
    expect(await decryptFile("other.enc.yaml", { cwd: dir, env })).toEqual({ token: "abc" });
  });

  it("takes recipients from .sops.yaml, and refuses an encrypted file or a device with their codes", async () => {
    const dir = mkdtempSync(join(root, "rule-"));
    writeFileSync(join(dir, ".sops.yaml"), `creation_rules:\n  - path_regex: \\.yaml$\n    age: ${recipient}\n`);
    writeFileSync(join(dir, "s.yaml"), "a: 1\n");
    await encryptFile(join(dir, "s.yaml"), { env });
    expect(await decryptFile(join(dir, "s.yaml"), { env })).toEqual({ a: 1 });
    await expect(encryptFile(join(dir, "s.yaml"), { env })).rejects.toMatchObject({ code: "ALREADY_ENCRYPTED" });
    symlinkSync("/dev/zero", join(dir, "z.yaml"));
    await expect(encryptFile("z.yaml", { cwd: dir, env })).rejects.toMatchObject({ code: "CANNOT_READ_INPUT" });
  });
});
