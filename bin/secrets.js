#!/usr/bin/env node
// The `secrets` command: runs the bundled CLI (dist/cli.cjs, built by `npm ci`/`npm run build`).
// It compiles the bundle with the V8 code cache made at build time, which saves most of the
// compile time of a ~1 MB bundle on every start; without a usable cache it simply compiles as usual.
import { readFileSync, writeFileSync, renameSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";

const file = fileURLToPath(new URL("../dist/cli.cjs", import.meta.url));
const cacheFile = `${file}.cache`;

let source;
try {
  source = readFileSync(file, "utf8");
} catch {
  process.stderr.write("secrets: the CLI is not built yet; run `npm run build` in the sealfile folder\n");
  process.exit(1);
}
let cachedData;
try {
  cachedData = readFileSync(cacheFile);
} catch {
  // no cache yet
}

// The bundle must not use import(): vm scripts cannot run it on Node 20 (scripts/build.mjs checks).
const script = new vm.Script(Module.wrap(source), { filename: file, ...(cachedData ? { cachedData } : {}) });

// Build-time training run (scripts/train-code-cache.mjs): save the cache once the command has run, so
// it covers the functions a typical command compiles, not only the top level.
if (process.env.SEALFILE_CODE_CACHE_OUT) {
  const out = process.env.SEALFILE_CODE_CACHE_OUT;
  process.once("beforeExit", () => {
    const tmp = `${out}.${process.pid}.tmp`;
    writeFileSync(tmp, script.createCachedData());
    renameSync(tmp, out);
  });
}

const module = { exports: {} };
script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
