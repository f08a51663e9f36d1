/** Owns: `secrets guard` — the pre-commit check over staged files, all tracked files or given paths. */
import type { Argv, CommandModule } from "yargs";
import { SealError } from "../../errors.js";
import { runGuard, type GuardMode } from "../../guard/index.js";
import { loadGuardPolicy } from "../../ops/guard-policy.js";
import type { CliContext } from "../context.js";
import { shared, type GlobalArgs } from "../globals.js";
import { guardAdvice, guardFindingLines, guardHeadline, guardJson, guardSummary } from "../guard-report.js";

type Args = GlobalArgs & {
  paths?: string[];
  staged?: boolean;
  all?: boolean;
  json?: boolean;
  "baseline-update"?: boolean;
  baseline?: string;
};

/** Exit status of usage, config and git errors; 1 is kept for findings. */
const GUARD_ERROR_EXIT = 2;

function chooseMode(args: Args): GuardMode {
  const paths = args.paths ?? [];
  if (args.staged && args.all) throw new SealError("USAGE", "--staged and --all cannot be combined");
  if (paths.length > 0 && (args.staged || args.all)) throw new SealError("USAGE", "give either paths or --staged/--all, not both");
  return args.all ? "all" : paths.length > 0 ? "paths" : "staged";
}

async function guard(ctx: CliContext, args: Args): Promise<void> {
  const mode = chooseMode(args);
  const policy = await loadGuardPolicy({ cwd: ctx.cwd, env: ctx.env, explicit: args.config });
  const result = await runGuard({
    cwd: ctx.cwd,
    mode,
    paths: args.paths ?? [],
    policy,
    ...(args.baseline ? { baselinePath: args.baseline } : {}),
    ...(args["baseline-update"] ? { updateBaseline: true } : {}),
    ...(args.json ? { fingerprints: true } : {}),
  });
  if (args.json) ctx.stdout.write(guardJson(mode, result));
  for (const note of result.notes) ctx.stderr.write(`note: ${note} (not checked)\n`);
  for (const warning of result.warnings) ctx.stderr.write(`warning: ${warning}\n`);
  if (result.findings.length === 0 || result.baselineWritten) ctx.stderr.write(guardSummary(mode, result));
  if (result.findings.length === 0) return;
  if (!args.json) ctx.stderr.write(`${guardFindingLines(result)}\n`);
  throw new SealError("GUARD_FINDINGS", guardHeadline(mode, result), { hint: guardAdvice(mode) });
}

export function guardCommand(ctx: CliContext): CommandModule<GlobalArgs, Args> {
  return {
    command: "guard [paths..]",
    describe: "block plaintext secrets before they reach git (staged files by default)",
    builder: (y: Argv<GlobalArgs>) =>
      y
        .positional("paths", { type: "string", array: true, describe: "files or folders to check instead of the index" })
        .options({
          staged: { type: "boolean", describe: "check what is staged for the next commit (the default)" },
          all: { type: "boolean", describe: "check every tracked file in the working tree" },
          json: { type: "boolean", describe: "print findings as JSON on stdout (for CI annotations)" },
          "baseline-update": { type: "boolean", describe: "accept the current findings into the baseline instead of failing" },
          baseline: { type: "string", describe: "baseline file (default .secrets-baseline.json at the repository root)" },
        })
        .options(shared("config"))
        .example("$0 guard", "check the staged files (what the pre-commit hook runs)")
        .example("$0 guard --all --json", "check every tracked file and print JSON findings")
        .example("$0 guard --all --baseline-update", "accept today's findings so the hook can be adopted gradually") as unknown as Argv<Args>,
    handler: async (args) => {
      try {
        await guard(ctx, args);
      } catch (e) {
        if (e instanceof SealError && (e.code === "GUARD_FINDINGS" || e.exitCode === GUARD_ERROR_EXIT)) throw e;
        if (e instanceof SealError) throw new SealError(e.code, e.message, { exitCode: GUARD_ERROR_EXIT, cause: e, ...(e.hint ? { hint: e.hint } : {}) });
        if (args.debug && e instanceof Error) ctx.stderr.write(`${e.stack ?? e.message}\n`);
        throw new SealError("GENERIC", "the guard hit an unexpected error; please report it (run with --debug for details)", { exitCode: GUARD_ERROR_EXIT, cause: e });
      }
    },
  };
}
