/**
 * Owns: loading each command's module on demand. The build swaps this file, for a command's own bundle,
 * for one that lists only that command (scripts/build.mjs), so the bundle holds no other command's code.
 */
import type { CommandModule } from "yargs";
import type { CliContext } from "../context.js";
import type { GlobalArgs } from "../globals.js";

// Each command module exports a factory taking the CliContext; the argument types are the module's own.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Factory = (ctx: CliContext) => CommandModule<GlobalArgs, any>;

export const LOADERS: Readonly<Record<string, () => Promise<Factory>>> = {
  encrypt: async () => (await import("./encrypt.js")).encryptCommand,
  decrypt: async () => (await import("./decrypt.js")).decryptCommand,
  keygen: async () => (await import("./keygen.js")).keygenCommand,
  filestatus: async () => (await import("./filestatus.js")).filestatusCommand,
  edit: async () => (await import("./edit.js")).editCommand,
  set: async () => (await import("./set.js")).setCommand,
  unset: async () => (await import("./unset.js")).unsetCommand,
  rotate: async () => (await import("./rotate.js")).rotateCommand,
  updatekeys: async () => (await import("./updatekeys.js")).updatekeysCommand,
  status: async () => (await import("./status.js")).statusCommand,
  guard: async () => (await import("./guard.js")).guardCommand,
  hook: async () => (await import("./hook.js")).hookCommand,
  exec: async () => (await import("./exec.js")).execCommand,
  "exec-env": async () => (await import("./exec-env.js")).execEnvCommand,
  "exec-file": async () => (await import("./exec-file.js")).execFileCommand,
  git: async () => (await import("./git.js")).gitCommand,
  merge: async () => (await import("./merge.js")).mergeCommand,
  revoke: async () => (await import("./revoke.js")).revokeCommand,
  doctor: async () => (await import("./doctor.js")).doctorCommand,
};
