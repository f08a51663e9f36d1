// Builds the CLI and the library with esbuild. The CLI is bundled into one CommonJS file because module
// resolution and compilation are most of a Node CLI's start-up: bin/secrets.js runs it with a V8 code
// cache made here (see scripts/train-code-cache.mjs). Cloud SDKs stay external and are loaded lazily.
// Outputs are written to a temp name and renamed, so a build never leaves a half-written file behind.
import { build } from "esbuild";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { spawnSync } from "node:child_process";

const external = ["@aws-sdk/*", "@smithy/*", "@google-cloud/*", "google-gax", "google-auth-library", "@azure/*", "simple-git", "openpgp"];
const { version } = JSON.parse(readFileSync("package.json", "utf8"));
const define = { __SEALFILE_VERSION__: JSON.stringify(version) };
const common = { define, bundle: true, platform: "node", target: "node20", external, logLevel: "warning", legalComments: "none", write: false };
// A CommonJS bundle has no import.meta; code that needs its own location gets it from __filename.
const cjs = { format: "cjs", define: { ...define, "import.meta.url": "__import_meta_url" },
  banner: { js: "const __import_meta_url = require('node:url').pathToFileURL(__filename).href;" } };
const esm = { format: "esm", banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" } };

await import("./gen-validators.mjs");

const results = await Promise.all([
  build({ ...common, ...cjs, entryPoints: ["src/cli/main.ts"], outfile: "dist/cli.cjs", minifySyntax: true }),
  build({ ...common, ...esm, entryPoints: ["src/index.ts"], outfile: "dist/index.js" }),
  build({ ...common, ...cjs, entryPoints: ["src/index.ts"], outfile: "dist/index.cjs" }),
  build({ ...common, ...esm, entryPoints: ["src/config-entry.ts"], outfile: "dist/config-entry.js" }),
  build({ ...common, ...cjs, entryPoints: ["src/config-entry.ts"], outfile: "dist/config-entry.cjs" }),
]);

// bin/secrets.js runs the CLI bundle as a vm script, where import() fails on Node 20: externals must be
// loaded with require (src/keys/_sdk.ts).
const cli = results[0].outputFiles[0];
if (/[^\w$.]import\(/.test(cli.text)) throw new Error("dist/cli.cjs contains import(); load external packages with require (see src/keys/_sdk.ts)");

for (const file of results.flatMap((r) => r.outputFiles)) {
  mkdirSync(dirname(file.path), { recursive: true });
  const tmp = `${file.path}.${process.pid}.tmp`;
  writeFileSync(tmp, file.contents);
  renameSync(tmp, file.path);
}

// A fresh bundle invalidates the old code cache; make a new one unless told not to.
rmSync("dist/cli.cjs.cache", { force: true });
if (!process.env.SEALFILE_NO_CODE_CACHE) {
  const r = spawnSync(process.execPath, ["scripts/train-code-cache.mjs"], { stdio: ["ignore", "ignore", "inherit"] });
  if (r.status !== 0) console.warn("warning: no code cache was made; the CLI works, it just starts slower");
}

if (process.argv.includes("--types") && existsSync("node_modules/typescript")) {
  const r = spawnSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.json"], { stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
