/**
 * Owns: the list of commands. Each command's module is imported only when that command runs, so
 * `secrets decrypt` never loads the code (and the dependencies) of `guard`, `exec` or the cloud SDKs.
 */
import { COMMAND_TABLE, type CommandInfo } from "./table.js";
import { LOADERS, type Factory } from "./loaders.js";

export interface CommandEntry extends CommandInfo {
  readonly load: () => Promise<Factory>;
}

/** A command whose code is not in this bundle; bin/secrets.js routes with the same rule, so this is a build bug. */
function notBundled(name: string): () => Promise<Factory> {
  return () => Promise.reject(new Error(`the code of ${name} is not in this bundle`));
}

export const COMMANDS: readonly CommandEntry[] = COMMAND_TABLE.map((c) => ({ ...c, load: LOADERS[c.name] ?? notBundled(c.name) }));

