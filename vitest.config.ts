import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/fixtures/**", "node_modules/**"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    // One file more than there are cores: several files spend seconds waiting (KMS timeouts, kill -9, locks),
    // and vitest's default (cores - 1) runs one file at a time on a 2-core machine.
    maxWorkers: availableParallelism() + 1,
    // A worker runs file after file in one process, so each file does not pay for a fresh process and for
    // importing src/ again (about a fifth of the suite's CPU). Files restore what they change in
    // process.env; CLI runs get their own environment, folder and streams (test/helpers/cli.ts).
    isolate: false,
    globalSetup: ["test/global-setup.ts"],
  },
});
