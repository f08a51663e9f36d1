/** Owns: what `set` and `unset` share — the file they rewrite and the options to open and reseal it. */
import { resolve } from "node:path";
import { loadConfig } from "../config.js";
import { parseDecryptionOrder } from "../keys/registry.js";
import { makeKeyContext } from "../ops/key-context.js";
import type { EditValueOptions } from "../ops/edit-value.js";
import { encryptionRuleFor } from "../ops/creation-rule.js";
import type { CliContext } from "./context.js";
import type { GlobalArgs } from "./globals.js";
import { formatsFor, storeOptionsFor } from "./options.js";

export type EditArgs = GlobalArgs & { file: string; idempotent?: boolean; "ignore-mac"?: boolean; "input-type"?: string; "output-type"?: string; "fix-rule"?: boolean };

/** The `--fix-rule` option of the commands that rewrite values. */
export const fixRuleOption = {
  "fix-rule": { type: "boolean", describe: "re-encrypt a file whose sops block encrypts less than its creation rule under that rule" },
} as const;

/** The hint of a refused file, for commands that take --fix-rule. */
export const FIX_RULE_HINT = "rerun with --fix-rule to re-encrypt it under its creation rule";

export function editTarget(ctx: CliContext, args: EditArgs): { path: string; opts: EditValueOptions } {
  const { input, output, name } = formatsFor(args, args.file);
  const config = loadConfig({ cwd: ctx.cwd, file: args.file, env: ctx.env, ...(args.config ? { explicit: args.config } : {}) });
  return {
    path: resolve(ctx.cwd, args.file),
    opts: {
      format: input,
      ctx: makeKeyContext(ctx.env),
      order: parseDecryptionOrder(args["decryption-order"] ?? ctx.env.SOPS_DECRYPTION_ORDER),
      file: name ?? args.file,
      storeOptions: storeOptionsFor(input, args.indent, config),
      ...(output !== input ? { outputFormat: output, outputStoreOptions: storeOptionsFor(output, args.indent, config) } : {}),
      ...(args["ignore-mac"] ? { ignoreMac: true } : {}),
      ...(args.idempotent ? { idempotent: true } : {}),
      rule: { wanted: encryptionRuleFor(config, args.file, ctx.cwd, input), fix: args["fix-rule"] === true, hint: FIX_RULE_HINT },
    },
  };
}
