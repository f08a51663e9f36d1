/**
 * Owns: `secrets revoke NAME|KEY` — someone left: take their key out of `.sops.yaml` and out of every file
 * that lists it, with a new data key per file; plan first, confirmation, progress, then a plain statement of
 * what revocation cannot undo and which values to change at their source.
 */
import { clearRecord, recordTouched, revokeRecordPath, type TouchedFile } from "../../ops/revoke-record.js";
import type { Argv, CommandModule } from "yargs";
import { SealError } from "../../errors.js";
import { writeFileAtomic } from "../../io/atomic-write.js";
import { parseDecryptionOrder } from "../../keys/registry.js";
import { makeKeyContext } from "../../ops/key-context.js";
import { configTextWithoutKey, planRevoke, revokeFile, type RevokePlan, type ShownRecipient } from "../../ops/revoke.js";
import type { CliContext } from "../context.js";
import { warn } from "../context.js";
import { storeOptionsFor } from "../options.js";
import { shared, type GlobalArgs } from "../globals.js";
import { runBatch } from "../batch.js";
import { confirm } from "../prompt.js";
import { withWriteLock } from "../output.js";

type Args = GlobalArgs & { target: string; yes?: boolean };

/** `bob (age age1…)`, or `age age1…` for a key without a name. */
export function showRecipient(r: ShownRecipient): string {
  const key = `${r.kind} ${r.id}`;
  return r.name ? `${r.name} (${key})` : key;
}

function who(plan: RevokePlan): string {
  return plan.name ? `${plan.name} (${plan.spec.kind} ${plan.key})` : plan.key;
}

/** The plan as printed before anything changes. */
export function describePlan(plan: RevokePlan): string {
  const lines = [`Revoking ${who(plan)}`];
  if (plan.configEdit) {
    lines.push(`${plan.configPath}: remove ${plan.configEdit.removed.length} line${plan.configEdit.removed.length === 1 ? "" : "s"}`);
    for (const r of plan.configEdit.removed) lines.push(`    ${r.where}: ${r.text}`);
  } else {
    lines.push(`${plan.configPath}: no longer names the key (unchanged)`);
  }
  lines.push(`${plan.files.length} file${plan.files.length === 1 ? "" : "s"} to re-key (recipients updated, data key renewed):`);
  for (const f of plan.files) {
    const groups = new Set([...f.before, ...f.after].map((r) => r.group)).size > 1;
    const list = (rs: ShownRecipient[]): string => rs.map((r) => `${groups ? `[group ${r.group + 1}] ` : ""}${showRecipient(r)}`).join(", ");
    lines.push(`  ${f.file.display}`, `      before: ${list(f.before)}`, `      after:  ${list(f.after)}`);
  }
  for (const s of plan.skipped) lines.push(`  skipped ${s.display}: ${s.reason}`);
  return lines.join("\n");
}

/** What revocation cannot do, and the value paths to change at their source (of every run of this revoke). */
export function describeLimits(plan: RevokePlan, touched: readonly TouchedFile[] = plan.files.map((f) => ({ display: f.file.display, valuePaths: f.valuePaths }))): string {
  const person = plan.name ?? "the holder of this key";
  const lines = [
    `${who(plan)} can no longer open the current versions of these files.`,
    `What revocation cannot do: ${person} may still hold old versions (git history, clones, backups, CI caches) and their key opens those.`,
    "Every secret they could read must be changed at its source (new passwords, tokens and keys from the systems that issued them), then stored with `secrets set` or `secrets edit`.",
  ];
  const withPaths = touched.filter((f) => f.valuePaths.length > 0);
  if (withPaths.length > 0) {
    lines.push("Values to change:");
    for (const f of withPaths) lines.push(`  ${f.display}: ${f.valuePaths.join(", ")}`);
  }
  return lines.join("\n");
}

export function revokeCommand(ctx: CliContext): CommandModule<GlobalArgs, Args> {
  return {
    command: "revoke <target>",
    describe: "remove a person's or machine's key from .sops.yaml and every file, renewing data keys",
    builder: (y: Argv<GlobalArgs>) =>
      y
        .positional("target", { type: "string", demandOption: true, describe: "a name from .sops.yaml `recipients:`, or a key (age1…, ssh-…, KMS id)" })
        .options({ yes: { alias: "y", type: "boolean", describe: "do not ask for confirmation" } })
        .options(shared("config", "decryption-order", "indent"))
        .example("$0 revoke bob", "show the plan, ask, then re-key every file bob could open")
        .example("$0 revoke -y age1…", "in a script: no question asked") as unknown as Argv<Args>,
    handler: async (args) => {
      const plan = await planRevoke({ cwd: ctx.cwd, env: ctx.env, target: args.target, ...(args.config ? { explicitConfig: args.config } : {}) });
      warn(ctx, describePlan(plan));
      if (!args.yes) {
        if (!ctx.interactive) {
          throw new SealError("USAGE", "refusing to revoke without confirmation (no terminal to ask on)", { hint: "review the plan above and pass -y" });
        }
        if (!(await confirm(ctx, `Revoke ${plan.name ?? plan.key} and re-key ${plan.files.length} file${plan.files.length === 1 ? "" : "s"}?`))) {
          warn(ctx, "nothing changed");
          return;
        }
      }
      // Kept until the revoke completes, so a run that resumes an interrupted one lists every file touched.
      const recordPath = await revokeRecordPath(ctx.cwd, plan.key);
      const touched = recordTouched(recordPath, plan.files.map((f) => ({ display: f.file.display, valuePaths: f.valuePaths })));
      const keyCtx = makeKeyContext(ctx.env);
      const order = parseDecryptionOrder(args["decryption-order"] ?? ctx.env.SOPS_DECRYPTION_ORDER);
      const byPath = new Map(plan.files.map((f) => [f.file.path, f]));
      const targets = plan.files.map((f) => ({ path: f.file.path, display: f.file.display, config: f.file.config, rule: f.file.rule }));
      try {
        await runBatch(ctx, targets, "re-keyed", (t) =>
          withWriteLock(ctx, t.path, async () => {
            const f = byPath.get(t.path)!;
            const out = await revokeFile(plan, f, { ctx: keyCtx, order, storeOptions: storeOptionsFor(f.format, args.indent, f.file.config) });
            for (const w of out.warnings) warn(ctx, `${t.display}: warning: ${w}`);
            writeFileAtomic(t.path, out.bytes);
            return `re-keyed ${t.display}`;
          }),
        );
      } catch (e) {
        // The config keeps naming the key until every file is done, so running revoke again (by name) resumes.
        if (e instanceof SealError) {
          throw new SealError(e.code, `${e.message}; ${plan.configPath} was left unchanged`, { hint: "fix the cause, then run the same `secrets revoke` again: files already re-keyed are skipped", exitCode: e.exitCode });
        }
        throw e;
      }
      if (plan.configEdit) {
        await withWriteLock(ctx, plan.configPath, async () => {
          const text = configTextWithoutKey(plan);
          if (text !== undefined) writeFileAtomic(plan.configPath, Buffer.from(text, "utf8"));
        });
      }
      ctx.stdout.write(`${describeLimits(plan, touched)}\n`);
      clearRecord(recordPath);
    },
  };
}
