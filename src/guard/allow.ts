/**
 * Owns: the ways to accept a finding — an inline `secrets:allow` comment, `.secretsignore` paths, a baseline of
 * fingerprints (never values) — and the findings none of them accepts.
 */

/** The marker that, anywhere on a line, accepts findings on that line. */
export const INLINE_ALLOW = "secrets:allow";
export const IGNORE_FILE = ".secretsignore";
export const DEFAULT_BASELINE = ".secrets-baseline.json";

/**
 * Rules that nothing accepts — not `secrets:allow`, not `.secretsignore`, not a baseline: age identities and
 * dotenvx key files unlock every secret sealed to them, so committing one is never a false alarm.
 */
export const ALWAYS_BLOCKED: ReadonlySet<string> = new Set(["key-file"]);

/** True when the line carries the inline allow marker. */
export function hasInlineAllow(line: string): boolean {
  return line.includes(INLINE_ALLOW);
}
