/**
 * Owns: what a detector is (a check woken by literal triggers found in the one-pass trigger scan) and the
 * anchored-regex builder the pattern files share.
 */
import { isPlaceholder, shannonEntropy } from "./value-heuristics.js";

/** A secret found in text: where it starts, the secret itself (never printed), and what it is. */
export interface Hit {
  readonly rule: string;
  /** Offset of the secret in the text. */
  readonly start: number;
  readonly secret: string;
  readonly message: string;
}

/**
 * A detector is woken by literal triggers (matched case-insensitively, all detectors' triggers in one pass
 * over the text, see trigger-scan.ts) and then looks only at that place.
 */
export interface Detector {
  readonly rule: string;
  /** Lower-case literals; the detector runs at each place where one occurs. */
  readonly triggers: readonly string[];
  /** Examines the text at `at` (where a trigger starts) and reports what it finds. */
  readonly at: (text: string, at: number, out: Hit[], ctx: ScanContext) => void;
}

/** Per-file facts and state shared by the detectors during one scan. */
export interface ScanContext {
  /** The file is source code: only quoted literals count as values. */
  readonly quotedOnly: boolean;
  /** End of the last key the generic detector examined (one key, one check). */
  lastKeyEnd: number;
  /** Per rule, how far a detector that examines whole regions has got, so no region is examined twice. */
  readonly examinedUntil: Map<string, number>;
  /** Whether decoded content (a base64 value) holds a secret by any detector; absent where nothing decodes. */
  readonly findsSecretIn?: (decoded: string) => boolean;
}

// Boundaries: a token must not be the middle of a longer run of token characters (hashes, identifiers).
// `/`, `+` and `=` may precede a token (URLs, `key=`); a random base64 run matches a whole token shape rarely enough.
export const B = "(?<![A-Za-z0-9_-])";
export const E = "(?![A-Za-z0-9_-])";

/**
 * Default acceptance for a fixed-shape token: not a placeholder, and not a low-variety run like `abab…`.
 * Short random parts cannot reach the entropy of long ones (1 in 270 random 16-character AWS key ids is below
 * 3 bits), so parts under 24 characters need 2.5.
 */
export function randomToken(secret: string): boolean {
  return !isPlaceholder(secret) && shannonEntropy(secret) >= (secret.length < 24 ? 2.5 : 3);
}

export interface AnchorOptions {
  /** Whether the match (or group) is a real secret; `randomToken` by default. */
  readonly accept?: (secret: string, m: RegExpExecArray) => boolean;
  /** Capture group that holds the secret (0: the whole match). */
  readonly group?: number;
  /** Where the regex must match, given the trigger's offset (for tokens whose trigger is not their start). */
  readonly from?: (text: string, at: number) => number;
}

/**
 * A detector whose regex must match exactly where the trigger starts (or at `from(text, at)`); reports group
 * `group` (or the whole match) when `accept` agrees. The regex's own flags (`i`, `m`) are kept.
 */
export function anchoredDetector(
  rule: string,
  triggers: readonly string[],
  source: string | RegExp,
  message: string,
  options: AnchorOptions = {},
): Detector {
  const flags = typeof source === "string" ? "" : source.flags.replace(/[gy]/g, "");
  const re = new RegExp(typeof source === "string" ? source : source.source, `${flags}y`);
  const accept = options.accept ?? randomToken;
  const group = options.group ?? 0;
  const from = options.from;
  return {
    rule,
    triggers,
    at(text, at, out) {
      const start = from === undefined ? at : from(text, at);
      if (start < 0) return;
      re.lastIndex = start;
      const m = re.exec(text);
      if (m === null) return;
      const secret = m[group];
      if (secret === undefined || !accept(secret, m)) return;
      out.push({ rule, start: m.index + (group === 0 ? 0 : m[0].indexOf(secret)), secret, message });
    },
  };
}
