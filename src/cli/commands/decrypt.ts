/** Owns: `secrets decrypt` — encrypted file (or stdin) → plaintext on stdout, a file, or in place. */
import { resolve } from "node:path";
import type { Argv, CommandModule } from "yargs";
import { SealError } from "../../errors.js";
import { loadConfig, recipientNames } from "../../config.js";
import { sealedFormatOf, storeFor } from "../../formats/index.js";
import { parseDecryptionOrder } from "../../keys/registry.js";
import { closeDocument } from "../../document/index.js";
import { wipe } from "../../crypto/wipe.js";
import { readInput } from "../../ops/read-input.js";
import { auditLogPath, openSealedAudited } from "../../ops/audit-log.js";
import { makeKeyContext } from "../../ops/key-context.js";
import { encryptionRuleFor } from "../../ops/creation-rule.js";
import { describeWeakness, ruleWeakness, storedRule } from "../../document/rule-strength.js";
import { getAtPath, parseTreePath, type Node, type PathStep, type Tree } from "../../tree/index.js";
import type { Store } from "../../formats/index.js";
import { warn, type CliContext } from "../context.js";
import { dotenvGrammarOption, formatsFor, storeOptionsFor, typeOptions, withDotenvGrammar } from "../options.js";
import { checkOutputTarget, outputPath, withWriteLock, writeResult } from "../output.js";
import { shared, type GlobalArgs } from "../globals.js";

type Args = GlobalArgs & {
  file?: string;
  "in-place"?: boolean;
  output?: string;
  extract?: string;
  "ignore-mac"?: boolean;
  "input-type"?: string;
  "output-type"?: string;
  "filename-override"?: string;
  "dotenv-grammar"?: string;
};

/** What `--extract` prints: a string raw, a map or list as a document, other scalars as the store writes them. */
export function extractBytes(plain: Tree, path: string, steps: readonly PathStep[], store: Store): Uint8Array {
  const node: Node | undefined = getAtPath(plain, steps);
  if (node === undefined) throw new SealError("PATH_NOT_FOUND", `${path} is not in the file`, { hint: "list the file's keys with `secrets decrypt FILE`; paths look like '[\"db\"][\"password\"]'" });
  if (node.kind === "str") return Buffer.from(node.value, "utf8");
  if (node.kind === "bytes") return node.value;
  if (node.kind === "map") return store.emitPlain({ branches: [node] });
  return store.emitValue(node);
}

export function decryptCommand(ctx: CliContext): CommandModule<GlobalArgs, Args> {
  return {
    command: "decrypt [file]",
    describe: "decrypt a file (stdin when FILE is - or absent)",
    builder: (y: Argv<GlobalArgs>) =>
      y
        .positional("file", { type: "string", describe: "encrypted file, or - for stdin" })
        .options({
          "in-place": { alias: "i", type: "boolean", describe: "replace FILE with its plaintext" },
          output: { type: "string", describe: "write to this file (mode 0600) instead of stdout" },
          extract: { type: "string", describe: `print one value, e.g. '["db"]["password"]'` },
          "ignore-mac": { type: "boolean", describe: "do not check the MAC (for damaged files)" },
          ...typeOptions,
          ...dotenvGrammarOption,
        })
        .options(shared("config", "decryption-order", "indent"))
        .example("$0 decrypt secrets.enc.yaml", "print the plaintext")
        .example(`$0 decrypt --extract '["db"]["password"]' secrets.enc.yaml`, "print one value")
        .example("$0 decrypt --output-type json secrets.enc.yaml", "convert to JSON") as unknown as Argv<Args>,
    handler: async (args) => {
      const target = { inPlace: args["in-place"], output: args.output, input: args.file };
      checkOutputTarget(target);
      const extractSteps = args.extract ? parseTreePath(args.extract) : undefined;
      // The lock on the file written (-i or --output) is taken before anything is read.
      await withWriteLock(ctx, outputPath(ctx, target), async () => {
        const formats = formatsFor(args, args.file);
        const { name } = formats;
        const config = loadConfig({ cwd: ctx.cwd, ...(name ? { file: name } : {}), ...(args.config ? { explicit: args.config } : {}), env: ctx.env });
        const bytes = await readInput(args.file, ctx);
        // A `.toml` file sops encrypted (as binary) stays binary.
        const input = sealedFormatOf(formats.input, bytes);
        const output = input !== formats.input && formats.output === formats.input ? input : formats.output;
        const audit = { log: auditLogPath(ctx.env, ctx.cwd, config), command: "decrypt", file: name ? resolve(ctx.cwd, name) : "stdin" };
        const { doc } = await openSealedAudited(bytes, {
          format: input,
          ctx: makeKeyContext(ctx.env),
          order: parseDecryptionOrder(args["decryption-order"] ?? ctx.env.SOPS_DECRYPTION_ORDER),
          ignoreMac: args["ignore-mac"] === true,
          file: name ?? "stdin",
          names: recipientNames(config),
          storeOptions: storeOptionsFor(input, args.indent, config),
          readOnly: true,
        }, audit);
        try {
          // Reading is harmless, but whoever wrote the file chose to protect less than the creation rule asks.
          const wanted = name && name !== "-" ? encryptionRuleFor(config, name, ctx.cwd, input) : undefined;
          const weakness = wanted ? ruleWeakness([doc.plain], storedRule(doc.metadata), wanted) : undefined;
          if (weakness) warn(ctx, `warning: ${name}: ${describeWeakness(weakness)}; \`secrets rotate -i --fix-rule ${name}\` re-encrypts it under that rule`);
          const outStore = storeFor(output, withDotenvGrammar(storeOptionsFor(output, args.indent, config), args["dotenv-grammar"]));
          if (args.extract && input === "binary") throw new SealError("USAGE", "--extract does not apply to binary files");
          const data = args.extract && extractSteps ? extractBytes(doc.plain, args.extract, extractSteps, outStore) : outStore.emitPlain(doc.plain);
          try {
            await writeResult(ctx, target, data, true);
          } finally {
            // Written to a file, the plaintext (for a binary file, the document's own buffer) is done with; a
            // stream given it (stdout) may still hold it after its write callback, so that is left alone.
            if (outputPath(ctx, target) !== undefined) wipe(data);
          }
        } finally {
          closeDocument(doc);
        }
      });
    },
  };
}
