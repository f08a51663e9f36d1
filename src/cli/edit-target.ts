/** Owns: what `set` and `unset` share — the file they rewrite and the options to open and reseal it. */
import { resolve } from "node:path";
import { loadConfig } from "../config.js";
import { ERROR_CODES, SealError } from "../errors.js";
import { readInputFile } from "../ops/read-input.js";
import { parseTreePath, type PathStep } from "../tree/index.js";
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

/**
 * The file and path arguments of `set`/`unset`, checked the way sops checks them: a missing one exits 100
 * (main.go:1497, 1617) and a path not in the `["key"][0]` form exits 7 (main.go:1517, 1636).
 * @throws SealError NO_FILE_SPECIFIED, BAD_TREE_PATH (exit 7)
 */
export function editArguments(file: string | undefined, path: string | undefined): PathStep[] {
  if (!file || path === undefined) {
    throw new SealError("NO_FILE_SPECIFIED", "name the file and the path, e.g. secrets set FILE '[\"key\"]'", { hint: "see `secrets set --help` / `secrets unset --help`" });
  }
  return parseTreePath(path, "BAD_SET_FORMAT");
}

/** The file `set`/`unset` rewrite; sops does not check it exists first, so a missing one exits 2 (common.go:146). */
export function readEditTarget(path: string): Uint8Array {
  return readInputFile(path, ERROR_CODES.CANNOT_READ_INPUT);
}

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
