/** Owns: the precedence rules that combine the inherited environment with the secrets for the child. */
import { emptyEnv } from "./env-map.js";

export interface ChildEnvOptions {
  /** Secrets replace inherited variables of the same name (default); false keeps the inherited ones. */
  readonly override: boolean;
  /** Start from `PATH` and `HOME` of the parent only, instead of its whole environment. */
  readonly pristine: boolean;
}

const PRISTINE_KEEP = ["PATH", "HOME"] as const;

/**
 * The environment to give the child. The parent record is copied, never modified.
 */
export function buildChildEnv(
  parent: Readonly<Record<string, string | undefined>>,
  secrets: Readonly<Record<string, string>>,
  opts: ChildEnvOptions,
): Record<string, string> {
  const env = emptyEnv();
  const inherited = opts.pristine ? PRISTINE_KEEP : Object.keys(parent);
  for (const name of inherited) {
    const v = parent[name];
    if (v !== undefined) env[name] = v;
  }
  for (const [name, v] of Object.entries(secrets)) {
    if (opts.override || !Object.hasOwn(env, name)) env[name] = v;
  }
  return env;
}
