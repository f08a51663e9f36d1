/**
 * Owns: the options every command accepts (`--verbose`, `--debug`), and the ones several commands share
 * (`--config`, `--decryption-order`, `--indent`), which each command declares only where it reads them.
 */
import type { Options } from "yargs";

export interface GlobalArgs {
  config?: string | undefined;
  "decryption-order"?: string | undefined;
  indent?: number | undefined;
  verbose?: boolean | undefined;
  debug?: boolean | undefined;
}

/** Accepted by every command. */
export const globalOptions = {
  verbose: { type: "boolean", describe: "say more on stderr", global: true },
  debug: { type: "boolean", describe: "print stack traces of internal errors", global: true },
} as const satisfies Record<string, Options>;

/** Accepted by the commands that read them: a command lists these in its own builder. */
export const sharedOptions = {
  config: { type: "string", describe: "path to .sops.yaml (env SOPS_CONFIG; default: looked up from the file's folder, then the working directory)" },
  "decryption-order": { type: "string", describe: "order in which key types are tried (env SOPS_DECRYPTION_ORDER; default age, pgp, kms, gcp_kms, azure_kv, hc_vault)" },
  indent: { type: "number", describe: "indentation for YAML/JSON output" },
} as const satisfies Record<string, Options>;

type Shared = typeof sharedOptions;

/** The shared options named in `names`, for a command's `.options(...)`. */
export function shared<K extends keyof Shared>(...names: K[]): Pick<Shared, K> {
  return Object.fromEntries(names.map((n) => [n, sharedOptions[n]])) as Pick<Shared, K>;
}
