/** Owns: the public face of the pre-commit guard. */
export type { Finding, Fingerprinter, GuardPolicy, GuardRule, SealedInspection } from "./types.js";
export { scan, type ScanOptions } from "./scan.js";
export { runGuard, type GuardMode, type GuardResult, type RunGuardOptions } from "./run.js";
export { ALWAYS_BLOCKED, DEFAULT_BASELINE, IGNORE_FILE, INLINE_ALLOW } from "./allow.js";
export { BASELINE_VERSION, parseBaseline, writeBaseline, type BaselineState } from "./baseline.js";
export { compileIgnore, type IgnoreMatcher } from "./ignore-match.js";
export { maskSecret } from "./mask.js";
export { RULE_CATALOG, PUBLISHED_EXAMPLES, type CatalogRule } from "./rule-catalog.js";
