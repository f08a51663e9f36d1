// Makes the V8 code caches of the CLI bundles: runs a typical command line of each bundle with the launcher
// in training mode, which saves V8's code cache for everything that command compiled. dist/cli.cjs (every
// other command) is trained on encrypt, dist/cli-decrypt.cjs on decrypt of a small age-encrypted YAML file,
// and so on. Uses a throw-away key and files in a temp folder; nothing here is secret.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const bin = "bin/secrets.js";
const dir = mkdtempSync(join(tmpdir(), "sealfile-train-"));
const env = { PATH: process.env.PATH, HOME: dir, SOPS_AGE_KEY_FILE: join(dir, "keys.txt") };
/** Runs `secrets ARGS`; with `cache`, saves the code cache of the bundle it ran to dist/`cache`. */
const run = (args, { cache, ok = [0] } = {}) => {
  const extra = cache ? { SEALFILE_CODE_CACHE_OUT: join("dist", cache) } : {};
  const r = spawnSync(process.execPath, [bin, ...args], { env: { ...env, ...extra }, encoding: "utf8", cwd: process.cwd() });
  if (!ok.includes(r.status)) throw new Error(`training run "${args[0]}" failed: ${r.stderr}`);
  return r.stdout;
};
try {
  const recipient = run(["keygen", "-o", env.SOPS_AGE_KEY_FILE]).trim();
  const plain = join(dir, "train.yaml");
  const sealed = join(dir, "train.enc.yaml");
  writeFileSync(plain, "# comment\ndb:\n    user: app\n    password: example\n    port: 5432\nflags:\n    - a\n");
  writeFileSync(sealed, run(["encrypt", "--age", recipient, plain], { cache: "cli.cjs.cache" }));
  run(["decrypt", sealed], { cache: "cli-decrypt.cjs.cache" });
  run(["exec", "-f", sealed, "--", "true"], { cache: "cli-exec.cjs.cache" });
  run(["git", "diff-text", sealed], { cache: "cli-git.cjs.cache" });
  // guard over the plaintext: a finding (exit 1) is as good a training run as none
  run(["guard", plain], { cache: "cli-guard.cjs.cache", ok: [0, 1] });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
