/**
 * Owns: a record, on the process, of which lazily loaded key sources have been loaded. The CLI bundles them into
 * one file, so a module trace cannot see them; test/helpers/module-trace.mjs reads this record at exit to prove an
 * age-only command loads none of them.
 */
const RECORD = Symbol.for("sealfile.loadedKeySources");

/** Called once at the top of a lazily loaded key source module. */
export function noteLoaded(name: string): void {
  const g = globalThis as { [RECORD]?: Set<string> };
  (g[RECORD] ??= new Set()).add(name);
}
