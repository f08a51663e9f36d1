/** Owns: `secrets hook install` / `uninstall` — the guard in the repository's pre-commit hook (husky or plain git). */
import { realpathSync } from "node:fs";
import { relative } from "node:path";
import type { Argv, CommandModule } from "yargs";
import { installHook, uninstallHook } from "../../git/hook-install.js";
import { chooseDriverCommand } from "../../git/driver-command.js";
import { runGitText } from "../../git/run-git.js";
import type { CliContext } from "../context.js";
import type { GlobalArgs } from "../globals.js";

type InstallArgs = GlobalArgs & { force?: boolean };

const SAID: Record<string, string> = {
  created: "created",
  added: "added the guard to",
  unchanged: "the guard is already in",
  updated: "updated",
  chained: "kept the existing hook and added the guard after it in",
};

/** The script that is running (this installation's bin/secrets.js), for the hook to call by path. */
function runningCli(): string | undefined {
  try {
    return process.argv[1] ? realpathSync(process.argv[1]) : undefined;
  } catch {
    return undefined;
  }
}

function installCommand(ctx: CliContext): CommandModule<GlobalArgs, InstallArgs> {
  return {
    command: "install",
    describe: "run `secrets guard --staged` before every commit (.husky/pre-commit, else .git/hooks/pre-commit)",
    builder: (y: Argv<GlobalArgs>) =>
      y
        .options({ force: { type: "boolean", describe: "keep a pre-commit hook not written by sealfile and run the guard after it" } })
        .example("$0 hook install", "add the guard to this repository's pre-commit hook")
        .example("$0 hook install --force", "chain a hook that another tool wrote: it runs first, then the guard") as unknown as Argv<InstallArgs>,
    handler: async (args) => {
      // the hook calls this very installation (global, project dependency or a clone run by path), never npx
      const root = await runGitText(["rev-parse", "--show-toplevel"], { cwd: ctx.cwd }).catch(() => ctx.cwd);
      const chosen = chooseDriverCommand({ cliPath: runningCli(), pathEnv: ctx.env.PATH, repoRoot: root });
      const res = await installHook({ cwd: ctx.cwd, force: args.force ?? false, command: chosen.command });
      const shown = relative(ctx.cwd, res.hookPath) || res.hookPath;
      ctx.stderr.write(`${SAID[res.action] ?? res.action} ${shown} (${res.manager === "husky" ? "husky" : "git hook"})\n`);
      if (res.backupPath) ctx.stderr.write(`the previous hook was moved to ${relative(ctx.cwd, res.backupPath)} and runs before the guard\n`);
      if (res.note) ctx.stderr.write(`note: ${res.note}\n`);
      if (chosen.note) ctx.stderr.write(`note: ${chosen.note.replace("the drivers call", "the hook calls").replace("`secrets git setup`", "`secrets hook install`")}\n`);
    },
  };
}

const UNDONE: Record<string, string> = {
  removed: "removed",
  restored: "put back the hook that was there before in",
  edited: "took the guard out of",
  absent: "the guard is not in",
};

function uninstallCommand(ctx: CliContext): CommandModule<GlobalArgs, GlobalArgs> {
  return {
    command: "uninstall",
    describe: "take the guard out of the pre-commit hook (a hook it chained is put back)",
    builder: (y: Argv<GlobalArgs>) => y.example("$0 hook uninstall", "stop running the guard before every commit"),
    handler: async () => {
      const res = await uninstallHook({ cwd: ctx.cwd });
      ctx.stderr.write(`${UNDONE[res.action] ?? res.action} ${relative(ctx.cwd, res.hookPath) || res.hookPath}\n`);
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
        .command(uninstallCommand(ctx))
        .demandCommand(1, "name a hook command: install or uninstall")
        .example("$0 hook install", "run the guard before every commit in this repository"),
    handler: () => undefined,
  };
}
