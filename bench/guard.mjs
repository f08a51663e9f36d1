// The pre-commit guard: `secrets guard --staged` over 1,000 staged files (~20 MB of real-world text with a few
// planted secrets), whole process, against secretlint with its recommended preset over the same files.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { extname, join } from "node:path";
import { BIN, ROOT, median, report } from "./lib.mjs";

const FILES = 1000;
const PER_FILE = 20_000;
const PLANTED_RULES = ["github-token", "aws-access-key", "stripe-key", "database-url"];

/** Real text: the installed packages' sources, docs and manifests, cut into equal pieces. */
function realisticFiles() {
  const found = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (/\.(?:[cm]?js|ts|json|md|ya?ml)$/.test(e.name)) found.push(join(dir, e.name));
    }
  };
  walk(join(ROOT, "node_modules"));
  const out = [];
  let pool = Buffer.alloc(0);
  for (let i = 0; out.length < FILES && i < found.length; i++) {
    pool = Buffer.concat([pool, readFileSync(found[i])]);
    while (pool.length >= PER_FILE && out.length < FILES) {
      out.push({ name: `files/m${String(out.length).padStart(4, "0")}${extname(found[i]) || ".txt"}`, content: pool.subarray(0, PER_FILE) });
      pool = pool.subarray(PER_FILE);
    }
  }
  return out;
}

/** Fake secrets of the kinds both tools know, assembled here so this file holds none. */
function plantedSecrets(i) {
  const tail = String(i).padStart(4, "0");
  return [
    `const token = "${["gh", "p_", "R8xK2mQ9vT4wL7nB3cY6", "hJ1fD5sA0gZ8", tail].join("")}";`,
    // Access key ids are base32 (A-Z, 2-7): digits 0, 1, 8, 9 would make it no key at all.
    `aws_access_key_id = ${["AK", "IA", "Q3ZJ7XH2MNB5", tail.replace(/[0189]/g, (d) => "ABCD"["0189".indexOf(d)])].join("")}`,
    `STRIPE_KEY=${["sk", "_live_", "4eC39HqLyjWDarjtT1zd", tail].join("")}`,
    `DATABASE_URL=postgres://app:${["Vq8", "zR2mL5xP9", tail].join("")}@db.internal:5432/app`,
  ][i % 4];
}

function timeRun(argv, cwd, okCodes, runs = 5) {
  const once = () => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(argv[0], argv.slice(1), { cwd, env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "ignore", "pipe"], maxBuffer: 1 << 28 });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (!okCodes.includes(r.status)) throw new Error(`${argv.slice(0, 3).join(" ")} … failed (${r.status}): ${String(r.stderr).slice(0, 300)}`);
    return ms;
  };
  once();
  return median(Array.from({ length: runs }, once));
}

export async function benchGuard(ctx) {
  const dir = mkdtempSync(join(tmpdir(), "sealfile-bench-guard-"));
  try {
    const git = (...args) => spawnSync("git", args, { cwd: dir, encoding: "utf8", env: { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null" } });
    git("init", "-q", "-b", "main");
    const files = realisticFiles();
    let bytes = 0;
    files.forEach((f, i) => {
      const content = i % 50 === 7 ? Buffer.concat([f.content, Buffer.from(`\n${plantedSecrets(i)}\n`)]) : f.content;
      mkdirSync(join(dir, "files"), { recursive: true });
      writeFileSync(join(dir, f.name), content);
      bytes += content.length;
    });
    git("add", "files");
    // secretlint resolves its rule preset from the folder it runs in
    symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
    writeFileSync(join(dir, ".secretlintrc.json"), JSON.stringify({ rules: [{ id: "@secretlint/secretlint-rule-preset-recommend" }] }));

    const label = `${files.length} staged files, ${(bytes / 1e6).toFixed(1)} MB`;
    const planted = files.filter((_, i) => i % 50 === 7).map((f) => f.name);
    const found = JSON.parse(spawnSync(process.execPath, [BIN, "guard", "--json"], { cwd: dir, encoding: "utf8", maxBuffer: 1 << 28 }).stdout).findings;
    const caught = planted.filter((name) => found.some((f) => f.path === name && PLANTED_RULES.includes(f.rule))).length;
    const guardMs = timeRun([process.execPath, BIN, "guard", "--staged"], dir, [1], 7);
    const lintMs = timeRun([process.execPath, join(ROOT, "node_modules/.bin/secretlint"), "--format", "compact", "files/**/*"], dir, [1], 3);
    report(`secrets guard --staged (${label})`, guardMs, "node -e 0", ctx.floor);
    report(`secretlint, recommended preset (same files)`, lintMs, "secrets guard", guardMs);
    console.log(`guard wall time ${guardMs.toFixed(0)} ms (target < 1000 ms: ${guardMs < 1000 ? "ok" : "OVER"}); secretlint takes ${(lintMs / guardMs).toFixed(2)}× as long; the guard caught ${caught}/${planted.length} planted secrets`);
    // the installed hook: what a commit pays (issue 16: one sealfile start and scan, no npx)
    const install = spawnSync(process.execPath, [BIN, "hook", "install"], { cwd: dir, encoding: "utf8" });
    if (install.status !== 0) throw new Error(`hook install failed: ${install.stderr}`);
    const hookMs = timeRun(["sh", join(dir, ".git", "hooks", "pre-commit")], dir, [1], 7);
    report("pre-commit hook as installed (same staged files)", hookMs, "secrets guard --staged", guardMs);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
