/** Owns: `secrets filestatus` — prints {"encrypted":true|false} as sops does. */
import type { Argv, CommandModule } from "yargs";
import { storeFor } from "../../formats/index.js";
import { extractMetadata } from "../../metadata.js";
import { readInput } from "../../ops/read-input.js";
import type { CliContext } from "../context.js";
import { formatsFor, typeOptions } from "../options.js";
import type { GlobalArgs } from "../globals.js";

type Args = GlobalArgs & { file: string; "input-type"?: string; "filename-override"?: string };

/** True when the bytes parse and carry metadata with a version and a MAC (sops's definition). */
export function isSealedBytes(bytes: Uint8Array, format: Parameters<typeof storeFor>[0]): boolean {
  try {
    const store = storeFor(format);
    const md = extractMetadata(store.parseEncrypted(bytes), store.metadataLayout);
    return md !== null && md.version !== "" && md.mac !== "";
  } catch {
    return false;
  }
}

export function filestatusCommand(ctx: CliContext): CommandModule<GlobalArgs, Args> {
  return {
    command: "filestatus <file>",
    describe: "tell whether a file is encrypted",
    builder: (y: Argv<GlobalArgs>) =>
      y.positional("file", { type: "string", demandOption: true, describe: "the file to look at" }).options({ "input-type": typeOptions["input-type"] }).example("$0 filestatus secrets.yaml", '{"encrypted":true}') as unknown as Argv<Args>,
    handler: async (args) => {
      const { input } = formatsFor(args, args.file);
      const bytes = await readInput(args.file, ctx);
      ctx.stdout.write(`${JSON.stringify({ encrypted: isSealedBytes(bytes, input) })}\n`);
    },
  };
}
