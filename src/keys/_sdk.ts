/**
 * Owns: loading a cloud SDK package (or OpenPGP.js) the first time a key source needs it, so nothing of the SDKs is read at start-up.
 *
 * The SDKs are loaded with a CommonJS `require` (all of them ship CommonJS builds) rather than `import()`: the CLI
 * bundle runs inside `vm.Script` with a V8 code cache, where Node 20 refuses a dynamic `import()` coming from cached
 * code (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING); `require` works there, in the ESM and CJS library builds, and under
 * vitest, and it skips the ESM loader's extra work for CommonJS packages.
 */
import { createRequire } from "node:module";
import { StepFailure } from "./_entry.js";

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

/** The package a key source needs, when `npm install --omit=optional` left it out (google-gax comes with @google-cloud/kms). */
const INSTALL_NAME: Record<keyof Sdks, string> = {
  "@aws-sdk/client-kms": "@aws-sdk/client-kms",
  "@aws-sdk/client-sts": "@aws-sdk/client-sts",
  "@google-cloud/kms": "@google-cloud/kms",
  "google-gax": "@google-cloud/kms",
  "@azure/keyvault-keys": "@azure/keyvault-keys",
  "@azure/identity": "@azure/identity",
  openpgp: "openpgp",
};

/** True when `e` says that `name` itself cannot be found (not some module inside it). */
function isMissing(e: unknown, name: string): boolean {
  const { code, message } = (e ?? {}) as { code?: unknown; message?: unknown };
  return code === "MODULE_NOT_FOUND" && typeof message === "string" && message.startsWith(`Cannot find module '${name}'`);
}

/**
 * Loads `name` (once; Node caches it). Rejects, rather than throws, when the package is missing, so callers report
 * it like any other failed step; a package left out of a lean install (the SDKs are optional dependencies) is
 * named with the command that installs it.
 */
export function loadSdk<K extends keyof Sdks>(name: K): Promise<Sdks[K]> {
  return new Promise((resolve) => {
    requireFromHere ??= createRequire(import.meta.url);
    const id: string = name; // a non-literal id, so bundlers leave the package external
    try {
      resolve(requireFromHere(id) as Sdks[K]);
    } catch (e) {
      if (!isMissing(e, id)) throw e;
      const pkg = INSTALL_NAME[name];
      throw new StepFailure(`the package ${pkg} is not installed (the cloud SDKs and OpenPGP.js are optional dependencies); install it with \`npm install ${pkg}\``);
    }
  });
}
