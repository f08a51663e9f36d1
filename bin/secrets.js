#!/usr/bin/env node
// The `secrets` command: a thin launcher for the bundled CLI (built by `npm ci`/`npm run build`).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const cli = new URL("../dist/cli/main.js", import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write("secrets: the CLI is not built yet; run `npm run build` in the sealfile folder\n");
  process.exitCode = 1;
} else {
  await import(cli.href);
}
