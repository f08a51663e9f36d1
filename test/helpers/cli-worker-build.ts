/**
 * Owns: bundling test/helpers/cli-worker.ts from the sources with esbuild, with the CLI bundle's settings
 * (scripts/build.mjs), once per test run (vitest globalSetup, test/global-setup.ts).
 */
import { build } from "esbuild";
import { mkdirSync, readFileSync, renameSync } from "node:fs";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");
// Under the checkout itself, not node_modules: git worktrees share one node_modules, and each must test its own code.
export const WORKER_BUNDLE = join(ROOT, ".test-cache/cli-worker.cjs");
const EXTERNAL = ["@aws-sdk/*", "@smithy/*", "@google-cloud/*", "google-gax", "google-auth-library", "@azure/*", "simple-git", "openpgp"];

export async function buildCliWorker(): Promise<void> {
  const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
  const define = { __SEALFILE_VERSION__: JSON.stringify(version), "import.meta.url": "__import_meta_url" };
  mkdirSync(join(WORKER_BUNDLE, ".."), { recursive: true });
  const tmp = `${WORKER_BUNDLE}.${process.pid}.tmp`;
  await build({
    entryPoints: [join(ROOT, "test/helpers/cli-worker.ts")],
    outfile: tmp,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    external: EXTERNAL,
    define,
    banner: { js: `const __import_meta_url = require('node:url').pathToFileURL(${JSON.stringify(join(ROOT, "dist/cli.cjs"))}).href;` },
    logLevel: "warning",
  });
  renameSync(tmp, WORKER_BUNDLE);
}
