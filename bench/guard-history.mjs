// `secrets guard --history` over a repository of 10,000 commits (built with git fast-import from real text, a
// few planted secrets), against `git log --all -p` on the same repository (issue 16: at most 3× as long).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BIN, ROOT, median, report } from "./lib.mjs";

const COMMITS = Number(process.env.BENCH_HISTORY_COMMITS ?? 10_000);
const FILES = 200;

/** Real text to commit: the installed packages' JavaScript, in pieces of about 2 KB. */
function textPool() {
  const dir = join(ROOT, "node_modules", "yaml", "dist");
  const all = readdirSync(dir, { recursive: true }).filter((n) => String(n).endsWith(".js")).sort().map((n) => readFileSync(join(dir, String(n)), "utf8")).join("\n");
  const pieces = [];
  for (let i = 0; i + 2000 <= all.length && pieces.length < 5000; i += 1500) pieces.push(all.slice(i, i + 2000));
  return pieces;
}

function fastImportStream(pieces) {
  const out = [];
  for (let i = 1; i <= COMMITS; i++) {
    let body = pieces[(i * 7919) % pieces.length];
    if (i % 1000 === 500) body += `\nconst token = "${["gh", "p_", "R8xK2mQ9vT4wL7nB3cY6", "hJ1fD5sA0gZ8", String(i).padStart(4, "0")].join("")}";\n`;
    const msg = `change ${i}`;
    out.push(`commit refs/heads/main\nmark :${i}\ncommitter Bench <bench@example.invalid> ${1700000000 + i} +0000\ndata ${msg.length}\n${msg}\n`);
    if (i > 1) out.push(`from :${i - 1}\n`);
    out.push(`M 100644 inline src/f${i % FILES}.js\ndata ${Buffer.byteLength(body)}\n${body}\n`);
  }
  return out.join("");
}

function timeRun(argv, cwd, okCodes, runs) {
  const once = () => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(argv[0], argv.slice(1), { cwd, stdio: ["ignore", "ignore", "pipe"], maxBuffer: 1 << 28 });
    if (!okCodes.includes(r.status)) throw new Error(`${argv.slice(0, 4).join(" ")} failed (${r.status}): ${String(r.stderr).slice(0, 300)}`);
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  return median(Array.from({ length: runs }, once));
}

export async function benchGuardHistory() {
  const dir = mkdtempSync(join(tmpdir(), "sealfile-bench-history-"));
  try {
    const env = { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null" };
    spawnSync("git", ["init", "-q", "-b", "main"], { cwd: dir, env });
    const imported = spawnSync("git", ["fast-import", "--quiet"], { cwd: dir, env, input: fastImportStream(textPool()), maxBuffer: 1 << 28 });
    if (imported.status !== 0) throw new Error(`fast-import failed: ${imported.stderr}`);
    const logMs = timeRun(["sh", "-c", "git log --all -p > /dev/null"], dir, [0], 3);
    const historyMs = timeRun([process.execPath, BIN, "guard", "--history"], dir, [1], 3);
    report(`secrets guard --history (${COMMITS} commits)`, historyMs, "git log --all -p", logMs);
    console.log(`guard --history ${historyMs.toFixed(0)} ms, git log --all -p ${logMs.toFixed(0)} ms: ${(historyMs / logMs).toFixed(2)}× (target ≤ 3×: ${historyMs <= 3 * logMs ? "ok" : "OVER"})`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
