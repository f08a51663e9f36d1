/** Owns: the public face of the pre-commit guard. */
export type { Finding, GuardPolicy, GuardRule, SealedInspection } from "./types.js";
export { scan } from "./scan.js";
export { runGuard, type GuardMode, type GuardResult, type RunGuardOptions } from "./run.js";
export { DEFAULT_BASELINE, IGNORE_FILE, INLINE_ALLOW, loadBaseline, writeBaseline } from "./allow.js";
export { compileIgnore, type IgnoreMatcher } from "./ignore-match.js";
export { maskSecret } from "./mask.js";
