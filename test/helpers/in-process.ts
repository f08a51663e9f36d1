/**
 * Owns: running one `secrets` command line inside the test process, through the same `runCli` that
 * bin/secrets.js runs. A run costs milliseconds instead of a Node start-up, so table-driven tests can cover
 * every command and flag. Code below runCli that reads process.env itself (os.tmpdir(), the AWS SDK's shared
 * config) sees the test process's; where that matters, use runSecrets/runSecretsAsync (./cli.ts), whose
 * worker thread takes the run's environment, or a real process.
 */
import { runCommandLine } from "./cli-run.js";
import { ROOT, runSecretsAsync, type RunResult } from "./cli.js";

// src/cli/main.ts sets this on the process for the lazily loaded AWS SDK; the test process needs the same.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

export interface InProcessOptions {
  env: Record<string, string>;
  cwd?: string;
  input?: string | Buffer;
  /** Passed to runCli as the terminal's width (help pages). */
  columns?: number;
}

/** `secrets ARGS` run in this process with its own streams, state, environment and working folder. */
export async function runInProcess(args: string[], opts: InProcessOptions): Promise<RunResult & { ms: number }> {
  if (process.env.SEALFILE_TEST_PROCESS === "1") return runSecretsAsync(args, { ...opts, process: true });
  const input = opts.input ?? "";
  const r = await runCommandLine({
    args,
    env: opts.env,
    cwd: opts.cwd ?? ROOT,
    input: typeof input === "string" ? Buffer.from(input) : input,
    ...(opts.columns === undefined ? {} : { columns: opts.columns }),
  });
  return { code: r.code, stdout: r.stdout.toString("utf8"), stderr: r.stderr, stdoutBytes: r.stdout, ms: r.ms };
}
