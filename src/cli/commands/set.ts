/**
 * Owns: `secrets set FILE PATH [VALUE]` — change one value of an encrypted file, everything else kept
 * byte-identical. Values come from stdin or a file; a value on the command line (sops's form, visible in `ps`) is
 * accepted with a warning.
 */
import type { Argv, CommandModule } from "yargs";
import { SealError } from "../../errors.js";
import { writeFileAtomic } from "../../io/atomic-write.js";
import { readAll, readInput } from "../../ops/read-input.js";
import { parseJsonValue, setValueBytes } from "../../ops/edit-value.js";
import { type Node } from "../../tree/index.js";
import { pathLabel } from "../../document/index.js";
import type { CryptRule } from "../../metadata.js";
import type { CliContext } from "../context.js";
import { warn } from "../context.js";
import { editArguments, editTarget, fixRuleOption, readEditTarget } from "../edit-target.js";
import { withWriteLock } from "../output.js";
import type { GlobalArgs } from "../globals.js";

type Args = GlobalArgs & {
  file: string;
  path: string;
  value?: string | boolean;
  "value-stdin"?: boolean;
  "value-file"?: string;
  idempotent?: boolean;
  "ignore-mac"?: boolean;
  "input-type"?: string;
  "output-type"?: string;
  "fix-rule"?: boolean;
};

/** Where the value comes from, and which words name the file and the path. */
type Words = { file: string; path: string } & ({ from: "none" } | { from: "stdin" } | { from: "file"; valueFile: string } | { from: "argv"; text: string });

const ARGV_WARNING = "warning: the value was given on the command line, where other users' processes can read it (ps); use --value-stdin or --value-file";

const isPath = (w: string | undefined): boolean => w !== undefined && w.startsWith("[");

/**
 * The words of a `--value-file` command line. sops's `--value-file` is a switch and the value file is the third
 * word (`set --value-file FILE PATH VALUEFILE`); ours took the value file right after the flag
 * (`set FILE PATH --value-file VALUEFILE`). yargs hands us the word after the flag, so the one word that is a
 * tree path tells which word is which.
 */
function valueFileWords(args: Args): Words {
  const after = args["value-file"] ?? "";
  // yargs reads `--value-file -` as an empty flag followed by a positional `true`.
  const third = typeof args.value === "boolean" ? "-" : args.value;
  if (after === "") {
    if (third === undefined) throw new SealError("USAGE", "--value-file needs the value file: secrets set --value-file FILE PATH VALUEFILE");
    return { file: args.file, path: args.path, from: "file", valueFile: third };
  }
  if (third !== undefined) throw new SealError("USAGE", "too many arguments: secrets set --value-file FILE PATH VALUEFILE");
  if (isPath(args.file) && !isPath(args.path)) return { file: after, path: args.file, from: "file", valueFile: args.path };
  if (isPath(after) && !isPath(args.path)) return { file: args.file, path: after, from: "file", valueFile: args.path };
  return { file: args.file, path: args.path, from: "file", valueFile: after };
}

/** @throws SealError USAGE when the value is given in more than one way. */
function wordsOf(args: Args): Words {
  if (args["value-stdin"] && args["value-file"] !== undefined) throw new SealError("USAGE", "cannot use both --value-file and --value-stdin");
  if (args["value-file"] !== undefined) return valueFileWords(args);
  if (args["value-stdin"]) {
    if (args.value !== undefined) throw new SealError("USAGE", "with --value-stdin the value comes from stdin: give only FILE and PATH");
    return { file: args.file, path: args.path, from: "stdin" };
  }
  if (args.value === undefined) return { file: args.file, path: args.path, from: "none" };
  return { file: args.file, path: args.path, from: "argv", text: String(args.value) };
}

/** The value to set, parsed as JSON as sops parses it. @throws SealError USAGE, BAD_SET_FORMAT, FILE_NOT_FOUND */
async function valueFrom(ctx: CliContext, words: Words): Promise<Node> {
  if (words.from === "none") {
    throw new SealError("USAGE", "no value given", { hint: `pass it on stdin: printf '%s' '"…"' | secrets set FILE PATH --value-stdin (or --value-file FILE PATH VALUEFILE)` });
  }
  if (words.from === "argv") {
    // sops takes the value from argv; we accept it so sops scripts keep working, and say what it exposes.
    warn(ctx, ARGV_WARNING);
    return parseJsonValue(Buffer.from(words.text, "utf8"));
  }
  const raw = words.from === "stdin" ? await readAll(ctx.stdin) : await readInput(words.valueFile, ctx);
  try {
    return parseJsonValue(raw);
  } finally {
    raw.fill(0);
  }
}

const LISTED_PATHS = 5;

/** `warning: db.host will be stored in plaintext (the file's rule leaves it unencrypted: encrypted_regex ^password$)` */
function plaintextWarning(paths: readonly string[][], rule: CryptRule): string {
  const labels = paths.slice(0, LISTED_PATHS).map(pathLabel);
  const more = paths.length > LISTED_PATHS ? ` and ${paths.length - LISTED_PATHS} more` : "";
  const one = paths.length === 1;
  return `warning: ${labels.join(", ")}${more} will be stored in plaintext (the file's rule leaves ${one ? "it" : "them"} unencrypted: ${rule.kind} ${rule.value})`;
}

export function setCommand(ctx: CliContext): CommandModule<GlobalArgs, Args> {
  return {
    command: "set [file] [path] [value]",
    describe: "set one value of an encrypted file (value as JSON, from stdin)",
    builder: (y: Argv<GlobalArgs>) =>
      y
        .positional("file", { type: "string", describe: "encrypted file" })
        .positional("path", { type: "string", describe: `where, e.g. '["db"]["password"]'` })
        .positional("value", { type: "string", describe: "the value as JSON; with --value-file, the file holding it (a value here is visible in ps: prefer --value-stdin)" })
        .options({
          "value-stdin": { type: "boolean", describe: "read the value (JSON) from stdin" },
          "value-file": { type: "string", requiresArg: false, describe: "read the value (JSON) from a file: --value-file FILE PATH VALUEFILE (sops), or FILE PATH --value-file VALUEFILE" },
          idempotent: { type: "boolean", describe: "do not rewrite the file when the value is already set" },
          "ignore-mac": { type: "boolean", describe: "do not check the MAC (for damaged files)" },
          "input-type": { type: "string", describe: "format of the file (default: by extension)" },
          "output-type": { type: "string", describe: "format the file is rewritten in (default: its own)" },
          ...fixRuleOption,
        })
        .example(`printf '"s3cret"' | $0 set secrets.enc.yaml '["db"]["password"]' --value-stdin`, "set a secret string")
        .example(`$0 set --value-file secrets.enc.yaml '["db"]["password"]' pw.json`, "set a value read from a file (sops's form)") as unknown as Argv<Args>,
    handler: async (args) => {
      const words = wordsOf(args);
      const steps = editArguments(words.file, words.path);
      const value = await valueFrom(ctx, words);
      const { path, opts } = editTarget(ctx, { ...args, file: words.file });
      const outcome = await withWriteLock(ctx, path, async () => {
        const result = await setValueBytes(readEditTarget(path), steps, value, opts);
        if (result.bytes) writeFileAtomic(path, result.bytes);
        return result;
      });
      if (!outcome.bytes) {
        if (args.verbose) warn(ctx, `${words.file}: unchanged`);
        return;
      }
      if (outcome.plaintextPaths.length > 0) warn(ctx, plaintextWarning(outcome.plaintextPaths, outcome.rule));
    },
  };
}
