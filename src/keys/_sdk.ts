/**
 * Owns: loading a cloud SDK package (or OpenPGP.js) the first time a key source needs it, so nothing of the SDKs is read at start-up.
 *
 * The SDKs are loaded with a CommonJS `require` (all of them ship CommonJS builds) rather than `import()`: the CLI
 * bundle runs inside `vm.Script` with a V8 code cache, where Node 20 refuses a dynamic `import()` coming from cached
 * code (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING); `require` works there, in the ESM and CJS library builds, and under
 * vitest, and it skips the ESM loader's extra work for CommonJS packages.
 */
import { createRequire } from "node:module";

/** The packages key sources may load, with their types. */
interface Sdks {
  "@aws-sdk/client-kms": typeof import("@aws-sdk/client-kms");
  "@aws-sdk/client-sts": typeof import("@aws-sdk/client-sts");
  "@google-cloud/kms": typeof import("@google-cloud/kms");
  "google-gax": typeof import("google-gax");
  "@azure/keyvault-keys": typeof import("@azure/keyvault-keys");
  "@azure/identity": typeof import("@azure/identity");
  openpgp: typeof import("openpgp");
}

let requireFromHere: NodeJS.Require | undefined;

/**
 * Loads `name` (once; Node caches it). Rejects, rather than throws, when the package is missing, so callers report
 * it like any other failed step.
 */
export function loadSdk<K extends keyof Sdks>(name: K): Promise<Sdks[K]> {
  return new Promise((resolve) => {
    requireFromHere ??= createRequire(import.meta.url);
    const id: string = name; // a non-literal id, so bundlers leave the package external
    resolve(requireFromHere(id) as Sdks[K]);
  });
}
