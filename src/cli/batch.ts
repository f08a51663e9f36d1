/**
 * Owns: what `rotate` and `updatekeys` share — turning FILE… or `--all` into a list of targets, running a
 * job per file with bounded concurrency and progress, and summing up failures as one error.
 */
import { resolve, relative, sep } from "node:path";
import { SealError } from "../errors.js";
import { loadConfig, matchRule, type CreationRule, type SopsConfig } from "../config.js";
import { filesMatchingRules, gitTopLevel } from "../ops/rule-files.js";
import { runPool, type Settled } from "../ops/run-pool.js";
import type { CliContext } from "./context.js";
import { Progress } from "./progress.js";

/** Files worked on at once: enough to overlap KMS round trips, few enough to keep memory flat. */
export const CONCURRENCY = 4;

export interface Target {
  readonly path: string;
  readonly display: string;
  readonly config: SopsConfig | undefined;
  readonly rule: CreationRule | undefined;
}

/**
 * The files named, or with `all` every regular file of the repository (else the working directory) that a
 * creation rule covers; symbolic links are named on stderr as skipped.
 * @throws SealError NO_FILE_SPECIFIED (exit 100, as sops) when neither is given, USAGE when both are.
 */
export async function resolveTargets(ctx: CliContext, files: readonly string[], all: boolean, explicitConfig: string | undefined): Promise<Target[]> {
  if (all && files.length > 0) throw new SealError("USAGE", "give either FILE… or --all, not both");
  if (!all && files.length === 0) throw new SealError("NO_FILE_SPECIFIED", "name at least one file, or pass --all", { hint: "e.g. `secrets rotate -i secrets.enc.yaml`, or --all for every file a creation rule covers" });
  if (all) {
    const root = (await gitTopLevel(ctx.cwd)) ?? ctx.cwd;
    const { files, links } = await filesMatchingRules(root, { cwd: ctx.cwd, env: ctx.env, ...(explicitConfig ? { explicitConfig } : {}) });
    for (const link of links) ctx.stderr.write(`skipped ${link.display}: a symbolic link (--all rewrites regular files only; name the file it points to)\n`);
    return files;
  }
  return files.map((f) => {
    const path = resolve(ctx.cwd, f);
    const config = loadConfig({ cwd: ctx.cwd, file: f, env: ctx.env, ...(explicitConfig ? { explicit: explicitConfig } : {}) });
    const rule = config ? matchRule(config, path, ctx.cwd) : undefined;
    return { path, display: relative(ctx.cwd, path).split(sep).join("/"), config, rule };
  });
}

/** One-line description of a failure (code and message; SealError messages never hold secrets). */
export function describeError(e: unknown): string {
  if (e instanceof SealError) return `error[${e.code}]: ${e.message.split("\n")[0]}`;
  return "error[INTERNAL]: unexpected error";
}

/**
 * Runs `job` over the targets, `CONCURRENCY` at a time, with progress. `job` returns the line to show.
 * @throws the failure itself for a single target; else SealError GENERIC naming how many failed (the exit
 *         status of the first failure).
 */
export async function runBatch(ctx: CliContext, targets: readonly Target[], verb: string, job: (t: Target) => Promise<string>): Promise<Settled<string>[]> {
  const progress = new Progress(ctx, targets.length);
  const results = await runPool(targets, CONCURRENCY, job, (t, outcome, done) => {
    if (outcome.ok) progress.tick(done, outcome.value);
    else if (targets.length > 1) progress.tick(done, `${t.display}: ${describeError(outcome.error)}`, true);
  });
  progress.finish();
  const failed = results.filter((r): r is { ok: false; error: unknown } => !r.ok);
  if (failed.length === 0) return results;
  if (targets.length === 1) throw failed[0]!.error;
  const first = failed[0]!.error;
  throw new SealError("GENERIC", `${failed.length} of ${targets.length} files could not be ${verb}; the others were`, {
    exitCode: first instanceof SealError ? first.exitCode : 1,
  });
}
