/** Owns: `secrets unset FILE PATH` — remove one value of an encrypted file, everything else kept byte-identical. */
import type { Argv, CommandModule } from "yargs";
import { writeFileAtomic } from "../../io/atomic-write.js";
import { unsetValueBytes } from "../../ops/edit-value.js";
import type { CliContext } from "../context.js";
import { warn } from "../context.js";
import { editArguments, editTarget, fixRuleOption, readEditTarget } from "../edit-target.js";
import { withWriteLock } from "../output.js";
import type { GlobalArgs } from "../globals.js";

type Args = GlobalArgs & { file: string; path: string; idempotent?: boolean; "ignore-mac"?: boolean; "input-type"?: string; "output-type"?: string; "fix-rule"?: boolean };

export function unsetCommand(ctx: CliContext): CommandModule<GlobalArgs, Args> {
  return {
    command: "unset [file] [path]",
    describe: "remove one value from an encrypted file",
    builder: (y: Argv<GlobalArgs>) =>
      y
        .positional("file", { type: "string", describe: "encrypted file" })
        .positional("path", { type: "string", describe: `what, e.g. '["db"]["password"]'` })
        .options({
          idempotent: { type: "boolean", describe: "succeed without writing when the value is already absent" },
          "ignore-mac": { type: "boolean", describe: "do not check the MAC (for damaged files)" },
          "input-type": { type: "string", describe: "format of the file (default: by extension)" },
          "output-type": { type: "string", describe: "format the file is rewritten in (default: its own)" },
          ...fixRuleOption,
        })
        .example(`$0 unset secrets.enc.yaml '["old_token"]'`, "remove a key") as unknown as Argv<Args>,
    handler: async (args) => {
      const steps = editArguments(args.file, args.path);
      const { path, opts } = editTarget(ctx, args);
      const out = await withWriteLock(ctx, path, async () => {
        const bytes = await unsetValueBytes(readEditTarget(path), steps, args.path, opts);
        if (bytes) writeFileAtomic(path, bytes);
        return bytes;
      });
      if (!out && args.verbose) warn(ctx, `${args.file}: ${args.path} was not there; unchanged`);
    },
  };
}
