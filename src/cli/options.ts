/** Owns: flags shared by several commands, declared once. */
import type { Options } from "yargs";
import { chooseFormat } from "../formats/index.js";
import type { StoreOptions } from "../formats/index.js";
import type { SopsConfig } from "../config.js";
import type { FormatName } from "../formats/index.js";

export const typeOptions = {
  "input-type": { type: "string", describe: "input format: yaml, json, dotenv, ini, toml, binary (default: by extension)" },
  "output-type": { type: "string", describe: "output format (default: the input format)" },
  "filename-override": { type: "string", describe: "path used to pick the format and the creation rule (for stdin)" },
} as const satisfies Record<string, Options>;

export const keyFlagOptions = {
  age: { alias: "a", type: "string", describe: "age recipients, comma separated (env SOPS_AGE_RECIPIENTS)" },
  kms: { alias: "k", type: "string", describe: "AWS KMS key ARNs (arn[+role]), comma separated (env SOPS_KMS_ARN)" },
  "gcp-kms": { type: "string", describe: "GCP KMS resource ids, comma separated (env SOPS_GCP_KMS_IDS)" },
  "azure-kv": { type: "string", describe: "Azure Key Vault key URLs, comma separated (env SOPS_AZURE_KEYVAULT_URLS)" },
  pgp: { alias: "p", type: "string", describe: "PGP fingerprints, comma separated (env SOPS_PGP_FP)" },
  "hc-vault-transit": { type: "string", describe: "HashiCorp Vault transit key URIs, comma separated (env SOPS_VAULT_URIS)" },
  "encryption-context": { type: "string", describe: "AWS KMS encryption context, k1:v1,k2:v2" },
  "aws-profile": { type: "string", describe: "AWS profile for the KMS keys" },
  "shamir-secret-sharing-threshold": { type: "number", describe: "key groups needed to decrypt" },
} as const satisfies Record<string, Options>;

export const cryptRuleOptions = {
  "unencrypted-suffix": { type: "string", describe: "keys ending with this stay in clear (default _unencrypted)" },
  "encrypted-suffix": { type: "string", describe: "only keys ending with this are encrypted" },
  "unencrypted-regex": { type: "string", describe: "keys matching this stay in clear" },
  "encrypted-regex": { type: "string", describe: "only keys matching this are encrypted" },
  "unencrypted-comment-regex": { type: "string", describe: "values after a comment matching this stay in clear" },
  "encrypted-comment-regex": { type: "string", describe: "only values after a comment matching this are encrypted" },
  "mac-only-encrypted": { type: "boolean", describe: "compute the MAC over encrypted values only" },
} as const satisfies Record<string, Options>;

export const dotenvGrammarOption = {
  "dotenv-grammar": { type: "string", choices: ["dotenv", "sops"], describe: "grammar of plaintext .env files: dotenv (quotes, export, comments; default) or sops (raw KEY=VALUE lines)" },
} as const satisfies Record<string, Options>;

/** `opts` with the `--dotenv-grammar` choice added when given. */
export function withDotenvGrammar(opts: StoreOptions, grammar: string | undefined): StoreOptions {
  return grammar === "sops" || grammar === "dotenv" ? { ...opts, dotenvGrammar: grammar } : opts;
}

export interface TypeArgs {
  "input-type"?: string | undefined;
  "output-type"?: string | undefined;
  "filename-override"?: string | undefined;
}

/** Input and output formats for a command (the filename override stands in for stdin's missing name). */
export function formatsFor(args: TypeArgs, file: string | undefined): { input: FormatName; output: FormatName; name: string | undefined } {
  const name = args["filename-override"] ?? (file === "-" || file === "" ? undefined : file);
  const input = chooseFormat(args["input-type"], name);
  const output = args["output-type"] ? chooseFormat(args["output-type"], name) : input;
  return { input, output, name };
}

/** Store options from `--indent` and the config's `stores:` section. */
export function storeOptionsFor(format: FormatName, indent: number | undefined, config: SopsConfig | undefined): StoreOptions {
  const fromConfig = format === "yaml" ? config?.stores.yamlIndent : format === "json" ? config?.stores.jsonIndent : format === "binary" ? config?.stores.jsonBinaryIndent : undefined;
  const i = indent ?? fromConfig;
  return i === undefined ? {} : { indent: i };
}
