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
