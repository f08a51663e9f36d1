/**
 * Owns: `secrets edit FILE` — decrypt into a private temp file, run the editor, re-encrypt on save keeping
 * unchanged values' ciphertext. Unchanged → exit 200, nothing written. A missing FILE starts from a template
 * and is encrypted for its creation rule. Invalid syntax → where it is, and on a terminal the editor again.
 * The file stays locked while the editor is open.
 */
import type { Argv, CommandModule } from "yargs";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { SealError, isSealError } from "../../errors.js";
import { loadConfig } from "../../config.js";
import { keyFromSpec, parseDecryptionOrder } from "../../keys/registry.js";
import { parseEncryptionContext } from "../../keys/aws-kms.js";
import { closeDocument, type OpenedDocument } from "../../document/index.js";
import { writeFileAtomic } from "../../io/atomic-write.js";
import { makeKeyContext } from "../../ops/key-context.js";
import { chooseRecipients } from "../../ops/recipients.js";
import { openSealedBytes, sealPlainBytes } from "../../ops/sealed-file.js";
import { plainForEditing, sealEdited, templateFor } from "../../ops/plain-edit.js";
import { encryptionRuleFor, settleRule, type RuleCheck } from "../../ops/creation-rule.js";
import type { Store } from "../../formats/index.js";
import type { CliContext } from "../context.js";
import { warn } from "../context.js";
import { formatsFor, keyFlagOptions, storeOptionsFor } from "../options.js";
import { shared, type GlobalArgs } from "../globals.js";
import { EditorWorkspace, editorArgv } from "../editor.js";
import { askLine } from "../prompt.js";
import { FIX_RULE_HINT, fixRuleOption } from "../edit-target.js";
import { withWriteLock } from "../output.js";
import { isConflictFile } from "../../git/conflict-file.js";

type Args = GlobalArgs & {
  file: string;
  "show-master-keys"?: boolean;
  "ignore-mac"?: boolean;
  "input-type"?: string;
  age?: string;
  kms?: string;
  "gcp-kms"?: string;
  "azure-kv"?: string;
  pgp?: string;
  "hc-vault-transit"?: string;
  "encryption-context"?: string;
  "aws-profile"?: string;
  "shamir-secret-sharing-threshold"?: number;
  "fix-rule"?: boolean;
};

const digest = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

