/**
 * Owns: `secrets rotate` — a new data key for each file, every value re-encrypted and every recipient
 * re-wrapped, with `--add-*`/`--rm-*` recipient changes as in sops. One file without `-i` goes to stdout.
 */
import type { Argv, CommandModule } from "yargs";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { azureSpecFromUrl, kmsSpecFromString, loadConfig, recipientNames, resolveRecipient, splitList, type KeySpec } from "../../config.js";
import { formatFromPath, parseFormatName } from "../../formats/index.js";
import { isSealError } from "../../errors.js";
import { parseDecryptionOrder } from "../../keys/registry.js";
import { writeFileAtomic } from "../../io/atomic-write.js";
import { makeKeyContext } from "../../ops/key-context.js";
import { rotateBytes } from "../../ops/rekey-file.js";
import { encryptionRuleOf } from "../../ops/creation-rule.js";
import { FIX_RULE_HINT, fixRuleOption } from "../edit-target.js";
import type { CliContext } from "../context.js";
import { warn } from "../context.js";
import { storeOptionsFor } from "../options.js";
import { outputPath, withWriteLock, writeResult } from "../output.js";
import type { GlobalArgs } from "../globals.js";
import { resolveTargets, runBatch } from "../batch.js";

type Args = GlobalArgs & {
  files: string[];
  all?: boolean;
  "in-place"?: boolean;
  output?: string;
  force?: boolean;
  "input-type"?: string;
  "fix-rule"?: boolean;
} & Partial<Record<`${"add" | "rm"}-${"age" | "kms" | "gcp-kms" | "azure-kv"}`, string>>;

/** Recipient specs from the `--add-*` or `--rm-*` flags. */
export function specsFromFlags(args: Args, prefix: "add" | "rm", names: Record<string, string>): KeySpec[] {
  const list = (flag: string): string[] => splitList(args[`${prefix}-${flag}` as keyof Args]).map((x) => resolveRecipient(x, names));
  return [
    ...list("age").map((r) => ({ kind: "age" as const, recipient: r })),
    ...list("kms").map((a) => kmsSpecFromString(a)),
    ...list("gcp-kms").map((id) => ({ kind: "gcp_kms" as const, resourceId: id })),
    ...list("azure-kv").map(azureSpecFromUrl),
  ];
}

const recipientFlags = Object.fromEntries(
  (["add", "rm"] as const).flatMap((p) =>
    (["age", "kms", "gcp-kms", "azure-kv"] as const).map((k) => [`${p}-${k}`, { type: "string" as const, describe: `${p === "add" ? "add" : "remove"} ${k} recipients, comma separated` }]),
  ),
);

export function rotateCommand(ctx: CliContext): CommandModule<GlobalArgs, Args> {
  return {
    command: "rotate [files..]",
    describe: "renew the data key of encrypted files (every value re-encrypted)",
    builder: (y: Argv<GlobalArgs>) =>
      y
        .positional("files", { type: "string", array: true, describe: "encrypted files" })
        .options({
          all: { type: "boolean", describe: "every file of the repository that a creation rule covers (implies -i)" },
          "in-place": { alias: "i", type: "boolean", describe: "rewrite the file (implied for several files)" },
          output: { type: "string", describe: "write the single file's result here instead of stdout" },
          force: { type: "boolean", describe: "drop recipients sealfile cannot wrap for (pgp, hc_vault) instead of refusing" },
          "input-type": { type: "string", describe: "format of the files (default: by extension)" },
          ...recipientFlags,
          ...fixRuleOption,
        })
        .example("$0 rotate -i secrets.enc.yaml", "new data key, in place")
        .example("$0 rotate --all --rm-age age1old…", "remove a recipient everywhere and renew every data key") as unknown as Argv<Args>,
    handler: async (args) => {
      const files = args.files ?? [];
      const targets = await resolveTargets(ctx, files, args.all === true, args.config);
      const names = loadConfig({ cwd: ctx.cwd, env: ctx.env, ...(args.config ? { explicit: args.config } : {}) })?.recipients ?? {};
      const add = specsFromFlags(args, "add", names);
      const remove = specsFromFlags(args, "rm", names);
      const keyCtx = makeKeyContext(ctx.env);
      const order = parseDecryptionOrder(args["decryption-order"] ?? ctx.env.SOPS_DECRYPTION_ORDER);
      const toStdout = !args.all && targets.length === 1 && !args["in-place"];
      if (targets.length === 0) {
        warn(ctx, "no files match a creation rule; nothing to rotate");
        return;
      }
      await runBatch(ctx, targets, "rotated", (t) =>
        withWriteLock(ctx, toStdout ? outputPath(ctx, { output: args.output }) : resolve(ctx.cwd, t.path), async () => {
          const format = args["input-type"] ? parseFormatName(args["input-type"]) : formatFromPath(t.path);
          let rotated;
          try {
            rotated = await rotateBytes(readFileSync(t.path), {
              format,
              ctx: keyCtx,
              order,
              file: t.display,
              storeOptions: storeOptionsFor(format, args.indent, t.config),
              names: recipientNames(t.config),
              add,
              remove,
              ...(args.force ? { dropUnsupported: true } : {}),
              rule: { wanted: encryptionRuleOf(t.rule, format), fix: args["fix-rule"] === true, hint: FIX_RULE_HINT },
            });
          } catch (e) {
            // --all covers every file a rule matches; plaintext ones are for `status` to flag, not failures here.
            if (args.all && isSealError(e, "NOT_ENCRYPTED")) return `skipped ${t.display}: not encrypted`;
            throw e;
          }
          const { bytes, warnings } = rotated;
          for (const w of warnings) warn(ctx, `${t.display}: warning: ${w}`);
          if (toStdout) await writeResult(ctx, { output: args.output }, bytes, false);
          else writeFileAtomic(resolve(ctx.cwd, t.path), bytes);
          return `rotated ${t.display}`;
        }),
      );
    },
  };
}
