// Shared timing helpers: whole-process timings (median of N runs) and ratio printing.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const BIN = join(ROOT, "bin/secrets.js");

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Median wall time in ms of running `argv` `runs` times (after one warm-up). Throws if it fails. */
export function timeProcess(argv, { runs = 15, env = process.env, input, cwd = ROOT } = {}) {
  const once = () => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(argv[0], argv.slice(1), { env, input, cwd, stdio: ["pipe", "ignore", "pipe"], maxBuffer: 1 << 30 });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`${argv.slice(0, 4).join(" ")} … failed (${r.status}): ${r.stderr}`);
    return ms;
  };
  once();
  const times = [];
  for (let i = 0; i < runs; i++) times.push(once());
  return median(times);
}

// Rounds for the start-up targets. A single `node -e 0` here takes anywhere from 95 to 150 ms as the shared
// machine's load comes and goes, so with 21 rounds the ratios of medians moved by ±0.1 from one run to the next.
export const STARTUP_ROUNDS = 61;

/**
 * Median wall times in ms of several processes run in turn (each round in a random order, after one warm-up round), so
 * a change in the machine's load between them does not skew their ratios. Throws if one fails.
 */
export function timeInterleaved(processes, { runs = 21 } = {}) {
  const once = ({ argv, env = process.env, cwd = ROOT, input }) => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(argv[0], argv.slice(1), { env, input, cwd, stdio: ["pipe", "ignore", "pipe"], maxBuffer: 1 << 30 });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`${argv.slice(0, 4).join(" ")} … failed (${r.status}): ${r.stderr}`);
    return ms;
  };
  const times = processes.map(() => []);
  for (let round = 0; round <= runs; round++) {
    // Each round in a new random order: in a fixed order, each process always ran right after the same one.
    for (const i of shuffled(processes.map((_, k) => k))) {
      const ms = once(processes[i]);
      if (round > 0) times[i].push(ms);
    }
  }
  return times.map(median);
}

function shuffled(xs) {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}

/** Median peak memory in MiB of `node -r max-rss.cjs ARGS…` over `runs` runs (the preload costs both sides alike). */
export function peakMemory(nodeArgs, { runs = 7, env = process.env, cwd = ROOT } = {}) {
  const preload = join(ROOT, "bench/max-rss.cjs");
  const once = () => {
    const r = spawnSync(process.execPath, ["-r", preload, ...nodeArgs], { env, cwd, stdio: ["ignore", "ignore", "pipe", "pipe"] });
    if (r.status !== 0) throw new Error(`${nodeArgs.slice(0, 3).join(" ")} … failed (${r.status}): ${r.stderr}`);
    return Number(String(r.output[3])) / 1024;
  };
  return median(Array.from({ length: runs }, once));
}

/** Median in-process time in ms of an async function. */
export async function timeFn(fn, runs = 5) {
  await fn();
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(times);
}

const rows = [];
export function report(name, ms, floorName, floorMs, target, unit = "ms") {
  const ratio = ms / floorMs;
  const verdict = target === undefined ? "" : ratio <= target ? `  ok (target ≤ ${target}×)` : `  OVER target ${target}×`;
  rows.push({ name, ms, floorName, floorMs, ratio, target });
  console.log(`${name.padEnd(46)} ${ms.toFixed(1).padStart(9)} ${unit.padEnd(3)} ${ratio.toFixed(2).padStart(6)}× ${floorName} (${floorMs.toFixed(1)} ${unit})${verdict}`);
}

export function results() {
  return rows;
}
