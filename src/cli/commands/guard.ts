/** Owns: `secrets guard` — the pre-commit check over staged files, all tracked files or given paths. */
import type { Argv, CommandModule } from "yargs";
import { SealError } from "../../errors.js";
import { runGuard, type GuardMode } from "../../guard/index.js";
import { loadGuardPolicy } from "../../ops/guard-policy.js";
import { RULE_CATALOG } from "../../guard/index.js";
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
  stdin?: boolean;
  history?: string;
  "list-rules"?: boolean;
};

/** Exit status of usage, config and git errors; 1 is kept for findings. */
const GUARD_ERROR_EXIT = 2;

function chooseMode(args: Args): GuardMode {
  const paths = args.paths ?? [];
  const stdin = args.stdin === true; // `guard -` arrives as --stdin (see run.ts)
  const history = args.history !== undefined;
  const chosen = [args.staged, args.all, stdin, history].filter(Boolean).length;
  if (chosen > 1) throw new SealError("USAGE", "choose one of --staged, --all, --stdin (or -), --history");
  if (paths.length > 0 && (args.staged || args.all || history || args.stdin)) {
    throw new SealError("USAGE", "give either paths or one of --staged, --all, --stdin, --history, not both");
  }
  if (stdin && args["baseline-update"]) throw new SealError("USAGE", "--baseline-update needs files with paths; it cannot be used with standard input");
  return stdin ? "stdin" : history ? "history" : args.all ? "all" : paths.length > 0 ? "paths" : "staged";
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === "string" ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks);
}

async function guard(ctx: CliContext, args: Args): Promise<void> {
  if (args["list-rules"]) {
    ctx.stdout.write(args.json ? `${JSON.stringify(RULE_CATALOG, null, 2)}\n` : ruleList());
    return;
  }
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
    ...(mode === "stdin" ? { stdin: await readAll(ctx.stdin) } : {}),
    ...(mode === "history" && args.history ? { range: args.history } : {}),
  });
  if (args.json) ctx.stdout.write(guardJson(mode, result));
  for (const note of result.notes) ctx.stderr.write(`note: ${note} (not checked)\n`);
  for (const warning of result.warnings) ctx.stderr.write(`warning: ${warning}\n`);
  if (result.findings.length === 0 || result.baselineWritten) ctx.stderr.write(guardSummary(mode, result));
  if (result.findings.length === 0) return;
  if (!args.json) ctx.stderr.write(`${guardFindingLines(result)}\n`);
  throw new SealError("GUARD_FINDINGS", guardHeadline(mode, result), { hint: guardAdvice(mode) });
}

/** The catalog as text: one rule a line (id, provider), then its documented format and an example, indented. */
function ruleList(): string {
  return RULE_CATALOG.map((r) => `${r.id.padEnd(26)} ${r.provider}\n    format:  ${r.docs}\n    example: ${r.example}\n`).join("");
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
          stdin: { type: "boolean", describe: "check standard input (same as the path -)" },
          history: { type: "string", requiresArg: false, describe: "check every file version in the history once (all refs, or a revision range like main..HEAD)" },
          "list-rules": { type: "boolean", describe: `print the guard's ${RULE_CATALOG.length} rules: each token format, its provider, an example and where the format is documented` },
        })
        .options(shared("config"))
        .example("$0 guard", "check the staged files (what the pre-commit hook runs)")
        .example("$0 guard --all --json", "check every tracked file and print JSON findings")
        .example("$0 guard --all --baseline-update", "accept today's findings so the hook can be adopted gradually")
        .example("$0 guard --history", "check every commit ever made (each file version once)")
        .example("kubectl get secret x -o yaml | $0 guard -", "check standard input") as unknown as Argv<Args>,
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
