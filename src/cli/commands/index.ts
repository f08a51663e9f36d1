/**
 * Owns: the list of commands. Each command's module is imported only when that command runs, so
 * `secrets decrypt` never loads the code (and the dependencies) of `guard`, `exec` or the cloud SDKs.
 */
import type { CommandModule } from "yargs";
import type { CliContext } from "../context.js";
import type { GlobalArgs } from "../globals.js";

// Each command module exports a factory taking the CliContext; the argument types are the module's own.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Factory = (ctx: CliContext) => CommandModule<GlobalArgs, any>;

export interface CommandEntry {
  readonly name: string;
  readonly usage: string;
  readonly describe: string;
  readonly load: () => Promise<Factory>;
}

export const COMMANDS: readonly CommandEntry[] = [
  { name: "encrypt", usage: "encrypt [file]", describe: "encrypt a file's values (stdin when FILE is - or absent)", load: async () => (await import("./encrypt.js")).encryptCommand },
  { name: "decrypt", usage: "decrypt [file]", describe: "decrypt a file (stdin when FILE is - or absent)", load: async () => (await import("./decrypt.js")).decryptCommand },
  { name: "keygen", usage: "keygen", describe: "generate an age identity and print its recipient", load: async () => (await import("./keygen.js")).keygenCommand },
  { name: "filestatus", usage: "filestatus <file>", describe: "tell whether a file is encrypted", load: async () => (await import("./filestatus.js")).filestatusCommand },
  { name: "edit", usage: "edit <file>", describe: "edit an encrypted file in $SOPS_EDITOR/$EDITOR (creates it when missing)", load: async () => (await import("./edit.js")).editCommand },
  { name: "set", usage: "set <file> <path> [value]", describe: "set one value of an encrypted file (value as JSON, from stdin)", load: async () => (await import("./set.js")).setCommand },
  { name: "unset", usage: "unset <file> <path>", describe: "remove one value from an encrypted file", load: async () => (await import("./unset.js")).unsetCommand },
  { name: "rotate", usage: "rotate [files..]", describe: "renew the data key of encrypted files (every value re-encrypted)", load: async () => (await import("./rotate.js")).rotateCommand },
  { name: "updatekeys", usage: "updatekeys [files..]", describe: "make files' recipients match their .sops.yaml creation rule", load: async () => (await import("./updatekeys.js")).updatekeysCommand },
  { name: "status", usage: "status [path]", describe: "show whether files are encrypted, their recipients current and their data keys fresh", load: async () => (await import("./status.js")).statusCommand },
  { name: "guard", usage: "guard [paths..]", describe: "block plaintext secrets before they reach git (staged files by default)", load: async () => (await import("./guard.js")).guardCommand },
  { name: "hook", usage: "hook <command>", describe: "manage the git pre-commit hook that runs the guard", load: async () => (await import("./hook.js")).hookCommand },
  { name: "exec", usage: "exec [command..]", describe: "run a command with decrypted secrets in its environment", load: async () => (await import("./exec.js")).execCommand },
  { name: "exec-env", usage: "exec-env <file> <command>", describe: "run `sh -c COMMAND` with FILE's values in its environment (sops's exec-env)", load: async () => (await import("./exec-env.js")).execEnvCommand },
  { name: "exec-file", usage: "exec-file <file> <command>", describe: "run `sh -c COMMAND` with {} replaced by the path of FILE decrypted (sops's exec-file)", load: async () => (await import("./exec-file.js")).execFileCommand },
  { name: "git", usage: "git <command>", describe: "git integration: plaintext diffs and conflict-free merges of encrypted files", load: async () => (await import("./git.js")).gitCommand },
  { name: "merge", usage: "merge --resolve <file>", describe: "resolve an encrypted file that `git merge` left in conflict", load: async () => (await import("./merge.js")).mergeCommand },
  { name: "revoke", usage: "revoke <target>", describe: "remove a person's or machine's key from .sops.yaml and every file, renewing data keys", load: async () => (await import("./revoke.js")).revokeCommand },
  { name: "doctor", usage: "doctor [file]", describe: "explain which config, identities and credentials are in effect, and why a file does or does not open", load: async () => (await import("./doctor.js")).doctorCommand },
];

/** The command named in argv (the first word that is a command name), if any. */
export function findCommand(argv: readonly string[]): CommandEntry | undefined {
  for (const word of argv) {
    if (word === "--") return undefined;
    const entry = COMMANDS.find((c) => c.name === word);
    if (entry) return entry;
  }
  return undefined;
}
