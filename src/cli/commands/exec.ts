/** Owns: `secrets exec` — decrypt files into a child's environment (or a private file) and run it. */
import { basename } from "node:path";
import type { Argv, CommandModule } from "yargs";
import { SealError } from "../../errors.js";
import { loadConfig, recipientNames, type SopsConfig } from "../../config.js";
import { buildChildEnv, KEY_ENV_NAMES, MASK_RULE, mergeEnvs, runChild, treeToEnv, withSecretFile, worthMasking } from "../../exec/index.js";
import { auditLogPath } from "../../ops/audit-log.js";
import { decryptEnvFile, defaultEnvFiles, DEFAULT_ENV_FILES, plainBytesOf, type DecryptFilesOptions } from "../../ops/env-files.js";
import { makeKeyContext } from "../../ops/key-context.js";
import type { CliContext } from "../context.js";
import { shared, type GlobalArgs } from "../globals.js";

type Args = GlobalArgs & {
  file?: string[];
  flatten: boolean;
  override: boolean;
  pristine?: boolean;
  shell?: boolean;
  mask?: boolean;
  "file-env"?: string[];
  fifo: boolean;
  "ignore-mac"?: boolean;
  "input-type"?: string;
  "keep-key-env"?: boolean;
  command?: string[];
  "--"?: string[];
  _: Array<string | number>;
};

export function execCommand(ctx: CliContext): CommandModule<GlobalArgs, Args> {
  return {
    command: "exec [command..]",
    describe: "run a command with decrypted secrets in its environment",
    builder: (y: Argv<GlobalArgs>) =>
      y
        .parserConfiguration({ "populate--": true })
        .positional("command", { type: "string", array: true, describe: "the command and its arguments, after --" })
        .options({
          file: { alias: "f", type: "string", array: true, describe: `encrypted file (repeatable; later ones win). Default: .sops.yaml exec.files, else the first of ${DEFAULT_ENV_FILES.join(", ")}` },
          flatten: { type: "boolean", default: true, describe: "nested keys become PARENT_CHILD (--no-flatten refuses them, like sops)" },
          override: { type: "boolean", default: true, describe: "secrets replace inherited variables (--no-override keeps those)" },
          pristine: { type: "boolean", describe: "start from an empty environment plus PATH and HOME" },
          shell: { type: "boolean", describe: "run the command through /bin/sh -c" },
          mask: { type: "boolean", describe: `replace secrets in the child's output with *** (not a security boundary). Masked: ${MASK_RULE}` },
          "file-env": { type: "string", array: true, describe: "NAME=FILE: offer FILE decrypted at the path held in $NAME (repeatable)" },
          fifo: { type: "boolean", default: true, describe: "offer --file-env through a named pipe (--no-fifo: a 0600 file, deleted afterwards)" },
          "ignore-mac": { type: "boolean", describe: "do not check the MAC (for damaged files)" },
          "input-type": { type: "string", describe: "format of every file: yaml, json, dotenv, ini (default: by extension)" },
          "keep-key-env": {
            type: "boolean",
            describe: `pass sealfile's own key variables on to the child (${KEY_ENV_NAMES.join(", ")}, SEALFILE_*_TOKEN); dropped by default`,
          },
        })
        .options(shared("config", "decryption-order"))
        .example("$0 exec -- npm start", "run with the default secrets file")
        .example("$0 exec -f base.enc.yaml -f prod.enc.yaml -- node server.js", "later files override earlier ones")
        .example("$0 exec --file-env CREDS=creds.enc.json -- ./deploy.sh", "offer a decrypted file at $CREDS") as unknown as Argv<Args>,
    handler: async (args) => {
      const command = commandOf(args);
      const config = loadConfig({ cwd: ctx.cwd, env: ctx.env, ...(args.config ? { explicit: args.config } : {}) });
      const fileEnvs = (args["file-env"] ?? []).map(parseFileEnv);
      const named = args.file ?? [];
      const files = named.length > 0 ? named : defaultEnvFiles(ctx.cwd, config);
      if (files.length === 0 && fileEnvs.length === 0) {
        throw new SealError("FILE_NOT_FOUND", "no secrets file to load", {
          hint: `name one with -f FILE, list them under exec.files in .sops.yaml, or create one of ${DEFAULT_ENV_FILES.join(", ")}`,
        });
      }
      const opts = decryptOptionsFor(ctx, config, args, "exec");
      const [envFiles, offered] = await Promise.all([
        Promise.all(files.map((f) => decryptEnvFile(f, opts))),
        Promise.all(fileEnvs.map(async (fe) => ({ ...fe, file: await decryptEnvFile(fe.path, opts) }))),
      ]);
      const secrets = mergeEnvs(envFiles.map((d) => treeToEnv(d.plain, { flatten: args.flatten, format: d.format })));
      const maskValues = args.mask ? [...envFiles, ...offered.map((o) => o.file)].flatMap((d) => d.encryptedValues).filter(worthMasking) : [];

      const run = async (paths: Record<string, string>): Promise<number> => {
        const env = buildChildEnv(ctx.env, { ...secrets, ...paths }, {
          override: args.override,
          pristine: args.pristine === true,
          keepKeyEnv: args["keep-key-env"] === true,
        });
        const { exitCode } = await runChild({ command, shell: args.shell === true, env, cwd: ctx.cwd, stdio: args.mask ? { mask: maskValues } : "inherit" });
        return exitCode;
      };
      // Each --file-env wraps the next, so every private folder is removed whatever way we end.
      const nest = (i: number, paths: Record<string, string>): Promise<number> => {
        const fe = offered[i];
        if (fe === undefined) return run(paths);
        const content = plainBytesOf(fe.file);
        return withSecretFile({ name: fe.name, content, fifo: args.fifo, filename: plainName(fe.path) }, (p) => nest(i + 1, { ...paths, [fe.name]: p }));
      };
      ctx.setExitCode(await nest(0, Object.create(null) as Record<string, string>));
    },
  };
}

