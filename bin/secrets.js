#!/usr/bin/env node
// The `secrets` command. The common commands have a bundle of their own (dist/cli-decrypt.cjs, …) holding only
// their code; every other line runs dist/cli.cjs. A line that starts with a command's name runs that command;
// for any other, dist/route.cjs names the command it runs (sops's -d/-e forms, `help CMD`, global flags first).
// A bundle is compiled with the V8 code cache made at build time (scripts/train-code-cache.mjs), which saves
// most of its compile time; without a usable cache it simply compiles as usual.
// It is CommonJS (bin/package.json): Node's ESM loader would cost a few milliseconds on every start.
"use strict";
const { readFileSync, writeFileSync, renameSync } = require("node:fs");
const Module = require("node:module");
const { dirname, join } = require("node:path");
const vm = require("node:vm");

const dist = join(__dirname, "..", "dist") + "/";
const args = process.argv.slice(2);

function route() {
  try {
    return require(`${dist}route.cjs`);
  } catch {
    process.stderr.write("secrets: the CLI is not built yet; run `npm run build` in the sealfile folder\n");
    process.exit(1);
  }
}

if (args.length === 1 && args[0] === "--version") {
  process.stdout.write(`${route().VERSION}\n`);
} else if (/^[a-z]+$/.test(args[0] ?? "")) {
  // A command line that starts with a command's name runs that command (route.cjs would say the same), so
  // the common case needs no routing: a word without a bundle of its own falls back to the full CLI.
  run(args[0]);
} else {
  run(route().commandOf(args));
}

/** Reads the bundle for `command` (its own, else the full CLI) and the code cache made for it. */
function bundleFor(command) {
  for (const file of command === undefined ? [`${dist}cli.cjs`] : [`${dist}cli-${command}.cjs`, `${dist}cli.cjs`]) {
    let source;
    try {
      // The bundles are ASCII (scripts/build.mjs checks), and latin1 skips UTF-8 decoding.
      source = readFileSync(file, "latin1");
    } catch {
      continue;
    }
    let cachedData;
    try {
      cachedData = readFileSync(`${file}.cache`);
    } catch {
      // no cache yet
    }
    return { file, source, cachedData };
  }
  process.stderr.write("secrets: the CLI is not built yet; run `npm run build` in the sealfile folder\n");
  process.exit(1);
}

function run(command) {
  const { file, source, cachedData } = bundleFor(command);
  // The bundle must not use import(): vm scripts cannot run it on Node 20 (scripts/build.mjs checks).
  // The bundle's text is already a CommonJS module function (scripts/build.mjs).
  const script = new vm.Script(source, { filename: file, ...(cachedData ? { cachedData } : {}) });

  // Build-time training run (scripts/train-code-cache.mjs): save the cache once the command has run, so
  // it covers the functions a typical command compiles, not only the top level.
  const out = process.env.SEALFILE_CODE_CACHE_OUT;
  if (out) {
    process.once("exit", () => {
      const tmp = `${out}.${process.pid}.tmp`;
      writeFileSync(tmp, script.createCachedData());
      renameSync(tmp, out);
    });
  }

  const module = { exports: {} };
  script.runInThisContext()(module.exports, Module.createRequire(file), module, file, dirname(file));
}
