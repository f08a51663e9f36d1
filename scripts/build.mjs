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
// A CommonJS bundle has no import.meta; code that needs its own location gets it from __filename, when it
// asks (building the URL costs a start-up some tenths of a millisecond, and most runs never ask).
const cjs = { format: "cjs", define: { ...define, "import.meta.url": "__import_meta.url" },
  banner: { js: "const __import_meta = { get url() { return require('node:url').pathToFileURL(__filename).href; } };" } };
const esm = { format: "esm", banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" } };

await import("./gen-validators.mjs");

// The common commands get bundles of their own, each holding only that command's code (bin/secrets.js picks
// one with dist/route.cjs); every other command line runs the full dist/cli.cjs.
const OWN_BUNDLES = ["decrypt", "exec", "git", "guard"];
const loadersFile = /src[\\/]cli[\\/]commands[\\/]loaders\.ts$/;
/** Swaps src/cli/commands/loaders.ts for a copy that lists only `command`. */
const onlyCommand = (command) => ({
  name: `only-${command}`,
  setup(b) {
    b.onLoad({ filter: loadersFile }, (args) => {
      const lines = readFileSync(args.path, "utf8").split("\n");
      const kept = lines.filter((l) => !/^  ["\w-]+: async/.test(l) || l.startsWith(`  ${command}: `) || l.startsWith(`  "${command}": `));
      if (kept.length !== lines.length - (lines.filter((l) => /^  ["\w-]+: async/.test(l)).length - 1)) throw new Error(`no loader for ${command} in ${args.path}`);
      return { contents: kept.join("\n"), loader: "ts", resolveDir: dirname(args.path) };
    });
  },
});
// age-encryption (with its post-quantum and curve code) is a chunk of its own, dist/vendor/age.cjs, required only
// when a file needs more than the plain X25519 path of src/keys/_age-x25519.ts: the CLI bundles stay small.
const ageChunk = {
  name: "age-chunk",
  setup(b) {
    b.onResolve({ filter: /^age-encryption$/ }, () => ({ path: "./vendor/age.cjs", external: true }));
  },
};
// In the common commands' own bundles, the libraries that only unusual files need (the yaml package, for YAML
// the fast reader does not read; TOML; the SSH keys' curves; noble's AES and ChaCha) are chunks of their own
// too: every start reads the whole bundle, and these are a third of it. The full CLI (encrypt, edit, …) keeps
// them inside.
const RARE_LIBRARIES = {
  yaml: "yaml",
  "smol-toml": "smol-toml",
  "@noble/curves/ed25519.js": "curves",
  "@noble/ciphers/aes.js": "noble-aes",
  "@noble/ciphers/chacha.js": "noble-chacha",
};
const rareChunks = {
  name: "rare-chunks",
  setup(b) {
    for (const [name, chunk] of Object.entries(RARE_LIBRARIES)) {
      b.onResolve({ filter: new RegExp(`^${name.replace(/[./]/g, "\\$&")}$`) }, () => ({ path: `./vendor/${chunk}.cjs`, external: true }));
    }
  },
};
// A `*.lazy.ts` module hands out another module through a function (`import * as m from "X"; export const f
// = (): typeof m => m;`). In the CLI bundles it becomes `export const f = () => require("X")`: X stays in the
// bundle but is run (and compiled) only on the first call, and the code cache, trained on the common case,
// does not carry it. The library builds keep the plain import.
const lazyAccessor = /^import \* as (\w+) from ("[^"]+");\n+export const (\w+) = \(\): typeof \1 => \1;$/m;
const lazyModules = {
  name: "lazy-modules",
  setup(b) {
    b.onLoad({ filter: /\.lazy\.ts$/ }, (args) => {
      const m = lazyAccessor.exec(readFileSync(args.path, "utf8"));
      if (!m) throw new Error(`${args.path} is not of the form \`import * as m from "X"; export const f = (): typeof m => m;\``);
      return { contents: `export const ${m[3]} = () => require(${m[2]});\n`, loader: "js", resolveDir: dirname(args.path) };
    });
  },
};
// The CLI bundles are written already wrapped as CommonJS module functions, so bin/secrets.js compiles the
// file's text as it is: wrapping it at run time (Module.wrap) makes V8 copy the whole text once more.
const cliBuild = { ...common, ...cjs, entryPoints: ["src/cli/main.ts"], minify: true, supported: { "dynamic-import": false },
  banner: { js: `(function (exports, require, module, __filename, __dirname) {${cjs.banner.js}` }, footer: { js: "\n})" } };

const results = await Promise.all([
  build({ ...cliBuild, outfile: "dist/cli.cjs", plugins: [ageChunk, lazyModules] }),
  ...OWN_BUNDLES.map((c) => build({ ...cliBuild, outfile: `dist/cli-${c}.cjs`, plugins: [onlyCommand(c), ageChunk, rareChunks, lazyModules] })),
  build({ ...common, ...cjs, stdin: { contents: 'export * from "age-encryption";', resolveDir: ".", loader: "js" }, outfile: "dist/vendor/age.cjs", minify: true }),
  ...Object.entries(RARE_LIBRARIES).map(([name, chunk]) =>
    build({ ...common, ...cjs, stdin: { contents: `export * from ${JSON.stringify(name)};`, resolveDir: ".", loader: "js" }, outfile: `dist/vendor/${chunk}.cjs`, minify: true })),
  build({ ...common, ...cjs, entryPoints: ["src/cli/route.ts"], outfile: "dist/route.cjs", minifySyntax: true }),
  build({ ...common, ...esm, entryPoints: ["src/index.ts"], outfile: "dist/index.js" }),
  build({ ...common, ...cjs, entryPoints: ["src/index.ts"], outfile: "dist/index.cjs" }),
  build({ ...common, ...esm, entryPoints: ["src/config-entry.ts"], outfile: "dist/config-entry.js" }),
  build({ ...common, ...cjs, entryPoints: ["src/config-entry.ts"], outfile: "dist/config-entry.cjs" }),
]);

// bin/secrets.js runs the CLI bundle as a vm script, where import() fails on Node 20: externals must be
// loaded with require (src/keys/_sdk.ts).
for (const cli of results.slice(0, 1 + OWN_BUNDLES.length).map((r) => r.outputFiles[0])) {
  // bin/secrets.js reads the bundles as latin1, which equals UTF-8 only for ASCII text (esbuild escapes the rest).
  if (/[^\x00-\x7f]/.test(cli.text)) throw new Error(`${cli.path} is not ASCII`);
  if (/[^\w$.]import\(/.test(cli.text)) throw new Error(`${cli.path} contains import(); load external packages with require (see src/keys/_sdk.ts)`);
}

for (const file of results.flatMap((r) => r.outputFiles)) {
  mkdirSync(dirname(file.path), { recursive: true });
  const tmp = `${file.path}.${process.pid}.tmp`;
  writeFileSync(tmp, file.contents);
  renameSync(tmp, file.path);
}

// A fresh bundle invalidates the old code caches; make new ones unless told not to.
for (const f of ["dist/cli.cjs", ...OWN_BUNDLES.map((c) => `dist/cli-${c}.cjs`)]) rmSync(`${f}.cache`, { force: true });
if (!process.env.SEALFILE_NO_CODE_CACHE) {
  const r = spawnSync(process.execPath, ["scripts/train-code-cache.mjs"], { stdio: ["ignore", "ignore", "inherit"] });
  if (r.status !== 0) console.warn("warning: no code cache was made; the CLI works, it just starts slower");
}

if (process.argv.includes("--types") && existsSync("node_modules/typescript")) {
  const r = spawnSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.json"], { stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
