/** Owns: `secrets encrypt` — plaintext file (or stdin) → encrypted file for the chosen recipients. */
import type { Argv, CommandModule } from "yargs";
import { SealError, isSealError } from "../../errors.js";
import { loadConfig, recipientNames } from "../../config.js";
import { CRYPT_RULE_KINDS, DEFAULT_CRYPT_RULE, type CryptRule } from "../../metadata.js";
import { keyFromSpec, parseDecryptionOrder } from "../../keys/registry.js";
import { parseEncryptionContext } from "../../keys/aws-kms.js";
import { chooseRecipients, type RecipientChoice } from "../../ops/recipients.js";
import { readInput } from "../../ops/read-input.js";
import { wipe } from "../../crypto/wipe.js";
import { encryptClearValues, sealPlainBytes } from "../../ops/sealed-file.js";
import { resolve } from "node:path";
import { writeFileAtomic } from "../../io/atomic-write.js";
import { compileUserRegex } from "../../user-regex.js";
import { makeKeyContext } from "../../ops/key-context.js";
import { findSealedVersion, resealFromVersion, type ReuseOptions } from "../../ops/reuse.js";
import { warn, type CliContext } from "../context.js";
import { cryptRuleOptions, dotenvGrammarOption, formatsFor, keyFlagOptions, storeOptionsFor, typeOptions, withDotenvGrammar } from "../options.js";
import { checkOutputTarget, outputPath, withWriteLock, writeResult } from "../output.js";
import { shared, type GlobalArgs } from "../globals.js";

type Args = GlobalArgs & {
  file?: string;
  "in-place"?: boolean;
  output?: string;
  age?: string;
  kms?: string;
  "gcp-kms"?: string;
  "azure-kv"?: string;
  pgp?: string;
  "hc-vault-transit"?: string;
  "encryption-context"?: string;
  "aws-profile"?: string;
  "shamir-secret-sharing-threshold"?: number;
  "input-type"?: string;
  "output-type"?: string;
  "filename-override"?: string;
  "mac-only-encrypted"?: boolean;
  "unencrypted-suffix"?: string;
  "encrypted-suffix"?: string;
  "unencrypted-regex"?: string;
  "encrypted-regex"?: string;
  "unencrypted-comment-regex"?: string;
  "encrypted-comment-regex"?: string;
  "dotenv-grammar"?: string;
  reuse?: string | false;
  "clear-values"?: boolean;
};

/**
 * `encrypt --clear-values FILE`: encrypts, in place and under FILE's own data key, the values that were
 * written into the encrypted FILE in clear.
 */
async function encryptClearInPlace(ctx: CliContext, args: Args): Promise<void> {
  const file = args.file;
  if (!file || file === "-" || args.output) {
    throw new SealError("USAGE", "--clear-values works on one encrypted file, in place", { hint: "secrets encrypt --clear-values FILE" });
  }
  const path = resolve(ctx.cwd, file);
  await withWriteLock(ctx, path, async () => {
    const { input } = formatsFor(args, file);
    const config = loadConfig({ cwd: ctx.cwd, file, ...(args.config ? { explicit: args.config } : {}), env: ctx.env });
    const before = await readInput(path, ctx);
    const { bytes, clear } = await encryptClearValues(before, {
      format: input,
      ctx: makeKeyContext(ctx.env),
      order: parseDecryptionOrder(args["decryption-order"] ?? ctx.env.SOPS_DECRYPTION_ORDER),
      file,
      storeOptions: storeOptionsFor(input, args.indent, config),
      names: recipientNames(config),
    });
    if (clear.length === 0) {
      warn(ctx, `${file}: no value is in clear; nothing written`);
      return;
    }
    writeFileAtomic(path, bytes);
    warn(ctx, `${file}: encrypted ${clear.map((kp) => kp.join(".")).join(", ")} under the file's data key`);
  });
}

