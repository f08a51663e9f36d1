// Builds the CLI and the library with esbuild. The CLI core is bundled into one file because module
// resolution is most of a Node CLI's start-up; cloud SDKs stay external and are import()ed lazily.
import { build } from "esbuild";
import { existsSync, rmSync } from "node:fs";
import { spawnSync } from "node:child_process";

const external = ["@aws-sdk/*", "@smithy/*", "@google-cloud/*", "google-gax", "google-auth-library", "@azure/*", "simple-git"];
const { version } = JSON.parse((await import("node:fs")).readFileSync("package.json", "utf8"));
const common = { define: { __SEALFILE_VERSION__: JSON.stringify(version) }, bundle: true, platform: "node", target: "node20", external, logLevel: "warning", legalComments: "none" };
// A CommonJS bundle has no import.meta; the library only uses it to find its own files.
const cjsBanner = { js: "const __import_meta_url = require('node:url').pathToFileURL(__filename).href;" };

await import("./gen-validators.mjs");
rmSync("dist", { recursive: true, force: true });

await Promise.all([
  build({ ...common, entryPoints: { main: "src/cli/main.ts" }, outdir: "dist/cli", splitting: true, chunkNames: "chunks/[name]-[hash]", format: "esm", minifySyntax: true,
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" } }),
  build({ ...common, entryPoints: ["src/index.ts"], outfile: "dist/index.js", format: "esm",
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" } }),
  build({ ...common, entryPoints: ["src/index.ts"], outfile: "dist/index.cjs", format: "cjs",
    define: { ...common.define, "import.meta.url": "__import_meta_url" }, banner: cjsBanner }),
  build({ ...common, entryPoints: ["src/config-entry.ts"], outfile: "dist/config-entry.js", format: "esm",
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" } }),
  build({ ...common, entryPoints: ["src/config-entry.ts"], outfile: "dist/config-entry.cjs", format: "cjs",
    define: { ...common.define, "import.meta.url": "__import_meta_url" }, banner: cjsBanner }),
]);

if (process.argv.includes("--types") && existsSync("node_modules/typescript")) {
  const r = spawnSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.json"], { stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
