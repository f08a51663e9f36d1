// Living in git: `secrets set` on a 10,000-key file and `secrets rotate --all` over 200 files, as ratios to
// floors measured in the same run: decrypt + encrypt of the same 10k file (two processes, what `set` replaces),
// and a bare node:crypto script doing the same file work as rotate (read, AES-GCM every value, fsync+rename).
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { BIN, report, timeProcess } from "./lib.mjs";

const FILES = 200;

/** The floor for rotate: one process that rewrites each file with every value AES-GCM encrypted afresh. */
const RAW_ROTATE = `
const fs = require("node:fs"), path = require("node:path"), c = require("node:crypto");
const dir = process.argv[1];
const key = c.randomBytes(32);
for (const name of fs.readdirSync(dir)) {
  const p = path.join(dir, name);
  const text = fs.readFileSync(p, "utf8");
  const out = text.replace(/data:([^,]*),/g, (_m, d) => {
    const iv = c.randomBytes(32), g = c.createCipheriv("aes-256-gcm", key, iv);
    const e = Buffer.concat([g.update(Buffer.from(d, "base64")), g.final()]);
    return "data:" + e.toString("base64") + ",";
  });
  const tmp = p + ".tmp", fd = fs.openSync(tmp, "w");
  fs.writeSync(fd, out); fs.fsyncSync(fd); fs.closeSync(fd); fs.renameSync(tmp, p);
}`;

export async function benchGitOps(ctx) {
  const dir = join(ctx.dir, "git-ops");
  const secrets = join(dir, "secrets");
  mkdirSync(secrets, { recursive: true });
  const git = (...args) => spawnSync("git", args, { cwd: dir, env: { ...ctx.env, PATH: process.env.PATH } });
  git("init", "-q");
  writeFileSync(join(dir, ".sops.yaml"), `creation_rules:\n  - path_regex: secrets/.*\\.yaml$\n    age: ${ctx.recipient}\n`);

  // set on a 10,000-key file
  let big = "";
  for (let i = 0; i < 10_000; i++) big += `key${i}: value-${i}\n`;
  const plain = join(dir, "big.plain.yaml");
  writeFileSync(plain, big);
  const sealed = spawnSync(process.execPath, [BIN, "encrypt", "--age", ctx.recipient, plain], { env: ctx.env, maxBuffer: 1 << 28 });
  const bigEnc = join(dir, "big.yaml");
  writeFileSync(bigEnc, sealed.stdout);
  const floorDec = timeProcess([process.execPath, BIN, "decrypt", bigEnc], { runs: 5, env: ctx.env });
  const floorEnc = timeProcess([process.execPath, BIN, "encrypt", "--age", ctx.recipient, plain], { runs: 5, env: ctx.env });
  const floorSet = floorDec + floorEnc;
  report("decrypt + encrypt, 10k keys (2 processes)", floorSet, "itself", floorSet);
  const setMs = timeProcess([process.execPath, BIN, "set", bigEnc, '["key5000"]', "--value-stdin"], { runs: 5, env: ctx.env, input: '"changed"' });
  report("secrets set (10k-key file)", setMs, "decrypt+encrypt", floorSet);
  report("secrets set (10k-key file)", setMs, "decrypt alone", floorDec);

  // rotate --all over 200 files (copies of one small sealed file; each is rotated on its own)
  const one = join(dir, "one.yaml");
  writeFileSync(one, "db:\n    user: app\n    password: hunter2\n    port: 5432\napi_token: abc123\n");
  writeFileSync(join(secrets, "f0.yaml"), spawnSync(process.execPath, [BIN, "encrypt", "--age", ctx.recipient, one], { env: ctx.env }).stdout);
  for (let i = 1; i < FILES; i++) copyFileSync(join(secrets, "f0.yaml"), join(secrets, `f${i}.yaml`));
  const rawDir = join(dir, "raw");
  mkdirSync(rawDir);
  for (let i = 0; i < FILES; i++) writeFileSync(join(rawDir, `f${i}.yaml`), readFileSync(join(secrets, "f0.yaml")));
  const floorRotate = timeProcess([process.execPath, "-e", RAW_ROTATE, rawDir], { runs: 3 });
  report(`node:crypto rewrite of ${FILES} files (1 process)`, floorRotate, "itself", floorRotate);
  const rotateMs = timeProcess([process.execPath, BIN, "rotate", "--all"], { runs: 3, env: ctx.env, cwd: dir });
  report(`secrets rotate --all (${FILES} files)`, rotateMs, "raw rewrite", floorRotate);
  report(`secrets rotate --all (${FILES} files)`, rotateMs, `node -e 0 × ${FILES}`, ctx.floor * FILES);
}
