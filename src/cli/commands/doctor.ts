/**
 * Owns: `secrets doctor [FILE]` — printing the environment and file reports as text or `--json`
 * (schemas/doctor.schema.json). Exit 0 when the file can be opened, 128 when not, 51 when its MAC fails;
 * without FILE, 5 when the config is invalid. Prints public recipients, labels and variable names only.
 */
import type { Argv, CommandModule } from "yargs";
import { nameFor, recipientNames } from "../../config.js";
import { ERROR_CODES } from "../../errors.js";
import { parseDecryptionOrder } from "../../keys/registry.js";
import { makeKeyContext } from "../../ops/key-context.js";
import { environmentReport, type EnvironmentReport } from "../../ops/doctor.js";
import type { ConfigProblem } from "../../ops/config-check.js";
import { fileReport, type FileReport, type RecipientReport } from "../../ops/doctor-file.js";
import type { CliContext } from "../context.js";
import { shared, type GlobalArgs } from "../globals.js";

type Args = GlobalArgs & { file?: string; json?: boolean; online?: boolean };

function who(r: { kind: string; id: string; name?: string }): string {
  return r.name ? `${r.name} (${r.kind} ${r.id})` : `${r.kind} ${r.id}`;
}

/** `line 3, column 5: creation_rules[0].agee ` — where a config problem is. */
function where(p: ConfigProblem): string {
  return `${p.line !== undefined ? `line ${p.line}, column ${p.column}: ` : ""}${p.at ? `${p.at} ` : ""}`;
}

const MARK: Record<RecipientReport["state"], string> = {
  matches: "yes",
  opened: "yes",
  "credentials-visible": "maybe",
  locked: "maybe",
  "no-match": "no",
  "no-credentials": "no",
  failed: "no",
  unsupported: "no",
};

/** The environment part of the text report. */
export function renderEnvironment(env: EnvironmentReport, names: ReadonlyMap<string, string>, online: boolean): string[] {
  const c = env.config;
  const out: string[] = [];
  if (c.path === null) out.push(`config: none (${c.how})`);
  else {
    out.push(`config: ${c.path} (${c.how})`);
    if (c.valid) {
      const rec = c.recipients.length ? `, ${c.recipients.length} named recipient${c.recipients.length === 1 ? "" : "s"} (${c.recipients.map((r) => r.name).join(", ")})` : "";
      out.push(`  valid: ${c.rules} creation rule${c.rules === 1 ? "" : "s"}${rec}`);
    } else {
      out.push("  INVALID:");
      for (const p of c.problems) out.push(`    ${where(p)}${p.message}`);
    }
    for (const w of c.warnings) out.push(`  warning: ${where(w)}${w.message}`);
  }
  out.push("identities (where sealfile looked, in order):");
  for (const s of env.sources) {
    const status = s.status === "loaded" ? `loaded, ${s.count} ${s.kind === "ssh" ? "SSH key" : `identit${s.count === 1 ? "y" : "ies"}`}` : s.status;
    out.push(`  ${s.label}: ${status}${s.reason ? ` (${s.reason})` : ""}`);
    for (const i of env.identities.filter((x) => x.source === s.label)) {
      const n = i.recipient ? nameFor(names, i.recipient) : undefined;
      if (i.malformed) {
        out.push(`      ${i.type} (malformed: bad encoding or checksum; ignored)`);
        continue;
      }
      out.push(`      ${i.type}${i.recipient ? ` for ${n ? `${n} ` : ""}${i.recipient}` : " (recipients unknown until its passphrase is typed)"}${i.locked && i.recipient ? " (passphrase-protected)" : ""}`);
    }
  }
  out.push(`cloud credentials (${online ? "tried for the file's keys" : "not contacted; --online tries them"}):`);
  for (const cl of env.cloud) out.push(`  ${cl.provider}: ${cl.visible.length ? cl.visible.join(", ") : "none visible"}`);
  return out;
}

