/**
 * Owns: `secrets merge --resolve FILE` (also reached by `secrets edit` on a conflicted file) — open the
 * conflict the merge driver left, show the merged plaintext with both sides of each conflicting key marked
 * in the private editor folder, and write the encrypted result once no marker is left.
 */
import { resolve } from "node:path";
import type { Argv, CommandModule } from "yargs";
import { SealError, isSealError } from "../../errors.js";
import { loadConfig } from "../../config.js";
import { chooseFormat } from "../../formats/index.js";
import { parseDecryptionOrder } from "../../keys/registry.js";
import { makeKeyContext } from "../../ops/key-context.js";
import { readInputFile } from "../../ops/read-input.js";
import { writeFileAtomic } from "../../io/atomic-write.js";
import { readConflictFile } from "../../git/conflict-file.js";
import { openConflict } from "../../git/merge-resolve.js";
import type { CliContext } from "../context.js";
import { warn } from "../context.js";
import { storeOptionsFor } from "../options.js";
import { shared, type GlobalArgs } from "../globals.js";
import { EditorWorkspace, editorArgv } from "../editor.js";
import { askLine } from "../prompt.js";
import { withWriteLock } from "../output.js";

export type ResolveArgs = GlobalArgs & { resolve?: string; "input-type"?: string };

/**
 * Resolves the conflict file `file` in the editor (the caller holds no lock on it).
 * @throws SealError USAGE when `file` is not a conflict file; BAD_SYNTAX when markers are left; key errors.
 */
export function resolveConflict(ctx: CliContext, file: string, args: ResolveArgs): Promise<void> {
  const path = resolve(ctx.cwd, file);
  return withWriteLock(ctx, path, async () => {
    const versions = readConflictFile(readInputFile(file, undefined, ctx.cwd));
    if (!versions) {
      throw new SealError("USAGE", `${file} is not a file the merge driver left in conflict`, {
        hint: "`secrets merge --resolve` reads the file `git merge` left with sealfile conflict markers; edit other files with `secrets edit`",
      });
    }
    const format = chooseFormat(args["input-type"], file);
    const config = loadConfig({ cwd: ctx.cwd, file, env: ctx.env, ...(args.config ? { explicit: args.config } : {}) });
    const session = await openConflict(versions, {
      format,
      ctx: makeKeyContext(ctx.env),
      order: parseDecryptionOrder(args["decryption-order"] ?? ctx.env.SOPS_DECRYPTION_ORDER),
      file,
      storeOptions: storeOptionsFor(format, args.indent, config),
    });
    const ws = new EditorWorkspace(path, session.text, (sig) => warn(ctx, `\nresolve cancelled by ${sig}; ${file} was not changed`));
    try {
      warn(ctx, `${file}: resolve ${session.conflicts.join(", ")} (both sides are marked), save and quit`);
      const argv = editorArgv(ctx.env);
      for (;;) {
        await ws.run(argv);
        const edited = ws.read();
        try {
          writeFileAtomic(path, session.seal(edited));
          warn(ctx, `${file}: resolved and encrypted for ${session.keysFrom === "ours" ? "this branch's" : "the other branch's"} recipients; now \`git add ${file}\``);
          return;
        } catch (e) {
          if (!isSealError(e, "BAD_SYNTAX") || !ctx.interactive) throw e;
          warn(ctx, `error[${e.code}]: ${e.message}`);
          const answer = await askLine(ctx, "Press Enter to reopen the editor, or type q and Enter to give up: ");
          if (answer === undefined || /^\s*q/i.test(answer)) throw e;
        } finally {
          edited.fill(0);
        }
      }
    } finally {
      ws.close();
      session.text.fill(0);
      session.close();
    }
  });
}

export function mergeCommand(ctx: CliContext): CommandModule<GlobalArgs, ResolveArgs> {
  return {
    command: "merge",
    describe: "resolve an encrypted file that `git merge` left in conflict (both sides marked, in the editor)",
    builder: (y: Argv<GlobalArgs>) =>
      y
        .options({
          resolve: { type: "string", demandOption: true, requiresArg: true, describe: "the conflicted file: opens its plaintext with both sides marked and writes the encrypted result" },
          "input-type": { type: "string", describe: "format of the file (default: by extension)" },
        })
        .options(shared("config", "decryption-order", "indent"))
        .example("$0 merge --resolve secrets.enc.yaml", "after `git merge` reported a conflict in secrets.enc.yaml; then `git add` it") as unknown as Argv<ResolveArgs>,
    handler: (args) => resolveConflict(ctx, args.resolve!, args),
  };
}
