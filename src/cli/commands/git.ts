/**
 * Owns: `secrets git setup | diff-text | merge` — installing the diff textconv and merge drivers, and the
 * two commands git runs through them.
 */
import { realpathSync } from "node:fs";
import { resolve } from "node:path";
import type { Argv, CommandModule } from "yargs";
import { SealError, isSealError } from "../../errors.js";
import { loadConfig, recipientNames, type SopsConfig } from "../../config.js";
import { chooseFormat } from "../../formats/index.js";
import { parseDecryptionOrder } from "../../keys/registry.js";
import { makeKeyContext } from "../../ops/key-context.js";
import { readInput } from "../../ops/read-input.js";
import { writeFileAtomic } from "../../io/atomic-write.js";
import { withWriteLock } from "../output.js";
import { wipe } from "../../crypto/wipe.js";
import { mergeSealed } from "../../git/merge-driver.js";
import { writeConflictFile } from "../../git/conflict-file.js";
import { mergePlainFiles } from "../../git/plain-merge.js";
import { textconv } from "../../git/textconv.js";
import { formerRecipientNames } from "../../git/former-names.js";
import { setupGit } from "../../git/setup.js";
import { chooseDriverCommand } from "../../git/driver-command.js";
import { runGitText } from "../../git/run-git.js";
import type { ByteSink, CliContext } from "../context.js";
import { storeOptionsFor } from "../options.js";
import { shared, type GlobalArgs } from "../globals.js";

type Args = GlobalArgs & {
  file?: string;
  base?: string;
  ours?: string;
  theirs?: string;
  path?: string;
  global?: boolean;
  command?: string;
  pattern?: string[];
  "input-type"?: string;
};

/** Writes to `to`: `ctx.payload` for the file text git asked for, `ctx.stdout` for reports. */
function write(to: ByteSink, data: Uint8Array): Promise<void> {
  return new Promise((res, rej) => to.write(data, (e) => (e ? rej(e) : res())));
}

/** The config for `file`, or undefined when there is none or it cannot be read (a diff must not fail over it). */
function quietConfig(ctx: CliContext, args: Args, file: string | undefined): SopsConfig | undefined {
  try {
    return loadConfig({ cwd: ctx.cwd, ...(file ? { file } : {}), ...(args.config ? { explicit: args.config } : {}), env: ctx.env });
  } catch {
    return undefined;
  }
}

async function diffText(ctx: CliContext, args: Args): Promise<void> {
  const file = args.file!;
  const bytes = await readInput(file, ctx);
  try {
    const format = chooseFormat(args["input-type"], file);
    // git hands blobs over as temp files outside the repository; their config is the one where git runs.
    const config = quietConfig(ctx, args, file) ?? quietConfig(ctx, args, undefined);
    const result = await textconv(bytes, {
      format,
      ctx: makeKeyContext(ctx.env),
      order: parseDecryptionOrder(args["decryption-order"] ?? ctx.env.SOPS_DECRYPTION_ORDER),
      file,
      storeOptions: storeOptionsFor(format, args.indent, config),
      names: recipientNames(config),
      // Someone `revoke` took out of .sops.yaml is still named by its history, so the revoke commit names them.
      // Without a .sops.yaml there is nobody to name, and no git process per blob to pay for.
      ...(config ? { formerNames: () => formerRecipientNames(config.path) } : {}),
    });
    if (result.problem) ctx.stderr.write(`secrets git diff-text: ${result.problem.message} (showing the encrypted text)\n`);
    try {
      await write(ctx.payload, result.text);
    } finally {
      if (result.decrypted) wipe(result.text);
    }
  } catch (e) {
    // git diff must never fail because of us: show the bytes as they are.
    ctx.stderr.write(`secrets git diff-text: ${isSealError(e) ? e.message : "unexpected error"} (showing the encrypted text)\n`);
    await write(ctx.payload, bytes);
  }
}

