// `secrets exec -- true` on a 20-key file, against `node -e 0` and against `dotenvx run -f .env -- true`
// on an equivalent .env encrypted by dotenvx's own `encrypt`, all in the same run.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BIN, ROOT, STARTUP_ROUNDS, report, timeInterleaved, timeProcess } from "./lib.mjs";

const KEYS = 20;

export async function benchExec(ctx) {
  const dir = join(ctx.dir, "exec");
  mkdirSync(dir, { recursive: true });
  const pairs = Array.from({ length: KEYS }, (_, i) => [`SECRET_${String(i).padStart(2, "0")}`, `value-${i}-${"x".repeat(24)}`]);

  // sealfile: a YAML file sealed for the bench's age recipient.
  const plain = join(dir, "twenty.yaml");
  writeFileSync(plain, pairs.map(([k, v]) => `${k}: ${v}\n`).join(""));
  const sealed = spawnSync(process.execPath, [BIN, "encrypt", "--age", ctx.recipient, plain], { env: ctx.env, encoding: "utf8" });
  if (sealed.status !== 0) throw new Error(`encrypt failed: ${sealed.stderr}`);
  const enc = join(dir, "twenty.enc.yaml");
  writeFileSync(enc, sealed.stdout);

  // dotenvx: the same pairs in .env, encrypted in place by `dotenvx encrypt` (its key goes to .env.keys).
  const dotenvx = join(ROOT, "node_modules/.bin/dotenvx");
  writeFileSync(join(dir, ".env"), pairs.map(([k, v]) => `${k}="${v}"\n`).join(""));
  const envx = { ...process.env };
  const e = spawnSync(dotenvx, ["encrypt", "-f", ".env"], { cwd: dir, env: envx, encoding: "utf8" });
  if (e.status !== 0) throw new Error(`dotenvx encrypt failed: ${e.stderr}`);

  // What any Node program that runs `true` pays: Node, child_process and the child itself.
  const spawnOnly = "require('child_process').spawn('true', [], { stdio: 'inherit' })";
  const [floor, ours, nodeSpawn] = timeInterleaved([
    { argv: [process.execPath, "-e", "0"] },
    { argv: [process.execPath, BIN, "exec", "-f", enc, "--", "true"], env: ctx.env, cwd: dir },
    { argv: [process.execPath, "-e", spawnOnly] },
  ], { runs: STARTUP_ROUNDS });
  const theirs = timeProcess([dotenvx, "run", "-f", ".env", "--", "true"], { runs: 11, env: envx, cwd: dir });
  report("node -e 0 (exec floor)", floor, "node -e 0", floor);
  report(`secrets exec -- true (${KEYS} keys)`, ours, "node -e 0", floor, 1.4);
  report("node spawning true (no secrets)", nodeSpawn, "node -e 0", floor);
  report(`dotenvx run -f .env -- true (${KEYS} keys)`, theirs, "node -e 0", floor);
  report("secrets exec vs dotenvx run", ours, "dotenvx run", theirs, 1);
}
