// Makes dist/cli.cjs.cache: runs a typical command (decrypt of a small age-encrypted YAML file) with the
// launcher in training mode, which saves V8's code cache for everything that command compiled.
// Uses a throw-away key and file in a temp folder; nothing here is secret.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const bin = "bin/secrets.js";
const dir = mkdtempSync(join(tmpdir(), "sealfile-train-"));
const env = { PATH: process.env.PATH, HOME: dir, SOPS_AGE_KEY_FILE: join(dir, "keys.txt") };
const run = (args, extra = {}) => {
  const r = spawnSync(process.execPath, [bin, ...args], { env: { ...env, ...extra }, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`training run "${args[0]}" failed: ${r.stderr}`);
  return r.stdout;
};
try {
  const recipient = run(["keygen", "-o", env.SOPS_AGE_KEY_FILE]).trim();
  writeFileSync(join(dir, "train.yaml"), "# comment\ndb:\n    user: app\n    password: example\n    port: 5432\nflags:\n    - a\n");
  writeFileSync(join(dir, "train.enc.yaml"), run(["encrypt", "--age", recipient, join(dir, "train.yaml")]));
  run(["decrypt", join(dir, "train.enc.yaml")], { SEALFILE_CODE_CACHE_OUT: "dist/cli.cjs.cache" });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