/** How `exec`, `exec-env` and `exec-file` decrypt their files. */
export function decryptOptionsFor(
  ctx: CliContext,
  config: SopsConfig | undefined,
  args: GlobalArgs & { "input-type"?: string | undefined; "ignore-mac"?: boolean | undefined },
  command: string,
): DecryptFilesOptions {
  return {
    cwd: ctx.cwd,
    env: ctx.env,
    inputType: args["input-type"],
    ignoreMac: args["ignore-mac"],
    decryptionOrder: args["decryption-order"],
    auditLog: auditLogPath(ctx.env, ctx.cwd, config),
    command,
    keyContext: makeKeyContext(ctx.env),
    names: recipientNames(config),
  };
}

/** argv after `--` verbatim; without `--`, the positional words (yargs has parsed any options among them). */
function commandOf(args: Args): string[] {
  const rest = args["--"] ?? [];
  const words = rest.length > 0 ? rest : (args.command ?? []);
  const command = words.map(String);
  if (command.length === 0) throw new SealError("USAGE", "no command to run", { hint: "put it after --, e.g. `secrets exec -- npm start`" });
  return command;
}

function parseFileEnv(spec: string): { name: string; path: string } {
  const eq = spec.indexOf("=");
  if (eq <= 0 || eq === spec.length - 1) throw new SealError("USAGE", `--file-env expects NAME=FILE, got ${JSON.stringify(spec)}`);
  return { name: spec.slice(0, eq), path: spec.slice(eq + 1) };
}

/** The name the decrypted file gets in its private folder: the encrypted file's, without `.enc`. */
function plainName(path: string): string {
  const name = basename(path).replace(/\.enc(?=\.|$)/, "");
  return name === "" || name.startsWith(".") ? `secret${name}` : name;
}
