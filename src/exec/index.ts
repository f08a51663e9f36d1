/** Owns: the public face of src/exec — from a decrypted tree to a running child process. */
export { treeToEnv, mergeEnvs, type EnvSourceFormat, type TreeToEnvOptions } from "./env-map.js";
export { buildChildEnv, isKeyEnvName, KEY_ENV_NAMES, type ChildEnvOptions } from "./child-env.js";
export { runChild, FORWARDED_SIGNALS, type RunChildOptions, type MaskedStdio } from "./run-child.js";
export { createMaskStream, maskBytes, MASK_RULE, MIN_MASK_LENGTH, worthMasking } from "./mask.js";
export { withSecretFile, type SecretFileSpec } from "./file-env.js";
