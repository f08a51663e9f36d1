/**
 * Owns: `secrets rotate` — a new data key for each file, every value re-encrypted and every recipient
 * re-wrapped, with `--add-*`/`--rm-*` recipient changes as in sops. One file without `-i` goes to stdout.
 */
import type { Argv, CommandModule } from "yargs";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { azureSpecFromUrl, kmsSpecFromString, loadConfig, recipientNames, resolveRecipient, splitList, type KeySpec } from "../../config.js";
import { formatFromPath, parseFormatName } from "../../formats/index.js";
import { ERROR_CODES, isSealError, SealError } from "../../errors.js";
import { parseDecryptionOrder } from "../../keys/registry.js";
import { writeFileAtomic } from "../../io/atomic-write.js";
import { makeKeyContext } from "../../ops/key-context.js";
import { rotateBytes } from "../../ops/rekey-file.js";
import { encryptionRuleOf } from "../../ops/creation-rule.js";
import { FIX_RULE_HINT, fixRuleOption } from "../edit-target.js";
import { readInputFile } from "../../ops/read-input.js";
import type { CliContext } from "../context.js";
import { warn } from "../context.js";
import { storeOptionsFor } from "../options.js";
import { checkOutputTarget, outputPath, withWriteLock, writeResult } from "../output.js";
import { shared, type GlobalArgs } from "../globals.js";
import { resolveTargets, runBatch } from "../batch.js";

type Args = GlobalArgs & {
  files: string[];
  all?: boolean;
  "in-place"?: boolean;
  output?: string;
  force?: boolean;
  "input-type"?: string;
  "fix-rule"?: boolean;
} & Partial<Record<`${"add" | "rm"}-${"age" | "kms" | "gcp-kms" | "azure-kv" | "pgp" | "hc-vault-transit"}`, string>>;

/** Recipient specs from the `--add-*` or `--rm-*` flags. */
export function specsFromFlags(args: Args, prefix: "add" | "rm", names: Record<string, string>): KeySpec[] {
  const list = (flag: string): string[] => splitList(args[`${prefix}-${flag}` as keyof Args]).map((x) => resolveRecipient(x, names));
  return [
    ...list("age").map((r) => ({ kind: "age" as const, recipient: r })),
    ...list("kms").map((a) => kmsSpecFromString(a)),
    ...list("gcp-kms").map((id) => ({ kind: "gcp_kms" as const, resourceId: id })),
    ...list("azure-kv").map(azureSpecFromUrl),
    ...list("pgp").map((fp) => ({ kind: "pgp" as const, id: fp })),
    ...list("hc-vault-transit").map((uri) => ({ kind: "hc_vault" as const, id: uri })),
  ];
}

/**
 * The file to rotate, failing with sops's statuses: adding or removing keys of a missing file exits 49
 * (main.go:1214); otherwise sops does not check first, and the failed read exits 2 (common.go:146).
 */
function readRotateInput(path: string, display: string, changesKeys: boolean): Uint8Array {
  if (changesKeys && !existsSync(path)) {
    throw new SealError("CANNOT_CHANGE_KEYS_OF_MISSING_FILE", `cannot add or remove keys of ${display}: no such file`, { hint: "create the file with `secrets encrypt` or `secrets edit` first" });
  }
  return readInputFile(path, ERROR_CODES.CANNOT_READ_INPUT);
}

const recipientFlags = Object.fromEntries(
  (["add", "rm"] as const).flatMap((p) =>
    (["age", "kms", "gcp-kms", "azure-kv", "pgp", "hc-vault-transit"] as const).map((k) => [`${p}-${k}`, { type: "string" as const, describe: `${p === "add" ? "add" : "remove"} ${k} recipients, comma separated` }]),
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
          force: { type: "boolean", describe: "drop recipients sealfile cannot wrap for (hckms) instead of refusing" },
          "input-type": { type: "string", describe: "format of the files (default: by extension)" },
          ...recipientFlags,
          ...fixRuleOption,
        })
        .options(shared("config", "decryption-order", "indent"))
        .example("$0 rotate -i secrets.enc.yaml", "new data key, in place")
        .example("$0 rotate --all --rm-age age1old…", "remove a recipient everywhere and renew every data key") as unknown as Argv<Args>,
    handler: async (args) => {
      if (args["in-place"] && args.output !== undefined) checkOutputTarget({ inPlace: true, output: args.output });
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
            rotated = await rotateBytes(readRotateInput(t.path, t.display, add.length + remove.length > 0), {
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
