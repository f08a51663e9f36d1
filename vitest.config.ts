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
    globalSetup: ["test/global-setup.ts"],
  },
});