/** The file part of the text report. */
export function renderFile(f: FileReport): string[] {
  const out = [`file: ${f.path} (${f.format})`];
  out.push(`  rule: ${f.rule ? `creation_rules[${f.rule.index}]${f.rule.pathRegex !== null ? ` (path_regex: ${f.rule.pathRegex})` : " (no path_regex: matches every file)"}` : "no creation rule matches"}`);
  if (!f.encrypted) {
    out.push("  not encrypted (no sops metadata)");
    return out;
  }
  out.push(`  recipients (${f.groups > 1 ? `${f.groups} key groups, ${f.threshold} needed` : "any one opens the file"}):`);
  for (const r of f.recipients) out.push(`    ${f.groups > 1 ? `[group ${r.group + 1}] ` : ""}${who(r)}: ${MARK[r.state]} — ${r.why}`);
  if (f.upToDate !== null) {
    if (f.upToDate) out.push("  recipients match the rule");
    else {
      const parts = [...f.missing.map((m) => `missing ${who(m)}`), ...f.extra.map((m) => `not in the rule: ${who(m)}`)];
      out.push(`  recipients differ from the rule: ${parts.join("; ") || "key groups differ"} (fix: secrets updatekeys ${f.path})`);
    }
  }
  out.push(`  MAC: ${f.mac.state}${f.mac.state === "verified" ? "" : ` (${f.mac.why})`}`);
  if (f.dataKey) {
    const d = f.dataKey;
    const rot = d.rotateAfter ? (d.overdue ? `, rotate_after ${d.rotateAfter}: OVERDUE (secrets rotate -i ${f.path})` : `, rotate_after ${d.rotateAfter}: ok`) : ", no rotate_after in the rule";
    out.push(`  data key: ${d.ageDays} day${d.ageDays === 1 ? "" : "s"} old (since ${d.since}, from ${d.source})${rot}`);
  }
  const verdict = !f.canOpen
    ? "CANNOT be opened here"
    : !f.opened
      ? "should open here (cloud credentials visible; not tried without --online)"
      : f.mac.state === "verified"
        ? "opens here"
        : "the data key opens here, but the file is damaged or was changed outside sealfile/sops (restore it from git)";
  out.push(`  verdict: ${verdict}`);
  return out;
}

export function doctorCommand(ctx: CliContext): CommandModule<GlobalArgs, Args> {
  return {
    command: "doctor [file]",
    describe: "explain which config, identities and credentials are in effect, and why a file does or does not open",
    builder: (y: Argv<GlobalArgs>) =>
      y
        .positional("file", { type: "string", describe: "an encrypted file to explain" })
        .options({
          json: { type: "boolean", describe: "print JSON (schemas/doctor.schema.json)" },
          online: { type: "boolean", describe: "call the cloud key services to try the file's KMS keys" },
        })
        .options(shared("config", "decryption-order"))
        .example("$0 doctor", "which config, identities and credentials are in effect")
        .example("$0 doctor secrets.enc.yaml", "why this file does (not) open") as unknown as Argv<Args>,
    handler: async (args) => {
      const keyCtx = makeKeyContext(ctx.env);
      const opts = { cwd: ctx.cwd, env: ctx.env, ...(args.file ? { file: args.file } : {}), ...(args.config ? { explicitConfig: args.config } : {}) };
      const { loadedConfig, ...env } = await environmentReport(opts, keyCtx);
      const file = args.file
        ? await fileReport({
            cwd: ctx.cwd,
            file: args.file,
            config: loadedConfig,
            identities: env.identities,
            cloud: env.cloud,
            ctx: keyCtx,
            online: args.online === true,
            order: parseDecryptionOrder(args["decryption-order"] ?? ctx.env.SOPS_DECRYPTION_ORDER),
          })
        : undefined;
      if (args.json) {
        ctx.stdout.write(`${JSON.stringify({ ...env, ...(file ? { file } : {}) }, null, 2)}\n`);
      } else {
        const lines = renderEnvironment(env, recipientNames(loadedConfig), args.online === true);
        if (file) lines.push(...renderFile(file));
        ctx.stdout.write(`${lines.join("\n")}\n`);
      }
      if (file) {
        if (!file.canOpen) ctx.setExitCode(ERROR_CODES.NO_USABLE_KEY);
        else if (file.mac.state === "mismatch") ctx.setExitCode(ERROR_CODES.MAC_MISMATCH);
        else if (file.mac.state === "values-damaged") ctx.setExitCode(ERROR_CODES.DECRYPT_VALUE_FAILED);
      } else if (!env.config.valid) {
        ctx.setExitCode(ERROR_CODES.BAD_CONFIG);
      }
    },
  };
}