export function editCommand(ctx: CliContext): CommandModule<GlobalArgs, Args> {
  return {
    command: "edit [file]",
    describe: "edit an encrypted file in $SOPS_EDITOR/$EDITOR (creates it when missing)",
    builder: (y: Argv<GlobalArgs>) =>
      y
        .positional("file", { type: "string", describe: "encrypted file (created from the creation rules when missing)" })
        .options({
          "show-master-keys": { alias: "s", type: "boolean", describe: "show the sops block in the editor (read-only: changes to it are ignored)" },
          "ignore-mac": { type: "boolean", describe: "do not check the MAC (to repair a damaged file)" },
          "input-type": { type: "string", describe: "format of the file (default: by extension)" },
          ...keyFlagOptions,
          ...fixRuleOption,
        })
        .options(shared("config", "decryption-order", "indent"))
        .example("EDITOR='code --wait' $0 edit secrets.enc.yaml", "edit with VS Code") as unknown as Argv<Args>,
    handler: async (args) => {
      if (!args.file) throw new SealError("NO_FILE_SPECIFIED", "name the file to edit", { hint: "secrets edit FILE (it is created when missing)" });
      const target = resolve(ctx.cwd, args.file);
      if (existsSync(target) && isConflictFile(readFileSync(target))) {
        const { resolveConflict } = await import("./merge.js");
        return resolveConflict(ctx, args.file, args);
      }
      // The lock is held from the read to the write, editor session included: another writer waits its bound
      // (SEALFILE_LOCK_WAIT_MS, 10 s) and then fails with FILE_LOCKED, rather than one change overwriting the other.
      await withWriteLock(ctx, resolve(ctx.cwd, args.file), async () => {
        const path = resolve(ctx.cwd, args.file);
        const { input, name } = formatsFor(args, args.file);
        const config = loadConfig({ cwd: ctx.cwd, file: args.file, env: ctx.env, ...(args.config ? { explicit: args.config } : {}) });
        const storeOptions = storeOptionsFor(input, args.indent, config);
        const keyCtx = makeKeyContext(ctx.env);
        const showMd = args["show-master-keys"] === true;
        let opened: { doc: OpenedDocument; store: Store } | undefined;
        let original: Uint8Array;
        let seal: (edited: Uint8Array) => Promise<{ bytes: Uint8Array; warnings: string[] }>;
        if (existsSync(path)) {
          opened = await openSealedBytes(readFileSync(path), {
            format: input,
            ctx: keyCtx,
            order: parseDecryptionOrder(args["decryption-order"] ?? ctx.env.SOPS_DECRYPTION_ORDER),
            file: name ?? args.file,
            storeOptions,
            ...(args["ignore-mac"] ? { ignoreMac: true } : {}),
          });
          const { doc, store } = opened;
          const rule: RuleCheck = { wanted: encryptionRuleFor(config, args.file, ctx.cwd, input), fix: args["fix-rule"] === true, hint: FIX_RULE_HINT };
          // Refuse before the editor opens, not after the user has typed a new secret.
          try {
            settleRule([doc.plain], doc.metadata, rule, args.file);
          } catch (e) {
            closeDocument(doc);
            throw e;
          }
          original = plainForEditing(doc, store, showMd);
          seal = (edited) => Promise.resolve(sealEdited(doc, store, edited, showMd, { check: rule, file: args.file }));
        } else {
          const choice = chooseRecipients(
            {
              age: args.age,
              kms: args.kms,
              gcpKms: args["gcp-kms"],
              azureKv: args["azure-kv"],
              pgp: args.pgp,
              hcVaultTransit: args["hc-vault-transit"],
              encryptionContext: args["encryption-context"] ? parseEncryptionContext(args["encryption-context"]) : undefined,
              awsProfile: args["aws-profile"],
              shamirThreshold: args["shamir-secret-sharing-threshold"],
            },
            ctx.env,
            config,
            args.file,
            ctx.cwd,
          );
          const keyGroups = await Promise.all(choice.groups.map((g) => Promise.all(g.map(keyFromSpec))));
          original = templateFor(input);
          seal = async (edited) => ({
            bytes: await sealPlainBytes(edited, {
              format: input,
              ctx: keyCtx,
              keyGroups,
              file: args.file,
              storeOptions,
              ...(choice.threshold ? { shamirThreshold: choice.threshold } : {}),
              ...(choice.cryptRule ? { cryptRule: choice.cryptRule } : {}),
              ...(choice.macOnlyEncrypted ? { macOnlyEncrypted: true } : {}),
            }),
            warnings: [],
          });
        }
        const ws = new EditorWorkspace(path, original, (sig) => warn(ctx, `\nedit cancelled by ${sig}; ${args.file} was not changed`));
        try {
          const argv = editorArgv(ctx.env);
          const before = digest(original);
          for (;;) {
            const { signal } = await ws.run(argv);
            const edited = ws.read();
            try {
              const killed = signal ? `the editor was ended by ${signal} and ` : "";
              if (digest(edited) === before) throw new SealError("FILE_UNCHANGED", `${killed}${args.file} has not changed; nothing written`, { hint: "nothing to do; sops exits 200 here too, so scripts can tell" });
              if (signal) warn(ctx, `note: the editor was ended by ${signal}; encrypting what it had saved to ${args.file}`);
              const { bytes, warnings } = await seal(edited);
              for (const w of warnings) warn(ctx, `warning: ${w}`);
              writeFileAtomic(path, bytes);
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
          original.fill(0);
          if (opened) closeDocument(opened.doc);
        }
      });
    },
  };
}