/**
 * The one suffix/regex rule given on the command line, if any.
 * @throws SealError CONFLICTING_PARAMETERS for two rules, USAGE for an invalid regex.
 */
export function cryptRuleFromFlags(args: Readonly<Record<string, unknown>>): CryptRule | undefined {
  const given = CRYPT_RULE_KINDS.filter((k) => typeof args[k.replace(/_/g, "-")] === "string");
  if (given.length > 1) {
    throw new SealError("CONFLICTING_PARAMETERS", `only one of ${given.map((g) => `--${g.replace(/_/g, "-")}`).join(", ")} may be given`, {
      hint: "choose one rule for which keys are encrypted",
    });
  }
  const kind = given[0];
  if (!kind) return undefined;
  const flag = `--${kind.replace(/_/g, "-")}`;
  const value = args[flag.slice(2)] as string;
  if (kind.endsWith("regex")) {
    compileUserRegex(value, { code: "USAGE", at: flag, hint: `${flag} takes an RE2 regular expression (as sops), e.g. ${flag} '^(data|stringData)$'` });
  }
  return { kind, value };
}

/**
 * What a fresh encryption would use now, for comparing with a sealed version. Without recipient flags or a
 * matching rule nothing names recipients, so only the rule (sops's default) is compared.
 */
function wantedNow(choose: () => RecipientChoice, flagRule: CryptRule | undefined, macOnlyFlag: boolean): ReuseOptions["wanted"] {
  let choice: RecipientChoice | undefined;
  try {
    choice = choose();
  } catch (e) {
    if (!isSealError(e, "NO_RECIPIENTS") && !isSealError(e, "NO_MATCHING_RULE")) throw e;
  }
  const cryptRule = flagRule ?? choice?.cryptRule ?? DEFAULT_CRYPT_RULE;
  const rule = { cryptRule, macOnlyEncrypted: macOnlyFlag || (choice?.macOnlyEncrypted ?? false) };
  return { recipients: choice ? { keyGroups: choice.groups, shamirThreshold: choice.threshold } : undefined, rule };
}

