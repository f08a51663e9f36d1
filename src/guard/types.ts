/** Owns: the shapes the guard shares — findings, the injected policy, and what a policy says of a sealed file. */

/** One thing the guard blocks. Never carries a secret value: `excerpt` is masked, `fingerprint` is a slow salted hash. */
export interface Finding {
  /** Stable rule id, e.g. "unsealed-file", "github-token", "generic-secret". */
  readonly rule: string;
  /** Path relative to the repository root, `/`-separated. */
  readonly path: string;
  /** With `--history`: the commit that introduced the file version holding the secret. */
  readonly commit?: string;
  /** 1-based line and column of the secret, when the finding is about a place in the file. */
  readonly line?: number;
  readonly column?: number;
  /** The first characters of the secret followed by "…", or "" for whole-file findings. */
  readonly excerpt: string;
  /** Hex scrypt of (rule, path, secret) under the baseline's salt (what a baseline stores); "" when not computed. */
  readonly fingerprint: string;
  /** Set when the baseline accepts this finding (never honoured for key files, see `ALWAYS_BLOCKED`). */
  readonly accepted?: boolean;
  /** One actionable sentence. */
  readonly message: string;
}

/** One creation rule of `.sops.yaml`, as the guard needs it. */
export interface GuardRule {
  /** Position in `creation_rules`, for messages. */
  readonly index: number;
  /** The rule's `path_regex` (compiled by the policy; a plain `RegExp` will do in tests). */
  readonly pathRegex: { test(path: string): boolean };
  /** Whether the value at this key path must be encrypted under this rule (encrypted_regex & co.). */
  readonly shouldEncrypt?: (keyPath: string[]) => boolean;
}

/** What the policy says of a file's bytes when asked whether it is a valid sealed file. */
export interface SealedInspection {
  readonly sealed: boolean;
  /** Why it is not a valid sealed file (no metadata, broken metadata…); never quotes file contents. */
  readonly problem?: string;
  /** Key paths that must be encrypted but are in clear. */
  readonly clearValues?: string[][];
  /** How the file's own encryption rule falls short of its creation rule (one sentence, no values). */
  readonly weakRule?: string;
}

/** Everything the guard needs to know about the project's configuration, injected by the caller. */
export interface GuardPolicy {
  /** Creation rules in order; the first whose `pathRegex` matches a path applies (as in sops). */
  readonly rules: readonly GuardRule[];
  /** Parses `bytes` as a sealed file of the format its path implies. Must not throw. */
  readonly inspectSealed: (path: string, bytes: Uint8Array) => SealedInspection;
}

/** Fingerprints a finding from its secret, which it never keeps, and tells whether the baseline accepts it. */
export interface Fingerprinter {
  mark(rule: string, path: string, secret: string): { fingerprint: string; accepted: boolean };
}
