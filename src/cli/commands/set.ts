/**
 * Owns: `secrets set FILE PATH [VALUE]` — change one value of an encrypted file, everything else kept
 * byte-identical. Secret values come from stdin or a file; a value on the command line (visible in `ps`) is
 * accepted only for JSON numbers, booleans and null.
 */
import type { Argv, CommandModule } from "yargs";
import { SealError } from "../../errors.js";
import { writeFileAtomic } from "../../io/atomic-write.js";
import { readAll, readInput } from "../../ops/read-input.js";
import { parseJsonValue, setValueBytes } from "../../ops/edit-value.js";
import { parseTreePath, type Node } from "../../tree/index.js";
import type { CliContext } from "../context.js";
import { warn } from "../context.js";
import { editTarget, fixRuleOption } from "../edit-target.js";
import { withWriteLock } from "../output.js";
import type { GlobalArgs } from "../globals.js";

type Args = GlobalArgs & {
  file: string;
  path: string;
  value?: string;
  "value-stdin"?: boolean;
  "value-file"?: string;
  idempotent?: boolean;
  "ignore-mac"?: boolean;
  "input-type"?: string;
  "fix-rule"?: boolean;
};

/** The value to set, from exactly one source. @throws SealError USAGE, BAD_SET_FORMAT */
async function valueFrom(ctx: CliContext, args: Args): Promise<Node> {
  const sources = [args.value !== undefined, args["value-stdin"] === true, args["value-file"] !== undefined].filter(Boolean).length;
  if (sources !== 1) throw new SealError("USAGE", "give the value in exactly one way: --value-stdin, --value-file FILE, or (numbers, booleans, null only) as an argument");
  if (args["value-stdin"] || args["value-file"] !== undefined) {
    const raw = args["value-stdin"] ? await readAll(ctx.stdin) : await readInput(args["value-file"], ctx.stdin);
    try {
      return parseJsonValue(raw);
    } finally {
      raw.fill(0);
    }
  }
  const node = parseJsonValue(Buffer.from(String(args.value), "utf8"));
  if (node.kind !== "int" && node.kind !== "float" && node.kind !== "bool" && node.kind !== "null") {
    throw new SealError("USAGE", "strings, maps and lists are not accepted on the command line, where other users can see them (ps, shell history)", {
      hint: `pass the value on stdin: printf '%s' '"…"' | secrets set FILE PATH --value-stdin (or --value-file FILE)`,
    });
  }
  warn(ctx, "warning: a value given as an argument is visible to other users in `ps` and in shell history; use --value-stdin for secrets");
  return node;
}

export function setCommand(ctx: CliContext): CommandModule<GlobalArgs, Args> {
  return {
    command: "set <file> <path> [value]",
    describe: "set one value of an encrypted file (value as JSON, from stdin)",
    builder: (y: Argv<GlobalArgs>) =>
      y
        .positional("file", { type: "string", describe: "encrypted file" })
        .positional("path", { type: "string", describe: `where, e.g. '["db"]["password"]'` })
        .positional("value", { type: "string", describe: "a JSON number, boolean or null (secrets: use --value-stdin)" })
        .options({
          "value-stdin": { type: "boolean", describe: "read the value (JSON) from stdin" },
          "value-file": { type: "string", describe: "read the value (JSON) from this file" },
          idempotent: { type: "boolean", describe: "do not rewrite the file when the value is already set" },
          "ignore-mac": { type: "boolean", describe: "do not check the MAC (for damaged files)" },
          "input-type": { type: "string", describe: "format of the file (default: by extension)" },
          ...fixRuleOption,
        })
        .example(`printf '"s3cret"' | $0 set secrets.enc.yaml '["db"]["password"]' --value-stdin`, "set a secret string")
        .example(`$0 set secrets.enc.yaml '["db"]["port"]' 5432`, "set a non-secret number") as unknown as Argv<Args>,
    handler: async (args) => {
      const steps = parseTreePath(args.path);
      const value = await valueFrom(ctx, args);
      const { path, opts } = editTarget(ctx, args);
      const out = await withWriteLock(ctx, path, async () => {
        const bytes = await setValueBytes(await readInput(path, ctx.stdin), steps, value, opts);
        if (bytes) writeFileAtomic(path, bytes);
        return bytes;
      });
      if (!out && args.verbose) warn(ctx, `${args.file}: unchanged`);
    },
  };
}
