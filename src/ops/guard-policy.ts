/**
 * Owns: the guard's real policy — which paths `.sops.yaml` creation rules say must be encrypted, and whether a
 * file's bytes are a valid sealed file (a MAC, every value its creation rule and its own rule require
 * encrypted, and an own rule no weaker than its creation rule). Nothing is decrypted.
 */
import { existsSync } from "node:fs";
import { dirname, isAbsolute, join, relative, sep } from "node:path";
import { SealError } from "../errors.js";
import { CONFIG_NAME, loadConfig, matchRule, parseConfig, type CreationRule, type SopsConfig } from "../config.js";
import { runGitText } from "../git/run-git.js";
import { listTracked } from "../git/staged.js";
import { formatFromPath, storeFor, type FormatName } from "../formats/index.js";
import { extractMetadata } from "../metadata.js";
import { crypterFor, findClearValues } from "../document/index.js";
import { describeWeakness, plainWhereEncrypted, ruleWeakness, storedRule } from "../document/rule-strength.js";
import { encryptionRuleOf } from "./creation-rule.js";
import type { GuardPolicy, GuardRule, SealedInspection } from "../guard/index.js";
import { readSmallText } from "../io/small-file.js";

/** The folder of `config` relative to `root` ("" for the root itself; starts with ".." when above it). */
function configFolder(config: SopsConfig, root: string): string {
  return relative(root, dirname(config.path)).split(sep).join("/");
}

/**
 * Guard rules from the configs in effect in a repository. A file is governed by the config nearest above it
 * (as `secrets encrypt` finds it); each config's rules are tested against the path relative to its folder,
 * or the absolute path for files outside that folder (sops). With `explicit` (`--config`, SOPS_CONFIG) the one
 * config governs every file. Rules without `path_regex` are skipped: they name default recipients, not files
 * that must be encrypted.
 */
export function guardRulesFrom(configs: readonly SopsConfig[], root: string, explicit = false): GuardRule[] {
  const governing = governorOf(configs, root, explicit);
  const rules: GuardRule[] = [];
  for (const config of configs) {
    const configDir = dirname(config.path);
    const toConfigPath = (repoPath: string): string | undefined => {
      if (governing(repoPath) !== config) return undefined;
      const abs = join(root, repoPath);
      const rel = relative(configDir, abs);
      return (rel.startsWith("..") || isAbsolute(rel) ? abs : rel).split(sep).join("/");
    };
    for (const r of config.rules) {
      const matcher = r.pathMatcher;
      if (matcher === undefined) continue;
      // Tested as sops tests it: against the path relative to its config's folder, when this config governs it.
      const pathRegex = {
        test(repoPath: string): boolean {
          const rel = toConfigPath(repoPath);
          return rel !== undefined && matcher.test(rel);
        },
      };
      rules.push({ index: r.index, pathRegex });
    }
  }
  return rules;
}

/** The config that governs a repository path: the nearest above it (or the one named with `--config`). */
function governorOf(configs: readonly SopsConfig[], root: string, explicit: boolean): (repoPath: string) => SopsConfig | undefined {
  const located = configs
    .map((c) => {
      const folder = configFolder(c, root);
      return { config: c, folder, above: folder === ".." || folder.startsWith("../") };
    })
    .sort((a, b) => b.folder.length - a.folder.length);
  return (repoPath) => {
    if (explicit) return configs[0];
    const inRepo = located.find((c) => !c.above && (c.folder === "" || repoPath.startsWith(`${c.folder}/`)));
    return (inRepo ?? located.find((c) => c.above))?.config;
  };
}

/** The creation rule a file is held to; `creationRule` undefined means sops's default rule. */
export interface InspectAgainst {
  readonly creationRule: CreationRule | undefined;
}