export function encryptCommand(ctx: CliContext): CommandModule<GlobalArgs, Args> {
  return {
    command: "encrypt [file]",
    describe: "encrypt a file's values (stdin when FILE is - or absent)",
    builder: (y: Argv<GlobalArgs>) =>
      y
        .positional("file", { type: "string", describe: "plaintext file, or - for stdin" })
        .options({
          "in-place": { alias: "i", type: "boolean", describe: "replace FILE with the encrypted version" },
          output: { type: "string", describe: "write to this file instead of stdout" },
          ...keyFlagOptions,
          ...typeOptions,
          ...cryptRuleOptions,
          ...dotenvGrammarOption,
          "clear-values": {
            type: "boolean",
            describe: "FILE is encrypted but values were pasted into it in clear: encrypt those in place under its data key (every other value and the MAC are checked first)",
          },
          reuse: { type: "string", describe: "reuse this sealed version's data key, recipients and unchanged ciphertexts (default: the target when sealed, else git HEAD); --no-reuse to encrypt fresh" },
        })
        .options(shared("config", "decryption-order", "indent"))
        .example("$0 encrypt --age age1… secrets.yaml > secrets.enc.yaml", "encrypt for one age recipient")
        .example("$0 encrypt -i secrets.yaml", "encrypt in place for the recipients of the matching .sops.yaml rule")
        .example("cat .env | $0 encrypt --filename-override .env -", "encrypt stdin as dotenv")
        .example("$0 encrypt --clear-values secrets.enc.yaml", "encrypt values someone pasted into the encrypted file in clear") as unknown as Argv<Args>,
    handler: async (args) => {
      if (args["clear-values"]) return encryptClearInPlace(ctx, args);
      checkOutputTarget({ inPlace: args["in-place"], output: args.output, input: args.file });
      const flagRule = cryptRuleFromFlags(args);
      // The lock on the file written (-i or --output) is taken before anything is read.
      await withWriteLock(ctx, outputPath(ctx, { inPlace: args["in-place"], output: args.output, input: args.file }), async () => {
        const { input, output, name } = formatsFor(args, args.file);
        const config = loadConfig({ cwd: ctx.cwd, ...(name ? { file: name } : {}), ...(args.config ? { explicit: args.config } : {}), env: ctx.env });
        const bytes = await readInput(args.file, ctx);
        try {
          const inputStoreOptions = withDotenvGrammar(storeOptionsFor(input, args.indent, config), args["dotenv-grammar"]);
          const outputStoreOptions = storeOptionsFor(output, args.indent, config);
          const target = args.output ?? args.file;
          // Encrypting FILE to stdout: the target is the input, already read.
          const targetBytes = target === args.file && target !== undefined && target !== "-" ? { targetBytes: bytes } : {};
          const version = await findSealedVersion({ reuse: args.reuse, target, cwd: ctx.cwd, format: output, storeOptions: outputStoreOptions, ...targetBytes });
          const context = args["encryption-context"] ? parseEncryptionContext(args["encryption-context"]) : undefined;
          const flags = { age: args.age, kms: args.kms, gcpKms: args["gcp-kms"], azureKv: args["azure-kv"], pgp: args.pgp, hcVaultTransit: args["hc-vault-transit"], encryptionContext: context, awsProfile: args["aws-profile"], shamirThreshold: args["shamir-secret-sharing-threshold"] };
          if (version) {
            const wanted = wantedNow(() => chooseRecipients(flags, ctx.env, config, name, ctx.cwd), flagRule, args["mac-only-encrypted"] === true);
            const outcome = await resealFromVersion(bytes, version, {
              inputFormat: input,
              outputFormat: output,
              inputStoreOptions,
              outputStoreOptions,
              ctx: makeKeyContext(ctx.env),
              order: parseDecryptionOrder(args["decryption-order"] ?? ctx.env.SOPS_DECRYPTION_ORDER),
              names: recipientNames(config),
              ...(name ? { file: name } : {}),
              wanted,
            });
            if ("sealed" in outcome) {
              if (args.age || args.kms || args["gcp-kms"] || args["azure-kv"] || args.pgp || args["hc-vault-transit"]) {
                warn(ctx, `note: kept the recipients of ${version.source} and its data key (they are the recipients asked for; pass --no-reuse for a new data key)`);
              }
              await writeResult(ctx, { inPlace: args["in-place"], output: args.output, input: args.file }, outcome.sealed, false);
              return;
            }
            if (outcome.changed) warn(ctx, `note: ${outcome.fresh}; encrypting with a new data key`);
            else warn(ctx, `warning: ${outcome.fresh}; encrypting with a new data key (every value changes)`);
          }
          const choice = chooseRecipients(flags, ctx.env, config, name, ctx.cwd);
          const keyGroups = await Promise.all(choice.groups.map((g) => Promise.all(g.map(keyFromSpec))));
          const cryptRule = flagRule ?? choice.cryptRule;
          const sealed = await sealPlainBytes(bytes, {
            format: input,
            outputFormat: output,
            ctx: makeKeyContext(ctx.env),
            keyGroups,
            ...(choice.threshold ? { shamirThreshold: choice.threshold } : {}),
            ...(cryptRule ? { cryptRule } : {}),
            ...(args["mac-only-encrypted"] || choice.macOnlyEncrypted ? { macOnlyEncrypted: true } : {}),
            ...(name ? { file: name } : {}),
            storeOptions: withDotenvGrammar(outputStoreOptions, args["dotenv-grammar"]),
          });
          await writeResult(ctx, { inPlace: args["in-place"], output: args.output, input: args.file }, sealed, false);
        } finally {
          wipe(bytes); // the plaintext read (the binary store encrypts straight from it: no copy of its own)
        }
      });
    },
  };
}
