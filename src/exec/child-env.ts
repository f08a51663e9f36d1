/**
 * Owns: the precedence rules that combine the inherited environment with the secrets for the child, and
 * which inherited variables the child never gets (the key material sealfile itself reads).
 */
import { emptyEnv } from "./env-map.js";

export interface ChildEnvOptions {
  /** Secrets replace inherited variables of the same name (default); false keeps the inherited ones. */
  readonly override: boolean;
  /** Start from `PATH` and `HOME` of the parent only, instead of its whole environment. */
  readonly pristine: boolean;
  /** Pass on the inherited variables of {@link isKeyEnvName} too (`--keep-key-env`); default false. */
  readonly keepKeyEnv?: boolean;
}

/**
 * Inherited variables that hold (or lead to) the key material sealfile opens files with. The child gets
 * the secrets of the files named, not the means to open every other file: these are dropped unless
 * `keepKeyEnv`. Cloud credentials (AWS_*, GOOGLE_*, AZURE_*, VAULT_TOKEN) are the application's own too and
 * are passed on; `--pristine` drops them all.
 */
export const KEY_ENV_NAMES = [
  "SOPS_AGE_KEY",
  "SOPS_AGE_KEY_FILE",
  "SOPS_AGE_KEY_CMD",
  "SOPS_AGE_SSH_PRIVATE_KEY_FILE",
  "SOPS_AGE_SSH_PRIVATE_KEY_CMD",
] as const;

/** `SEALFILE_AZURE_TOKEN`, and any other `SEALFILE_…_TOKEN` sealfile reads now or later. */
const SEALFILE_TOKEN_RE = /^SEALFILE_[A-Z0-9_]*TOKEN$/;

/** True for a variable the child does not inherit by default (see {@link KEY_ENV_NAMES}). */
export function isKeyEnvName(name: string): boolean {
  return (KEY_ENV_NAMES as readonly string[]).includes(name) || SEALFILE_TOKEN_RE.test(name);
}

const PRISTINE_KEEP = ["PATH", "HOME"] as const;

/**
 * The environment to give the child. The parent record is copied, never modified. Secrets are never
 * dropped, whatever their names: a file that holds `SOPS_AGE_KEY` was asked for.
 */
export function buildChildEnv(
  parent: Readonly<Record<string, string | undefined>>,
  secrets: Readonly<Record<string, string>>,
  opts: ChildEnvOptions,
): Record<string, string> {
  const env = emptyEnv();
  const inherited = opts.pristine ? PRISTINE_KEEP : Object.keys(parent);
  for (const name of inherited) {
    if (!opts.keepKeyEnv && isKeyEnvName(name)) continue;
    const v = parent[name];
    if (v !== undefined) env[name] = v;
  }
  for (const [name, v] of Object.entries(secrets)) {
    if (opts.override || !Object.hasOwn(env, name)) env[name] = v;
  }
  return env;
}
