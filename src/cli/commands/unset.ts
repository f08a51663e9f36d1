/** Owns: `secrets unset FILE PATH` — remove one value of an encrypted file, everything else kept byte-identical. */
import type { Argv, CommandModule } from "yargs";
import { resolve } from "node:path";
import { loadConfig } from "../../config.js";
import { parseDecryptionOrder } from "../../keys/registry.js";
import { writeFileAtomic } from "../../io/atomic-write.js";
import { makeKeyContext } from "../../ops/key-context.js";
import { readInput } from "../../ops/read-input.js";
import { unsetValueBytes } from "../../ops/edit-value.js";
import { parseTreePath } from "../../tree/index.js";
import type { CliContext } from "../context.js";
import { warn } from "../context.js";
import { formatsFor, storeOptionsFor } from "../options.js";
import type { GlobalArgs } from "../globals.js";

type Args = GlobalArgs & { file: string; path: string; idempotent?: boolean; "ignore-mac"?: boolean; "input-type"?: string };

export function unsetCommand(ctx: CliContext): CommandModule<GlobalArgs, Args> {
  return {
    command: "unset <file> <path>",
    describe: "remove one value from an encrypted file",
    builder: (y: Argv<GlobalArgs>) =>
      y
        .positional("file", { type: "string", describe: "encrypted file" })
        .positional("path", { type: "string", describe: `what, e.g. '["db"]["password"]'` })
        .options({
          idempotent: { type: "boolean", describe: "succeed without writing when the value is already absent" },
          "ignore-mac": { type: "boolean", describe: "do not check the MAC (for damaged files)" },
          "input-type": { type: "string", describe: "format of the file (default: by extension)" },
        })
        .example(`$0 unset secrets.enc.yaml '["old_token"]'`, "remove a key") as unknown as Argv<Args>,
    handler: async (args) => {
      const steps = parseTreePath(args.path);
      const { input, name } = formatsFor(args, args.file);
      const config = loadConfig({ cwd: ctx.cwd, file: args.file, env: ctx.env, ...(args.config ? { explicit: args.config } : {}) });
      const path = resolve(ctx.cwd, args.file);
      const out = await unsetValueBytes(await readInput(path, ctx.stdin), steps, args.path, {
        format: input,
        ctx: makeKeyContext(ctx.env),
        order: parseDecryptionOrder(args["decryption-order"] ?? ctx.env.SOPS_DECRYPTION_ORDER),
        file: name ?? args.file,
        storeOptions: storeOptionsFor(input, args.indent, config),
        ...(args["ignore-mac"] ? { ignoreMac: true } : {}),
        ...(args.idempotent ? { idempotent: true } : {}),
      });
      if (out) writeFileAtomic(path, out);
      else if (args.verbose) warn(ctx, `${args.file}: ${args.path} was not there; unchanged`);
    },
  };
}
