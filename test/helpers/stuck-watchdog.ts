/**
 * Owns: a watchdog thread for long loops of in-process runs. A run stuck synchronously (a deadlock inside
 * node:crypto, an endless loop) blocks the main thread, so no timer of the test's fires and vitest's timeout
 * cannot either: the worker just sits there. The watchdog, on a thread of its own, then writes what was
 * running to stderr and kills the process, so the test file fails, naming the run, instead of hanging.
 */
import { Worker } from "node:worker_threads";

const LABEL_BYTES = 4096;

// CommonJS, run with `eval`: a worker thread needs no file of its own.
const WATCHDOG = `
const { workerData } = require("node:worker_threads");
const { writeSync } = require("node:fs");
const since = new BigInt64Array(workerData.since);
const length = new Int32Array(workerData.length);
const label = new Uint8Array(workerData.label);
setInterval(() => {
  // Read once: the main thread may finish the run (and store 0) between two reads.
  const start = Number(Atomics.load(since, 0));
  if (start > 0 && Date.now() - start > workerData.limitMs) {
    const what = Buffer.from(label.subarray(0, length[0])).toString("utf8");
    writeSync(2, "\\nwatchdog: the main thread has been stuck for over " + workerData.limitMs / 1000 + " s in " + what + "\\n");
    process.kill(process.pid, "SIGKILL");
  }
}, 1000);
`;

export interface Watchdog {
  /** Runs `run`, watched: if it has not settled after the limit, the process is killed with `label` on stderr. */
  watch<T>(label: string, run: () => Promise<T>): Promise<T>;
  stop(): Promise<void>;
}

/** Starts a watchdog that kills this process when one watched run takes over `limitMs`. */
export function startWatchdog(limitMs: number): Watchdog {
  /** When the watched run started (ms since the epoch), 0 when none runs. */
  const since = new BigInt64Array(new SharedArrayBuffer(8));
  const length = new Int32Array(new SharedArrayBuffer(4));
  const label = new Uint8Array(new SharedArrayBuffer(LABEL_BYTES));
  const worker = new Worker(WATCHDOG, { eval: true, workerData: { since: since.buffer, length: length.buffer, label: label.buffer, limitMs } });
  worker.unref();
  return {
    async watch(text, run) {
      const bytes = Buffer.from(text.slice(0, LABEL_BYTES / 4), "utf8");
      label.set(bytes.subarray(0, LABEL_BYTES));
      length[0] = Math.min(bytes.length, LABEL_BYTES);
      Atomics.store(since, 0, BigInt(Date.now()));
      try {
        return await run();
      } finally {
        Atomics.store(since, 0, 0n);
      }
    },
    async stop() {
      await worker.terminate();
    },
  };
}
