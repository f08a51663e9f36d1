// A 100 MB binary file through `encrypt` and `decrypt`: each must give back the exact bytes, and the peak
// resident memory of each process is printed as a ratio to the file's size (target ≤ 4×).
// Runs inside `npm run bench` (after the other benches), or alone: `node bench/large-values.mjs`.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BIN } from "./lib.mjs";

const SIZE = 100 * 1024 * 1024;
const TARGET = 4;

/** Runs the CLI with stdout to `out`, and returns its wall time and peak RSS (from /proc via `wait4`-like polling of ru_maxrss). */
function runMeasured(args, env, out) {
  // A wrapper child reports the grandchild's maxRSS through process.resourceUsage() of itself, so the CLI runs in-process there.
  const wrapper = `
    const { openSync } = require("node:fs");
    process.argv = [process.argv[0], ${JSON.stringify(BIN)}, ...${JSON.stringify(args)}];
    const t0 = Date.now();
    process.on("exit", (code) => { require("node:fs").writeSync(3, JSON.stringify({ code, ms: Date.now() - t0, maxRssKb: process.resourceUsage().maxRSS })); });
    import(${JSON.stringify(BIN)});
  `;
  const fd = openSync(out, "w");
  const r = spawnSync(process.execPath, ["-e", wrapper], { env, stdio: ["ignore", fd, "pipe", "pipe"], maxBuffer: 1 << 20 });
  closeSync(fd);
  const stats = JSON.parse(r.output[3].toString() || "{}");
  if (stats.code !== 0) throw new Error(`secrets ${args[0]} failed: ${r.stderr.toString().slice(0, 400)}`);
  return stats;
}

export async function benchLargeValues(ctx) {
  const dir = ctx?.dir ?? mkdtempSync(join(tmpdir(), "sealfile-bench-large-"));
  try {
    const keys = join(dir, "large-keys.txt");
    const env = { PATH: process.env.PATH, HOME: dir, SOPS_AGE_KEY_FILE: keys };
    const recipient = spawnSync(process.execPath, [BIN, "keygen", "-o", keys], { env, encoding: "utf8" }).stdout.trim();
    const plain = join(dir, "large.bin");
    const fd = openSync(plain, "w");
    for (let left = SIZE; left > 0; left -= 1 << 20) writeSync(fd, randomBytes(Math.min(left, 1 << 20)));
    closeSync(fd);
    const sealed = join(dir, "large.enc.json");
    const opened = join(dir, "large.out.bin");
    const enc = runMeasured(["encrypt", "--input-type", "binary", "--age", recipient, plain], env, sealed);
    const dec = runMeasured(["decrypt", "--input-type", "binary", sealed], env, opened);
    const same = readFileSync(plain).equals(readFileSync(opened));
    for (const [name, s] of [["encrypt", enc], ["decrypt", dec]]) {
      const ratio = (s.maxRssKb * 1024) / SIZE;
      const verdict = ratio <= TARGET ? `ok (target ≤ ${TARGET}×)` : `OVER target ${TARGET}×`;
      console.log(`${`${name} 100 MB binary: peak RSS`.padEnd(46)} ${(s.maxRssKb / 1024).toFixed(0).padStart(6)} MB  ${ratio.toFixed(2).padStart(6)}× file size  ${verdict}  (${s.ms} ms)`);
    }
    console.log(`${"100 MB binary round trip".padEnd(46)} ${same ? "byte-identical" : "DIFFERENT BYTES"}`);
    if (!same) process.exitCode = 1;
  } finally {
    if (!ctx) rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await benchLargeValues();
