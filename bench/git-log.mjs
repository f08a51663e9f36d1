// `git log -p` over a generated repository — 200 commits, 5 encrypted files, each commit changing one value —
// with sealfile's textconv, against the same `git log -p` with a textconv that only prints the file from a bare
// `node -e` (Node's start-up per blob, the floor). Both read the same repository, slice by slice in turn.
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
  // The log is taken in slices of SLICE commits, each slice once with each textconv, the order alternating from
  // slice to slice: the machine's drift over the minute or so a whole run takes falls on both alike. The sums are
  // the two whole `git log -p` runs.
  const SLICE = 20;
  const run = (textconv, skip) => {
    const t0 = process.hrtime.bigint();
    const out = git("-c", `diff.bench.textconv=${textconv}`, "-c", "diff.bench.cachetextconv=false", "log", "-p", "--no-color", `--skip=${skip}`, `-n${SLICE}`);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    return { ms, out };
  };
  let oursMs = 0;
  let bareMs = 0;
  let sawChange = false;
  for (let skip = 0, i = 0; skip < COMMITS; skip += SLICE, i++) {
    const order = i % 2 === 0 ? ["ours", "bare"] : ["bare", "ours"];
    for (const which of order) {
      const r = run(which === "ours" ? ours : NODE_CAT, skip);
      if (which === "ours") {
        oursMs += r.ms;
        sawChange ||= r.out.includes("+key1: changed-");
      } else bareMs += r.ms;
    }
  }
  if (!sawChange) throw new Error("git log -p with sealfile's textconv shows no plaintext change");
  report(`git log -p, bare node textconv (${COMMITS} commits)`, bareMs, "itself", bareMs);
  report(`git log -p, secrets textconv (${COMMITS} commits)`, oursMs, "bare node", bareMs, 1.5);
}
