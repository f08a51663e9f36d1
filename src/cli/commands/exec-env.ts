/**
 * Owns: `secrets exec-env FILE COMMAND` — sops's form: FILE's top-level values in the environment of
 * `/bin/sh -c COMMAND` (cmd/sops/main.go exec-env). `secrets exec` is the same with more choices.
 */
import type { Argv, CommandModule } from "yargs";
import { loadConfig } from "../../config.js";
import { buildChildEnv, runChild, treeToEnv } from "../../exec/index.js";
import { decryptEnvFile } from "../../ops/env-files.js";
import type { CliContext } from "../context.js";
import type { GlobalArgs } from "../globals.js";
import { decryptOptionsFor } from "./exec.js";
import { refuseUnsupported, unsupportedSopsOptions } from "./exec-file.js";

type Args = GlobalArgs & { file: string; command: string; pristine?: boolean; "ignore-mac"?: boolean; "input-type"?: string; background?: boolean; user?: string; "same-process"?: boolean };

export function execEnvCommand(ctx: CliContext): CommandModule<GlobalArgs, Args> {
  return {
    command: "exec-env <file> <command>",
    describe: "run `sh -c COMMAND` with FILE's values in its environment (sops's exec-env)",
    builder: (y: Argv<GlobalArgs>) =>
      y
        .positional("file", { type: "string", describe: "encrypted file" })
        .positional("command", { type: "string", describe: "a shell command line, run with /bin/sh -c" })
        .options({
          pristine: { type: "boolean", describe: "give the command only the secrets (plus PATH and HOME), not the inherited environment" },
          "ignore-mac": { type: "boolean", describe: "do not check the MAC (for damaged files)" },
          "input-type": { type: "string", describe: "format of FILE (default: by extension)" },
          ...unsupportedSopsOptions,
          "same-process": { type: "boolean", describe: "sops only: not supported (Node cannot replace its process)" },
        })
        .example(`$0 exec-env secrets.enc.yaml 'echo "$DB_PASSWORD" | psql'`, "the values are environment variables of the command") as unknown as Argv<Args>,
    handler: async (args) => {
      refuseUnsupported(args);
      const config = loadConfig({ cwd: ctx.cwd, env: ctx.env, ...(args.config ? { explicit: args.config } : {}) });
      const d = await decryptEnvFile(args.file, decryptOptionsFor(ctx, config, args, "exec-env"));
      // Top-level values only: a map or list is refused, as sops refuses a "complex value".
      const secrets = treeToEnv(d.plain, { flatten: false, format: d.format });
      const env = buildChildEnv(ctx.env, secrets, { override: true, pristine: args.pristine === true });
      const { exitCode } = await runChild({ command: [args.command], shell: true, env, cwd: ctx.cwd, stdio: "inherit" });
      ctx.setExitCode(exitCode);
    },
  };
}
