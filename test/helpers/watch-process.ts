/** Owns: watching a spawned test process — its output so far, waiting for a line, and its end. */
import type { ChildProcess } from "node:child_process";

export interface Watched {
  proc: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves once stdout contains `text`; rejects if the process ends first. */
  waitFor: (text: string) => Promise<void>;
  /** Resolves with the exit code, or the signal that killed it. */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function watchProcess(proc: ChildProcess, label: string): Watched {
  let out = "";
  let err = "";
  const waiters: Array<{ text: string; resolve: () => void }> = [];
  proc.stdout!.on("data", (d: Buffer) => {
    out += d.toString("utf8");
    for (const w of [...waiters]) if (out.includes(w.text)) w.resolve();
  });
  proc.stderr!.on("data", (d: Buffer) => (err += d.toString("utf8")));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on("close", (code, signal) => resolve({ code, signal })),
  );
  return {
    proc,
    stdout: () => out,
    stderr: () => err,
    waitFor: (text) =>
      new Promise<void>((resolve, reject) => {
        if (out.includes(text)) return resolve();
        waiters.push({ text, resolve });
        void done.then(() => (out.includes(text) ? resolve() : reject(new Error(`${label} ended before "${text}": ${err}`))));
      }),
    done,
  };
}
