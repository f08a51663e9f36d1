/**
 * Owns: `secrets git setup` — `.gitattributes` lines that send encrypted files to the `sealfile` diff and
 * merge drivers, and the git config that defines those drivers. Idempotent; existing lines are kept.
 */
import { existsSync } from "node:fs";
import { dirname, join, relative, isAbsolute } from "node:path";
import { writeFileAtomic } from "../io/atomic-write.js";
import type { SopsConfig } from "../config.js";
import { regexToGitPatterns } from "./attr-patterns.js";
import { runGit, runGitText } from "./run-git.js";
import { readSmallText } from "../io/small-file.js";

/** The driver name used in `.gitattributes` and git config. */
export const DRIVER = "sealfile";
export const ATTRIBUTES = `diff=${DRIVER} merge=${DRIVER}`;
const HEADER = "# sealfile: plaintext diffs and conflict-free merges of encrypted files (secrets git setup)";

export interface UntranslatedRule {
  readonly index: number;
  readonly regex: string | undefined;
}

/** Patterns for every creation rule, and the rules that could not be translated. */
export function patternsForRules(config: SopsConfig): { patterns: string[]; untranslated: UntranslatedRule[] } {
  const patterns: string[] = [];
  const untranslated: UntranslatedRule[] = [];
  for (const rule of config.rules) {
    const got = rule.pathRegex === undefined ? undefined : regexToGitPatterns(rule.pathRegex);
    if (got) patterns.push(...got.filter((p) => !patterns.includes(p)));
    else untranslated.push({ index: rule.index, regex: rule.pathRegex });
  }
  return { patterns, untranslated };
}

/** True when `line` already gives `pattern` both of our attributes. */
function covers(line: string, pattern: string): boolean {
  const words = line.trim().split(/\s+/);
  return words[0] === pattern && words.includes(`diff=${DRIVER}`) && words.includes(`merge=${DRIVER}`);
}

/**
 * The new `.gitattributes` text: `existing` unchanged, plus one line per pattern not yet covered.
 */
export function planGitattributes(existing: string, patterns: readonly string[]): { text: string; added: string[] } {
  const lines = existing.split("\n");
  const added = patterns.filter((p) => !lines.some((l) => covers(l, p)));
  if (added.length === 0) return { text: existing, added };
  const sep = existing === "" || existing.endsWith("\n") ? "" : "\n";
  const header = lines.includes(HEADER) ? "" : `${existing.trim() === "" ? "" : "\n"}${HEADER}\n`;
  return { text: `${existing}${sep}${header}${added.map((p) => `${p} ${ATTRIBUTES}\n`).join("")}`, added };
}

/** The git config entries defining the drivers, for a `secrets` invoked as `command`. */
export function driverConfig(command: string): Array<[string, string]> {
  return [
    [`diff.${DRIVER}.textconv`, `${command} git diff-text`],
    // A cached textconv would be stored in git notes, i.e. plaintext inside .git.
    [`diff.${DRIVER}.cachetextconv`, "false"],
    [`merge.${DRIVER}.name`, "sealfile: three-way merge of encrypted files on their plaintext"],
    [`merge.${DRIVER}.driver`, `${command} git merge %O %A %B %P`],
  ];
}

export interface SetupOptions {
  readonly cwd: string;
  readonly config: SopsConfig | undefined;
  /** Extra patterns given by hand. */
  readonly patterns?: readonly string[];
  /** How git should invoke `secrets`. */
  readonly command: string;
  /** Write the driver definitions to the user's global git config instead of the repository's. */
  readonly global?: boolean;
}

export interface SetupResult {
  readonly attributesPath: string;
  readonly added: string[];
  readonly patterns: string[];
  readonly untranslated: UntranslatedRule[];
  readonly configScope: "local" | "global";
  readonly config: Array<[string, string]>;
}

/**
 * Writes the `.gitattributes` entries (next to `.sops.yaml` when it is inside the repository, since rules
 * match paths relative to it; else at the repository root) and the driver config.
 * @throws SealError GENERIC (exit 2) when `cwd` is not in a git repository or git fails; CANNOT_WRITE_OUTPUT.
 */
export async function setupGit(opts: SetupOptions): Promise<SetupResult> {
  const root = await runGitText(["rev-parse", "--show-toplevel"], { cwd: opts.cwd });
  const fromRules = opts.config ? patternsForRules(opts.config) : { patterns: [], untranslated: [] };
  const patterns = [...fromRules.patterns, ...(opts.patterns ?? []).filter((p) => !fromRules.patterns.includes(p))];
  const configDir = opts.config ? dirname(opts.config.path) : root;
  const rel = relative(root, configDir);
  const dir = rel.startsWith("..") || isAbsolute(rel) ? root : configDir;
  const attributesPath = join(dir, ".gitattributes");
  const existing = existsSync(attributesPath) ? readSmallText(attributesPath, attributesPath) : "";
  const plan = planGitattributes(existing, patterns);
  if (plan.added.length > 0) writeFileAtomic(attributesPath, Buffer.from(plan.text));
  const config = driverConfig(opts.command);
  for (const [key, value] of config) {
    await runGit(["config", opts.global ? "--global" : "--local", key, value], { cwd: root });
  }
  return { attributesPath, added: plan.added, patterns, untranslated: fromRules.untranslated, configScope: opts.global ? "global" : "local", config };
}
