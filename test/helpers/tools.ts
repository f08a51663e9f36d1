/**
 * Owns: which external interop tools this machine has (`age`, `age-keygen`, `gpg`, `python3`), and the visible
 * note a test file prints when it skips tests for a missing one. CI installs them (.ci/run); a fresh machine
 * with only Node and git runs the rest of the suite.
 */
import { spawnSync } from "node:child_process";

function runs(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { stdio: "ignore" });
  return r.error === undefined && r.status === 0;
}

export const hasAge = runs("age", ["--version"]) && runs("age-keygen", ["--version"]);
export const hasGpg = runs("gpg", ["--version"]);
export const hasPython = runs("python3", ["--version"]);

/** Prints one line naming what is skipped and why, so a skip is never silent. */
export function noteMissing(tool: string, present: boolean, what: string): void {
  if (!present) process.stderr.write(`note: \`${tool}\` is not in PATH; skipping ${what} (CI installs it: .ci/run)\n`);
}
