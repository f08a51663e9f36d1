/** Owns: `secrets hook install` — putting the guard into the repository's pre-commit hook (husky or plain git). */
import { relative } from "node:path";
import type { Argv, CommandModule } from "yargs";
import { installHook } from "../../git/hook-install.js";
import type { CliContext } from "../context.js";
import type { GlobalArgs } from "../globals.js";

type InstallArgs = GlobalArgs & { force?: boolean };

const SAID: Record<string, string> = {
  created: "created",
  added: "added the guard to",
  unchanged: "the guard is already in",
  updated: "updated",
  replaced: "replaced",
};

function installCommand(ctx: CliContext): CommandModule<GlobalArgs, InstallArgs> {
  return {
    command: "install",
    describe: "run `secrets guard --staged` before every commit (.husky/pre-commit, else .git/hooks/pre-commit)",
    builder: (y: Argv<GlobalArgs>) =>
      y
        .options({ force: { type: "boolean", describe: "replace a pre-commit hook not written by sealfile (a backup is kept)" } })
        .example("$0 hook install", "add the guard to this repository's pre-commit hook")
        .example("$0 hook install --force", "replace a hook that another tool wrote (the old one is kept as a backup)") as unknown as Argv<InstallArgs>,
    handler: async (args) => {
      const res = await installHook({ cwd: ctx.cwd, force: args.force ?? false });
      const shown = relative(ctx.cwd, res.hookPath) || res.hookPath;
      ctx.stderr.write(`${SAID[res.action] ?? res.action} ${shown} (${res.manager === "husky" ? "husky" : "git hook"})\n`);
      if (res.backupPath) ctx.stderr.write(`the previous hook was kept as ${relative(ctx.cwd, res.backupPath)}\n`);
      if (res.note) ctx.stderr.write(`note: ${res.note}\n`);
    },
  };
}

export function hookCommand(ctx: CliContext): CommandModule<GlobalArgs, GlobalArgs> {
  return {
    command: "hook <command>",
    describe: "manage the git pre-commit hook that runs the guard",
    builder: (y: Argv<GlobalArgs>) =>
      y
        .command(installCommand(ctx))
        .demandCommand(1, "name a hook command: install")
        .example("$0 hook install", "run the guard before every commit in this repository"),
    handler: () => undefined,
  };
}
