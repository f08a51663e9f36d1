// `git log -p` over a generated repository — 200 commits, 5 encrypted files, each commit changing one value —
// with sealfile's textconv, against the same `git log -p` with a textconv that only prints the file from a bare
// `node -e` (Node's start-up per blob, the floor). Both runs read the same repository, interleaved.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BIN, ROOT, report } from "./lib.mjs";

const COMMITS = 200;
const FILES = 5;
const KEYS = 8;
const NODE_CAT = `node -e "process.stdout.write(require('fs').readFileSync(process.argv[1]))"`;

export async function benchGitLog(ctx) {
  const { encryptFile } = await import(join(ROOT, "dist/index.js"));
  const dir = join(ctx.dir, "git-log");
  mkdirSync(dir, { recursive: true });
  const env = { ...ctx.env, GIT_AUTHOR_NAME: "bench", GIT_AUTHOR_EMAIL: "b@example.com", GIT_COMMITTER_NAME: "bench", GIT_COMMITTER_EMAIL: "b@example.com" };
  const git = (...args) => {
    const r = spawnSync("git", args, { cwd: dir, env, encoding: "utf8", maxBuffer: 1 << 28 });
    if (r.status !== 0) throw new Error(`git ${args[0]} failed: ${r.stderr}`);
    return r.stdout;
  };
  git("init", "-q", "-b", "main");
  git("config", "commit.gpgsign", "false");
  git("config", "core.hooksPath", "/dev/null");
  writeFileSync(join(dir, ".gitattributes"), "*.enc.yaml diff=bench\n");
  const values = Array.from({ length: FILES }, () => Array.from({ length: KEYS }, (_, k) => `value-${k}`));
  const write = async (f) => {
    const path = join(dir, `s${f}.enc.yaml`);
    writeFileSync(path, values[f].map((v, k) => `key${k}: ${v}\n`).join(""));
    await encryptFile(path, { age: ctx.recipient, env: ctx.env, cwd: dir });
  };
  for (let f = 0; f < FILES; f++) await write(f);
  git("add", "-A");
  git("commit", "-q", "-m", "initial");
  for (let c = 1; c < COMMITS; c++) {
    const f = c % FILES;
    values[f][c % KEYS] = `changed-${c}`;
    await write(f);
    git("commit", "-q", "-am", `change ${c}`);
  }

  const ours = `"${process.execPath}" "${BIN}" git diff-text`;
  const run = (textconv) => {
    const t0 = process.hrtime.bigint();
    const out = git("-c", `diff.bench.textconv=${textconv}`, "-c", "diff.bench.cachetextconv=false", "log", "-p", "--no-color");
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    return { ms, out };
  };
  // Each run starts ~400 processes (two textconvs per commit), so one run each; the machine's drift over a run is
  // shared by its ~400 samples.
  const a = [];
  const b = [];
  for (let i = 0; i < 1; i++) {
    const ourRun = run(ours);
    if (!ourRun.out.includes("+key1: changed-")) throw new Error("git log -p with sealfile's textconv shows no plaintext change");
    a.push(ourRun.ms);
    b.push(run(NODE_CAT).ms);
  }
  const floor = Math.min(...b);
  report(`git log -p, bare node textconv (${COMMITS} commits)`, floor, "itself", floor);
  report(`git log -p, secrets textconv (${COMMITS} commits)`, Math.min(...a), "bare node", floor, 1.5);
}