/** Git's merge driver: OURS is rewritten, so it is locked from its read to its write. */
function merge(ctx: CliContext, args: Args): Promise<void> {
  return withWriteLock(ctx, resolve(ctx.cwd, args.ours!), () => mergeLocked(ctx, args));
}

async function mergeLocked(ctx: CliContext, args: Args): Promise<void> {
  const oursPath = resolve(ctx.cwd, args.ours!);
  const name = args.path ?? args.ours!;
  const format = chooseFormat(args["input-type"], name);
  const config = loadConfig({ cwd: ctx.cwd, file: name, ...(args.config ? { explicit: args.config } : {}), env: ctx.env });
  const [base, ours, theirs] = await Promise.all([args.base!, args.ours!, args.theirs!].map((p) => readInput(p, ctx)));
  const result = await mergeSealed(
    { base: base!, ours: ours!, theirs: theirs! },
    {
      format,
      ctx: makeKeyContext(ctx.env),
      order: parseDecryptionOrder(args["decryption-order"] ?? ctx.env.SOPS_DECRYPTION_ORDER),
      file: name,
      storeOptions: storeOptionsFor(format, args.indent, config),
    },
  );
  if (result.kind === "merged") {
    writeFileAtomic(oursPath, result.bytes);
    if (args.verbose) ctx.stderr.write(`secrets git merge: ${name}: merged, encrypted for ${result.keysFrom === "ours" ? "this branch's" : "the other branch's"} recipients\n`);
    return;
  }
  if (result.kind === "not-encrypted") {
    const clean = await mergePlainFiles({ cwd: ctx.cwd, base: resolve(ctx.cwd, args.base!), ours: oursPath, theirs: resolve(ctx.cwd, args.theirs!), name });
    if (!clean) throw new SealError("MERGE_CONFLICT", `${name} is not encrypted; git's text merge left conflict markers in it`);
    return;
  }
  // Leave the file unmerged for git and unreadable as an encrypted file, so a plain `git add` cannot drop a side.
  writeFileAtomic(oursPath, writeConflictFile(name, result.paths, { ours: ours!, base: base!, theirs: theirs! }));
  const n = result.paths.length;
  throw new SealError("MERGE_CONFLICT", `${name}: ${n} key${n === 1 ? "" : "s"} changed differently on both branches:\n  ${result.paths.join("\n  ")}`, {
    hint: `the file now holds both encrypted versions between conflict markers; resolve it with \`secrets merge --resolve ${name}\` (or \`secrets edit ${name}\`), then \`git add ${name}\``,
    details: { paths: result.paths },
  });
}

async function setup(ctx: CliContext, args: Args): Promise<void> {
  const root = await runGitText(["rev-parse", "--show-toplevel"], { cwd: ctx.cwd });
  const config = loadConfig({ cwd: ctx.cwd, ...(args.config ? { explicit: args.config } : {}), env: ctx.env });
  const patterns = args.pattern ?? [];
  if (!config && patterns.length === 0) {
    throw new SealError("CONFIG_NOT_FOUND", "no .sops.yaml found, so there are no creation rules to take file patterns from", {
      hint: "run this where .sops.yaml is, or name the files with --pattern '*.enc.yaml'",
    });
  }
  let cliPath: string | undefined;
  try {
    cliPath = process.argv[1] ? realpathSync(process.argv[1]) : undefined;
  } catch {
    cliPath = undefined;
  }
  const chosen = chooseDriverCommand({ explicit: args.command, cliPath, pathEnv: ctx.env.PATH, repoRoot: root });
  const r = await setupGit({ cwd: ctx.cwd, config, patterns, command: chosen.command, ...(args.global ? { global: true } : {}) });
  const out: string[] = [];
  out.push(r.added.length > 0 ? `${r.attributesPath}: added ${r.added.map((p) => `${p} ${"diff=sealfile merge=sealfile"}`).join(", ")}` : `${r.attributesPath}: already up to date`);
  out.push(`git config (${r.configScope}): ${r.config.map(([k, v]) => `${k} = ${v}`).join("; ")}`);
  await write(ctx.stdout, Buffer.from(`${out.join("\n")}\n`));
  if (chosen.note) ctx.stderr.write(`note: ${chosen.note}\n`);
  for (const u of r.untranslated) {
    const what = u.regex === undefined ? "has no path_regex (it matches every file)" : `path_regex ${JSON.stringify(u.regex)} cannot be written as a git pattern`;
    ctx.stderr.write(`warning: creation_rules[${u.index}] ${what}; add a line like \`secrets/*.yaml diff=sealfile merge=sealfile\` to .gitattributes for its files\n`);
  }
}

