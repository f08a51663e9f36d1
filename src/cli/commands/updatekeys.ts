/**
 * Owns: `secrets updatekeys` — make each file's recipients those of its creation rule, keeping the data key
 * (values, mac, lastmodified untouched) unless `--rotate`. Shows the change per file and asks first.
 */
import type { Argv, CommandModule } from "yargs";
import { SealError, isSealError } from "../../errors.js";
import { nameFor, recipientNames } from "../../config.js";
import { formatFromPath, parseFormatName, type FormatName } from "../../formats/index.js";
import { parseDecryptionOrder } from "../../keys/registry.js";
import { writeFileAtomic } from "../../io/atomic-write.js";
import { makeKeyContext } from "../../ops/key-context.js";
import { planUpdateKeys, rotateBytes, updateKeysBytes } from "../../ops/rekey-file.js";
import { encryptionRuleOf, type RuleCheck } from "../../ops/creation-rule.js";
import { readInputFile } from "../../ops/read-input.js";
import type { RecipientDiff } from "../../document/recipient-diff.js";
import type { CliContext } from "../context.js";
import { warn } from "../context.js";
import { storeOptionsFor } from "../options.js";
import { shared, type GlobalArgs } from "../globals.js";
import { describeError, resolveTargets, runBatch, type Target } from "../batch.js";
import { confirm } from "../prompt.js";
import { withWriteLock } from "../output.js";

type Args = GlobalArgs & { files: string[]; all?: boolean; yes?: boolean; rotate?: boolean; "input-type"?: string };

/** The lines shown for one file's change. */
export function describeDiff(display: string, diff: RecipientDiff, rotate: boolean, names: ReadonlyMap<string, string> = new Map()): string {
  const lines = [`${display}:`];
  const who = (c: { kind: string; id: string }): string => {
    const name = nameFor(names, c.id);
    return name ? `${c.kind} ${name} (${c.id})` : `${c.kind} ${c.id}`;
  };
  for (const a of diff.added) lines.push(`    + ${who(a)}${a.group > 0 ? ` (group ${a.group + 1})` : ""}`);
  for (const r of diff.removed) lines.push(`    - ${who(r)}${r.group > 0 ? ` (group ${r.group + 1})` : ""}`);
  if (diff.regrouped) lines.push("    key groups or Shamir threshold change");
  if (rotate) lines.push("    data key renewed (every value re-encrypted)");
  return lines.join("\n");
}

/** updatekeys never rewrites values, so a file weaker than its creation rule is fixed with `rotate`. */
function ruleCheck(t: Target, format: FormatName): RuleCheck {
  return { wanted: encryptionRuleOf(t.rule, format), fix: false, hint: `re-encrypt it under its creation rule first with \`secrets rotate -i --fix-rule ${t.display}\`` };
}

interface Planned {
  readonly target: Target;
  readonly format: FormatName;
  readonly diff: RecipientDiff;
}

/** sops's updatekeys fails on a missing file with a plain error, so exit 1 (updatekeys.go:34, main.go:768). */
const readUpdateInput = (path: string): Uint8Array => readInputFile(path, 1);

export function updatekeysCommand(ctx: CliContext): CommandModule<GlobalArgs, Args> {
  return {
    command: "updatekeys [files..]",
    describe: "make files' recipients match their .sops.yaml creation rule",
    builder: (y: Argv<GlobalArgs>) =>
      y
        .positional("files", { type: "string", array: true, describe: "encrypted files" })
        .options({
          all: { type: "boolean", describe: "every file of the repository that a creation rule covers" },
          yes: { alias: "y", type: "boolean", describe: "do not ask for confirmation" },
          rotate: { type: "boolean", describe: "also renew the data key (do this after removing someone)" },
          "input-type": { type: "string", describe: "format of the files (default: by extension)" },
        })
        .options(shared("config", "decryption-order", "indent"))
        .example("$0 updatekeys -y secrets/*.enc.yaml", "add the recipients newly named in .sops.yaml")
        .example("$0 updatekeys --all --rotate", "after removing a recipient: re-key and renew every data key") as unknown as Argv<Args>,
    handler: async (args) => {
      const targets = await resolveTargets(ctx, args.files ?? [], args.all === true, args.config);
      const rotate = args.rotate === true;
      const planned: Planned[] = [];
      for (const t of targets) {
        if (!t.rule) {
          if (!args.all) throw new SealError("NO_MATCHING_RULE", `no creation rule ${t.config ? `in ${t.config.path} ` : ""}matches ${t.display}`, { hint: "updatekeys needs a .sops.yaml rule naming the recipients" });
          continue;
        }
        const format = args["input-type"] ? parseFormatName(args["input-type"]) : formatFromPath(t.path);
        try {
          const diff = planUpdateKeys(readUpdateInput(t.path), format, t.rule, t.display, ruleCheck(t, format));
          if (diff.upToDate && !rotate) {
            warn(ctx, `${t.display}: already up to date`);
            continue;
          }
          planned.push({ target: t, format, diff });
        } catch (e) {
          if (args.all && isSealError(e, "NOT_ENCRYPTED")) {
            warn(ctx, `${t.display}: skipped, not encrypted`);
            continue;
          }
          if (targets.length === 1) throw e;
          warn(ctx, `${t.display}: ${describeError(e)}`);
        }
      }
      if (planned.length === 0) return;
      for (const p of planned) warn(ctx, describeDiff(p.target.display, p.diff, rotate, recipientNames(p.target.config)));
      if (!args.yes) {
        if (!ctx.interactive) {
          throw new SealError("USAGE", "refusing to change recipients without confirmation (no terminal to ask on)", { hint: "review the changes above and pass -y" });
        }
        if (!(await confirm(ctx, `Apply these changes to ${planned.length} file${planned.length === 1 ? "" : "s"}?`))) {
          warn(ctx, "nothing changed");
          return;
        }
      }
      const keyCtx = makeKeyContext(ctx.env);
      const order = parseDecryptionOrder(args["decryption-order"] ?? ctx.env.SOPS_DECRYPTION_ORDER);
      const byPath = new Map(planned.map((p) => [p.target.path, p]));
      await runBatch(ctx, planned.map((p) => p.target), "updated", (t) =>
        withWriteLock(ctx, t.path, async () => {
          const { format } = byPath.get(t.path)!;
          const rule = t.rule!;
          const opts = { format, ctx: keyCtx, order, file: t.display, storeOptions: storeOptionsFor(format, args.indent, t.config), names: recipientNames(t.config), rule: ruleCheck(t, format) };
          const bytes = readUpdateInput(t.path);
          if (rotate) {
            const out = await rotateBytes(bytes, { ...opts, replaceWith: rule });
            writeFileAtomic(t.path, out.bytes);
            return `updated ${t.display} (data key renewed)`;
          }
          const out = await updateKeysBytes(bytes, rule, opts);
          if (!out) return `${t.display}: already up to date`;
          writeFileAtomic(t.path, out.bytes);
          return `updated ${t.display}`;
        }),
      );
    },
  };
}
