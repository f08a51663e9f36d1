// Owns: recording every module a Node process loads, for tests and benches that prove something was NOT loaded.
// Use: NODE_OPTIONS=--import=<this file> SEALFILE_MODULE_TRACE=<out file> node … — at exit, <out file> holds one
// resolved path or URL per line: CommonJS loads (Module._resolveFilename) and ESM resolutions (a resolve hook).
import { appendFileSync, writeFileSync } from "node:fs";
import Module, { register } from "node:module";
import { isMainThread } from "node:worker_threads";

const out = process.env.SEALFILE_MODULE_TRACE;
// The hooks thread also runs --import files; only the main thread installs the trace.
if (out && isMainThread) {
  writeFileSync(out, "");
  const seen = new Set();
  const original = Module._resolveFilename;
  Module._resolveFilename = function (request, ...rest) {
    const resolved = original.call(this, request, ...rest);
    seen.add(resolved);
    return resolved;
  };
  // ESM resolutions are recorded by the hook thread itself, straight into the file.
  const hook = [
    'import { appendFileSync } from "node:fs";',
    "export async function resolve(specifier, context, next) {",
    "  const r = await next(specifier, context);",
    `  appendFileSync(${JSON.stringify(out)}, r.url + "\\n");`,
    "  return r;",
    "}",
  ].join("\n");
  register(`data:text/javascript,${encodeURIComponent(hook)}`);
  process.on("exit", () => {
    // Key sources bundled into dist/cli.cjs record themselves (src/keys/_loaded.ts): `sealfile:key-source:NAME`.
    const keySources = globalThis[Symbol.for("sealfile.loadedKeySources")] ?? new Set();
    appendFileSync(out, [...seen, ...[...keySources].map((k) => `sealfile:key-source:${k}`)].map((p) => `${p}\n`).join(""));
  });
}
