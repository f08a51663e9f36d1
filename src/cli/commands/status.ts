/**
 * Owns: `secrets status [PATH]` — for every file a creation rule covers: encrypted or not, recipients up to
 * date with the rule, data key age against `rotate_after`. Needs no key. `--check` fails (exit 1) for CI.
 */
import type { Argv, CommandModule } from "yargs";
import { SealError } from "../../errors.js";
import { filesMatchingRules, gitTopLevel } from "../../ops/rule-files.js";
import { statusOf, type FileStatus } from "../../ops/repo-status.js";
import { nameFor, recipientNames } from "../../config.js";
import type { RecipientChange } from "../../document/recipient-diff.js";
import type { CliContext } from "../context.js";
import { shared, type GlobalArgs } from "../globals.js";

type Args = GlobalArgs & { path?: string; check?: boolean; json?: boolean };

type Change = { readonly kind: string; readonly id: string; readonly name?: string };

/** `+age bob (age1…)` when `.sops.yaml` names the key, else `+age age1…`. */
function change(sign: string, c: Change): string {
  return c.name ? `${sign}${c.kind} ${c.name} (${c.id})` : `${sign}${c.kind} ${c.id}`;
}

/** The status with the `.sops.yaml` name of each added or removed recipient. */
function withNames(s: FileStatus, names: ReadonlyMap<string, string>): FileStatus {
  const named = (cs: readonly RecipientChange[] | undefined): RecipientChange[] | undefined =>
    cs?.map((c) => {
      const name = nameFor(names, c.id);
      return name ? { ...c, name } : c;
    });
  return { ...s, ...(s.added ? { added: named(s.added)! } : {}), ...(s.removed ? { removed: named(s.removed)! } : {}) };
}

function line(s: FileStatus): string {
  if (!s.encrypted) return `${s.path}: NOT ENCRYPTED${s.unsealedReason ? ` (${s.unsealedReason})` : ""}`;
  if (s.broken) return `${s.path}: BROKEN METADATA (${s.broken})`;
  const parts: string[] = [];
  if (s.weakRule) parts.push(`WEAKER THAN ITS CREATION RULE (${s.weakRule})`);
  if (s.clearValues) parts.push(`VALUES IN CLEAR (${s.clearValues.join(", ")})`);
  if (s.recipientsUpToDate === undefined) parts.push("recipients: rule names none");
  else if (s.recipientsUpToDate) parts.push("recipients up to date");
  else {
    const changes = [...(s.added ?? []).map((a) => change("+", a)), ...(s.removed ?? []).map((r) => change("-", r)), ...(s.regrouped ? ["key groups differ"] : [])];
    parts.push(`RECIPIENTS OUT OF DATE (${changes.join(", ")})`);
  }
  if (s.keyAgeDays !== undefined) {
    const age = `data key ${s.keyAgeDays}d old${s.keyAgeSource === "sealfile_rotated_at" ? "" : ` (by ${s.keyAgeSource})`}`;
    parts.push(s.overdue ? `${age}: ROTATION OVERDUE (rotate_after ${s.rotateAfter})` : s.rotateAfter ? `${age}, rotate_after ${s.rotateAfter}` : age);
  }
  return `${s.path}: encrypted, ${parts.join(", ")}`;
}

export function statusCommand(ctx: CliContext): CommandModule<GlobalArgs, Args> {
  return {
    command: "status [path]",
    describe: "show whether files are encrypted, their recipients current and their data keys fresh",
    builder: (y: Argv<GlobalArgs>) =>
      y
        .positional("path", { type: "string", describe: "a folder or file (default: the repository, else the working directory)" })
        .options({
          check: { type: "boolean", describe: "exit 1 when a file is unencrypted, out of date or overdue for rotation" },
          json: { type: "boolean", describe: "print JSON" },
        })
        .options(shared("config"))
        .example("$0 status --check", "in CI: fail when something needs attention") as unknown as Argv<Args>,
    handler: async (args) => {
      const root = args.path ?? (await gitTopLevel(ctx.cwd)) ?? ctx.cwd;
      const { files, links } = await filesMatchingRules(root, { cwd: ctx.cwd, env: ctx.env, ...(args.config ? { explicitConfig: args.config } : {}) });
      const now = new Date();
      const statuses = files.map((f) => withNames(statusOf(f, now), recipientNames(f.config)));
      const needing = statuses.filter((s) => s.problems.length > 0);
      if (args.json) {
        const skippedLinks = links.map((l) => l.display);
        ctx.stdout.write(`${JSON.stringify({ files: statuses, skippedLinks, summary: { files: statuses.length, needAttention: needing.length } }, null, 2)}\n`);
      } else {
        for (const s of statuses) ctx.stdout.write(`${line(s)}\n`);
        for (const l of links) ctx.stdout.write(`${l.display}  skipped: a symbolic link\n`);
        ctx.stdout.write(statuses.length === 0 ? "no files match a creation rule\n" : `${statuses.length} file${statuses.length === 1 ? "" : "s"}, ${needing.length} need${needing.length === 1 ? "s" : ""} attention\n`);
      }
      if (args.check && needing.length > 0) {
        throw new SealError("CHECK_FAILED", `${needing.length} of ${statuses.length} files need attention`, {
          hint: "encrypt plaintext files with `secrets encrypt -i`, re-encrypt weaker files with `secrets rotate -i --fix-rule`, update recipients with `secrets updatekeys`, renew keys with `secrets rotate`",
        });
      }
    },
  };
}
