/** Owns: the options every command accepts. */
import type { Options } from "yargs";

export interface GlobalArgs {
  config?: string | undefined;
  "decryption-order"?: string | undefined;
  indent?: number | undefined;
  verbose?: boolean | undefined;
  debug?: boolean | undefined;
}

export const globalOptions = {
  config: { type: "string", describe: "path to .sops.yaml (env SOPS_CONFIG; default: looked up from the file's folder, then the working directory)", global: true },
  "decryption-order": { type: "string", describe: "order in which key types are tried (env SOPS_DECRYPTION_ORDER; default age,pgp,kms,gcp_kms,azure_kv)", global: true },
  indent: { type: "number", describe: "indentation for YAML/JSON output", global: true },
  verbose: { type: "boolean", describe: "say more on stderr", global: true },
  debug: { type: "boolean", describe: "print stack traces of internal errors", global: true },
} as const satisfies Record<string, Options>;