export function gitCommand(ctx: CliContext): CommandModule<GlobalArgs, Args> {
  return {
    command: "git <command>",
    describe: "git integration: plaintext diffs and conflict-free merges of encrypted files",
    builder: (y: Argv<GlobalArgs>) =>
      y
        .command<Args>({
          command: "setup",
          describe: "write .gitattributes entries for the creation rules' files and the git config of the drivers",
          builder: (s) =>
            s.options({
              global: { type: "boolean", describe: "define the drivers in your global git config (the .gitattributes lines stay in the repository)" },
              command: { type: "string", describe: "how git should run secrets (default: `secrets` when it is on PATH, else `node <path>`)" },
              pattern: { type: "string", array: true, describe: "an extra gitattributes pattern for encrypted files (repeatable)" },
            })
              .options(shared("config"))
              .example("$0 git setup", "mark the files of .sops.yaml's creation rules and set up the drivers in this repository")
              .example("$0 git setup --global --pattern '*.enc.yaml'", "define the drivers once for every repository, and mark *.enc.yaml files here") as unknown as Argv<Args>,
          handler: (args) => setup(ctx, args),
        })
        .command<Args>({
          command: "diff-text <file>",
          aliases: ["textconv"],
          describe: "print a file's plaintext for git diff (its encrypted text when no key opens it); never writes to disk",
          builder: (s) =>
            s
              .positional("file", { type: "string", demandOption: true, describe: "the file git shows, or - for stdin" })
              .option("input-type", { type: "string", describe: "format, when the name does not tell" })
              .options(shared("config", "decryption-order", "indent"))
              .example("$0 git diff-text secrets.enc.yaml", "what git diff compares for this file (git runs it after `secrets git setup`)")
              .example("git log -p secrets.enc.yaml", "history with plaintext changes, through the driver") as unknown as Argv<Args>,
          handler: (args) => diffText(ctx, args),
        })
        .command<Args>({
          command: "merge <base> <ours> <theirs> [path]",
          describe: "git merge driver (%O %A %B %P): merge an encrypted file on its plaintext, re-encrypt into OURS",
          builder: (s) =>
            s
              .positional("base", { type: "string", demandOption: true, describe: "the common ancestor's version (git's %O)" })
              .positional("ours", { type: "string", demandOption: true, describe: "this branch's version, replaced by the result (git's %A)" })
              .positional("theirs", { type: "string", demandOption: true, describe: "the other branch's version (git's %B)" })
              .positional("path", { type: "string", describe: "the file's path in the repository (picks the format and the config)" })
              .option("input-type", { type: "string", describe: "format, when the path does not tell" })
              .options(shared("config", "decryption-order", "indent"))
              .example("$0 git merge %O %A %B %P", "the driver line that `secrets git setup` writes to git config")
              .example("git merge feature", "then merges encrypted files key by key; a conflict names the keys") as unknown as Argv<Args>,
          handler: (args) => merge(ctx, args),
        })
        .demandCommand(1, "name a git subcommand: setup, diff-text or merge")
        .example("$0 git setup", "install the drivers for the files .sops.yaml covers")
        .example("git diff secrets.enc.yaml", "then shows plaintext changes") as unknown as Argv<Args>,
    handler: () => undefined,
  };
}