/** What one format says of the bytes; `metadataFound` tells a broken sealed file from a plain one. */
function inspectAs(format: FormatName, bytes: Uint8Array, against: InspectAgainst | undefined): SealedInspection & { metadataFound: boolean } {
  const store = storeFor(format);
  try {
    const tree = store.parseEncrypted(bytes);
    const metadata = extractMetadata(tree, store.metadataLayout);
    if (metadata === null) return { sealed: false, problem: "no sops metadata", metadataFound: false };
    // Anyone can write a `sops` block over plaintext; without a MAC nothing vouches for it.
    if (!metadata.mac) return { sealed: false, problem: "its sops block has no MAC", metadataFound: true };
    let crypter;
    try {
      crypter = crypterFor(metadata.cryptRule);
    } catch {
      return { sealed: false, problem: `invalid metadata: ${metadata.cryptRule.kind} is not a valid regular expression`, metadataFound: true };
    }
    const clearValues = findClearValues(tree, crypter);
    if (!against) return { sealed: true, clearValues, metadataFound: true };
    const wanted = encryptionRuleOf(against.creationRule, format);
    if (!wanted) return { sealed: true, clearValues, metadataFound: true };
    const seen = new Set(clearValues.map((kp) => kp.join("\0")));
    for (const kp of plainWhereEncrypted(tree, wanted)) if (!seen.has(kp.join("\0"))) clearValues.push(kp);
    const weakness = ruleWeakness([tree], storedRule(metadata), wanted);
    return { sealed: true, clearValues, ...(weakness ? { weakRule: describeWeakness(weakness) } : {}), metadataFound: true };
  } catch (e) {
    // Our stores and metadata decoder name lines, columns and key paths, never contents.
    if (e instanceof SealError && e.code === "BAD_METADATA") return { sealed: false, problem: e.message, metadataFound: true };
    if (e instanceof SealError && e.code === "BAD_SYNTAX") return { sealed: false, problem: e.message, metadataFound: false };
    return { sealed: false, problem: `not a valid ${format} file`, metadataFound: false };
  }
}

/**
 * Parses `bytes` with the store its path implies and reports whether it is a valid sealed file, and which key
 * paths its own encryption rule says must be encrypted but are in clear. A path with no known extension is
 * also tried as dotenv and YAML (e.g. `.env.production` encrypted with `--input-type dotenv`). With `against`,
 * values its creation rule requires encrypted count too, and an own rule that encrypts less is reported.
 * Never throws.
 */
export function inspectSealedBytes(path: string, bytes: Uint8Array, against?: InspectAgainst): SealedInspection {
  const primary = formatFromPath(path);
  const first = inspectAs(primary, bytes, against);
  if (first.sealed || first.metadataFound || primary !== "binary") return strip(first);
  for (const format of ["dotenv", "yaml"] as const) {
    const other = inspectAs(format, bytes, against);
    if (other.sealed || other.metadataFound) return strip(other);
  }
  return strip(first);
}

function strip(r: SealedInspection & { metadataFound: boolean }): SealedInspection {
  return {
    sealed: r.sealed,
    ...(r.problem === undefined ? {} : { problem: r.problem }),
    ...(r.clearValues === undefined ? {} : { clearValues: r.clearValues }),
    ...(r.weakRule === undefined ? {} : { weakRule: r.weakRule }),
  };
}

export interface LoadGuardPolicyOptions {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** `--config`: one config file that governs every path. */
  readonly explicit?: string | undefined;
}

/**
 * The guard policy for the repository containing `cwd` (or `cwd` itself outside a repository): the config
 * named by `--config`/SOPS_CONFIG, else every tracked `.sops.yaml` plus the one found from the root upward.
 * @throws SealError BAD_CONFIG for an invalid config, CONFIG_NOT_FOUND for a named one that is missing,
 * GENERIC (exit 2) when git fails.
 */
export async function loadGuardPolicy(opts: LoadGuardPolicyOptions): Promise<GuardPolicy> {
  let root = opts.cwd;
  let inRepo = true;
  try {
    root = await runGitText(["rev-parse", "--show-toplevel"], { cwd: opts.cwd });
  } catch {
    inRepo = false;
  }
  const named = opts.explicit ?? opts.env.SOPS_CONFIG;
  if (named) {
    const config = loadConfig({ cwd: opts.cwd, explicit: named, env: opts.env });
    const one = config ? [config] : [];
    return { rules: guardRulesFrom(one, root, true), inspectSealed: inspectorFor(one, root, true) };
  }
  const configs = new Map<string, SopsConfig>();
  const upward = loadConfig({ cwd: root, env: opts.env });
  if (upward) configs.set(upward.path, upward);
  const tracked = inRepo ? await listTracked(root, [`:(glob)**/${CONFIG_NAME}`]) : [];
  for (const { path } of tracked) {
    const abs = join(root, path);
    if (configs.has(abs) || !existsSync(abs)) continue;
    configs.set(abs, parseConfig(readSmallText(abs, abs, "BAD_CONFIG"), abs, "file-folder"));
  }
  return { rules: guardRulesFrom([...configs.values()], root), inspectSealed: inspectorFor([...configs.values()], root, false) };
}

/** Inspects a file against the creation rule its governing config has for it (sops's default when none). */
function inspectorFor(configs: readonly SopsConfig[], root: string, explicit: boolean): GuardPolicy["inspectSealed"] {
  const governing = governorOf(configs, root, explicit);
  return (path, bytes) => {
    const config = governing(path);
    return inspectSealedBytes(path, bytes, { creationRule: config ? matchRule(config, path, root) : undefined });
  };
}
