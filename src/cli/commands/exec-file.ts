/**
 * Owns: `secrets exec-file FILE COMMAND` — sops's form: FILE decrypted into a named pipe (or, with
 * `--no-fifo`, a 0600 file) in a private folder, `{}` in COMMAND replaced by its path, run with `/bin/sh -c`
 * (cmd/sops/main.go exec-file). `secrets exec --file-env` is the same with more choices.
 */
import type { Argv, CommandModule } from "yargs";
import { SealError } from "../../errors.js";
import { loadConfig } from "../../config.js";
import { buildChildEnv, runChild, withSecretFile } from "../../exec/index.js";
import { chooseFormat, storeFor } from "../../formats/index.js";
import { decryptEnvFile } from "../../ops/env-files.js";
import type { CliContext } from "../context.js";
import type { GlobalArgs } from "../globals.js";
import { decryptOptionsFor } from "./exec.js";

type Args = GlobalArgs & {
  file: string;
  command: string;
  fifo: boolean;
  filename?: string;
  "ignore-mac"?: boolean;
  "input-type"?: string;
  "output-type"?: string;
  background?: boolean;
  user?: string;
};

/** sops's name for the file when `--filename` is not given (cmd/sops/subcommand/exec FallbackFilename). */
const SOPS_FILENAME = "tmp-file";

/** sops options of exec-env/exec-file that sealfile does not carry out; declared so they get a clear refusal. */
export const unsupportedSopsOptions = {
  background: { type: "boolean", describe: "sops only (deprecated there): not supported" },
  user: { type: "string", describe: "sops only: not supported (run sealfile as that user instead)" },
} as const;

/** @throws SealError USAGE for --background, --user and --same-process. */
export function refuseUnsupported(args: { background?: boolean | undefined; user?: string | undefined; "same-process"?: boolean | undefined }): void {
  const given = [args.background ? "--background" : "", args.user !== undefined ? "--user" : "", args["same-process"] ? "--same-process" : ""].filter(Boolean);
  if (given.length > 0) {
    throw new SealError("USAGE", `${given.join(", ")}: not supported by sealfile`, { hint: "run the command in the foreground as the current user (e.g. `sudo -u USER secrets exec-env …`)" });
  }
}

export function execFileCommand(ctx: CliContext): CommandModule<GlobalArgs, Args> {
  return {
    command: "exec-file <file> <command>",
    describe: "run `sh -c COMMAND` with {} replaced by the path of FILE decrypted (sops's exec-file)",
    builder: (y: Argv<GlobalArgs>) =>
      y
        .positional("file", { type: "string", describe: "encrypted file" })
        .positional("command", { type: "string", describe: "a shell command line; {} stands for the decrypted file's path" })
        .options({
          fifo: { type: "boolean", default: true, describe: "offer the file through a named pipe (--no-fifo: a 0600 file, deleted afterwards)" },
          filename: { type: "string", describe: `the decrypted file's name inside its private folder (default: ${SOPS_FILENAME})` },
          "ignore-mac": { type: "boolean", describe: "do not check the MAC (for damaged files)" },
          "input-type": { type: "string", describe: "format of FILE (default: by extension)" },
          "output-type": { type: "string", describe: "format of the decrypted file (default: FILE's)" },
          ...unsupportedSopsOptions,
        })
        .example(`$0 exec-file creds.enc.json 'deploy --credentials {}'`, "the command reads the decrypted file at {}") as unknown as Argv<Args>,
    handler: async (args) => {
      refuseUnsupported(args);
      const config = loadConfig({ cwd: ctx.cwd, env: ctx.env, ...(args.config ? { explicit: args.config } : {}) });
      const d = await decryptEnvFile(args.file, decryptOptionsFor(ctx, config, args, "exec-file"));
      const output = args["output-type"] ? chooseFormat(args["output-type"], args.file) : d.format;
      const content = storeFor(output).emitPlain(d.plain);
      const env = buildChildEnv(ctx.env, {}, { override: true, pristine: false });
      const spec = { name: "SOPS_EXEC_FILE", content, fifo: args.fifo, filename: args.filename ?? SOPS_FILENAME };
      const exitCode = await withSecretFile(spec, async (path) => {
        const command = args.command.split("{}").join(path);
        return (await runChild({ command: [command], shell: true, env, cwd: ctx.cwd, stdio: "inherit" })).exitCode;
      });
      ctx.setExitCode(exitCode);
    },
  };
}
