/**
 * Owns: the command names, usages and one-line descriptions: what routing and the top-level help need,
 * without any command's code.
 */

export interface CommandInfo {
  readonly name: string;
  readonly usage: string;
  readonly describe: string;
}

export const COMMAND_TABLE: readonly CommandInfo[] = [
  { name: "encrypt", usage: "encrypt [file]", describe: "encrypt a file's values (stdin when FILE is - or absent)" },
  { name: "decrypt", usage: "decrypt [file]", describe: "decrypt a file (stdin when FILE is - or absent)" },
  { name: "keygen", usage: "keygen", describe: "generate an age identity and print its recipient" },
  { name: "filestatus", usage: "filestatus <file>", describe: "tell whether a file is encrypted" },
  { name: "edit", usage: "edit <file>", describe: "edit an encrypted file in $SOPS_EDITOR/$EDITOR (creates it when missing)" },
  { name: "set", usage: "set <file> <path> [value]", describe: "set one value of an encrypted file (value as JSON, from stdin)" },
  { name: "unset", usage: "unset <file> <path>", describe: "remove one value from an encrypted file" },
  { name: "rotate", usage: "rotate [files..]", describe: "renew the data key of encrypted files (every value re-encrypted)" },
  { name: "updatekeys", usage: "updatekeys [files..]", describe: "make files' recipients match their .sops.yaml creation rule" },
  { name: "status", usage: "status [path]", describe: "show whether files are encrypted, their recipients current and their data keys fresh" },
  { name: "guard", usage: "guard [paths..]", describe: "block plaintext secrets before they reach git (staged files by default)" },
  { name: "hook", usage: "hook <command>", describe: "manage the git pre-commit hook that runs the guard" },
  { name: "exec", usage: "exec [command..]", describe: "run a command with decrypted secrets in its environment" },
  { name: "exec-env", usage: "exec-env <file> <command>", describe: "run `sh -c COMMAND` with FILE's values in its environment (sops's exec-env)" },
  { name: "exec-file", usage: "exec-file <file> <command>", describe: "run `sh -c COMMAND` with {} replaced by the path of FILE decrypted (sops's exec-file)" },
  { name: "git", usage: "git <command>", describe: "git integration: plaintext diffs and conflict-free merges of encrypted files" },
  { name: "merge", usage: "merge --resolve <file>", describe: "resolve an encrypted file that `git merge` left in conflict" },
  { name: "revoke", usage: "revoke <target>", describe: "remove a person's or machine's key from .sops.yaml and every file, renewing data keys" },
  { name: "doctor", usage: "doctor [file]", describe: "explain which config, identities and credentials are in effect, and why a file does or does not open" },
];

/** The command named in argv (the first word that is a command name, before any `--`), if any. */
export function findCommandName(argv: readonly string[]): string | undefined {
  for (const word of argv) {
    if (word === "--") return undefined;
    if (COMMAND_TABLE.some((c) => c.name === word)) return word;
  }
  return undefined;
}
