/** Test helper: bundles src/exec once per test file and starts children/runner.mjs with a job. */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { watchProcess, type Watched } from "../helpers/watch-process.js";

export const CHILDREN = fileURLToPath(new URL("./children/", import.meta.url));
export const child = (name: string): string => join(CHILDREN, name);
const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Bundles src/exec/index.ts to a temporary .mjs (call in beforeAll); returns its path and a disposer. */
export async function bundleExec(): Promise<{ bundle: string; dispose: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), "sealfile-exec-bundle-"));
  const bundle = join(dir, "exec.mjs");
  await build({
    entryPoints: [join(ROOT, "src/exec/index.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    outfile: bundle,
    logLevel: "silent",
    // Same as scripts/build.mjs: CommonJS dependencies (yaml, via src/formats) need a `require` in ESM.
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  return { bundle, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface RunnerJob {
  command: string[];
  shell?: boolean;
  secrets?: Record<string, string>;
  override?: boolean;
  pristine?: boolean;
  mask?: string[];
  cwd?: string;
  fileEnv?: { name: string; content: string; fifo: boolean; filename?: string; noChild?: "wait" | "exit" };
}

export type Started = Watched;

/**
 * Starts the runner in its own session (detached: no controlling terminal), so what it does with SIGINT
 * does not depend on whether the tests themselves run in a terminal.
 */
export function startRunner(bundle: string, job: RunnerJob, env: Record<string, string | undefined> = process.env): Started {
  const proc = spawn(process.execPath, [child("runner.mjs")], {
    env: { ...env, SEALFILE_EXEC_BUNDLE: bundle, SEALFILE_RUNNER_CONFIG: JSON.stringify(job) },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  return watchProcess(proc, "runner");
}

/** True while a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
