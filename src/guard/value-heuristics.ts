/** Owns: telling a real-looking secret value from a placeholder, a reference or ordinary text. */

/** Shannon entropy of the string's characters, in bits per character. */
export function shannonEntropy(s: string): number {
  if (s.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/** Words that mark a documented example or a fill-me-in value (matched case-insensitively inside the value). */
const PLACEHOLDER_WORDS =
  /example|changeme|change[_-]me|placeholder|replace[_-]?me|replace[_-]?with|your[_-]|yourpass|redacted|dummy|fixme|todo|insert[_-]|sample|<[^>]*>|\.\.\.|\u2026/i;
/** Whole values that are placeholders or trivial defaults. */
const PLACEHOLDER_VALUES = new Set([
  "password", "passwd", "secret", "token", "apikey", "api_key", "test", "testing", "admin", "root", "guest", "user",
  "null", "none", "nil", "undefined", "true", "false", "empty", "default", "pass", "foo", "bar", "foobar", "qwerty",
  "letmein", "postgres", "mysql", "hunter2", "s3cret", "secret123", "password123", "123456", "12345678",
]);

/**
 * True for values nobody would deploy: documented examples, `changeme`, `<…>`, `xxx…`, `***`, a single
 * repeated character, runs of six identical characters, counting sequences.
 */
export function isPlaceholder(value: string): boolean {
  const v = value.trim();
  if (v.length === 0) return true;
  if (PLACEHOLDER_VALUES.has(v.toLowerCase())) return true;
  if (PLACEHOLDER_WORDS.test(v)) return true;
  if (/^[^<]{0,8}<[A-Za-z][\w -]*$/.test(v)) return true; // `<your key>`, `SG.<your key>` cut at the space
  if (/^\{[A-Za-z_][\w.-]*\}?$|^@[A-Za-z_][\w.-]*@$/.test(v)) return true; // `{SumoAccessKey}`, `@TOKEN@`: template slots
  if (/(.)\1{5}/.test(v)) return true; // xxxxxx, 000000, ******
  if (/^(.)\1*$/.test(v)) return true;
  if (/0123456789|123456789|abcdefghij|ABCDEFGHIJ/i.test(v)) return true;
  return false;
}

/**
 * True for values that point at a secret kept elsewhere rather than holding one: `${VAR}`, `$VAR`, `{{ … }}`,
 * `%(name)s`, `#{…}`, `process.env.X`, `os.environ[...]`, `env(...)`, vault/secret-manager references.
 */
export function isReference(value: string): boolean {
  const v = value.trim();
  return (
    /^[$%#@]\{|^\$\(|^\$[A-Za-z_]|^\{\{|^%\(|^%[A-Za-z_]+%$/.test(v) ||
    /^(?:process\.env|import\.meta\.env|os\.environ|os\.getenv|env\(|ENV\[|System\.getenv|secrets\.|vars\.|vault:|ref\+|arn:aws:secretsmanager|projects\/[^/]+\/secrets\/)/.test(v)
  );
}

/** Character classes present: lower, upper, digit, other. */
export function charClasses(s: string): number {
  return (/[a-z]/.test(s) ? 1 : 0) + (/[A-Z]/.test(s) ? 1 : 0) + (/[0-9]/.test(s) ? 1 : 0) + (/[^A-Za-z0-9]/.test(s) ? 1 : 0);
}

/**
 * Minimum entropy (bits per character) for a generic `password = "…"` value, tuned on the labelled corpus in
 * test/fixtures/guard: random tokens of 12+ characters sit above 3.3, names and sentences below.
 */
export const GENERIC_ENTROPY_THRESHOLD = 3.0;
/** The floor for mixed-case values with digits or symbols, which only rules out runs like `AaAa1111`. */
const MIXED_ENTROPY_THRESHOLD = 2.5;

/** The text a base64 value encodes, when it is short printable ASCII (`cGFzc3dvcmQ=` is "password"), else null. */
function printableBase64(value: string): string | null {
  if (value.length > 128 || value.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return null;
  const text = Buffer.from(value, "base64").toString("latin1");
  return /^[\x21-\x7e]+$/.test(text) ? text : null;
}

/**
 * A dot-separated piece that reads as random rather than as a name: 16+ characters with a digit, and mixed case
 * or a digit between letters (`abcdef.0123…` bootstrap tokens; names end in their digits: `utf8`, `base64`, `v2`).
 */
function randomSegment(value: string): boolean {
  return value.split(".").some((p) => p.length >= 16 && /[0-9]/.test(p) && ((/[a-z]/.test(p) && /[A-Z]/.test(p)) || /[a-z][0-9]+[a-z]/i.test(p)));
}

/** Base64 that happens to start with `/` (`/6qf…A=`): padded, or long and without the dots and varied like paths are not. */
function base64Like(value: string): boolean {
  if (!/^[A-Za-z0-9+/]{20,}={0,2}$/.test(value)) return false;
  return value.endsWith("=") || (value.length >= 32 && shannonEntropy(value) >= 4.5);
}

/**
 * Whether a value assigned to a secret-named key looks like a real secret rather than a word or a name.
 * Unquoted values may be expressions (`settings.db.password`); quoted ones are literals.
 */
export function looksLikeSecret(value: string, quoted: boolean): boolean {
  if (value.length < 8 || value.length > 512) return false;
  if (/\s/.test(value)) return false; // prose, not a credential
  if (isPlaceholder(value) || isReference(value)) return false;
  if (!/[A-Za-z]/.test(value)) return false; // numbers: ports, lengths, timeouts
  if (/^[a-z]+(?:[-_.][a-z]+)*$/.test(value) || /^[A-Z]+(?:_[A-Z]+)*$/.test(value)) return false; // words, ENV_NAMES
  // config.db.password, obj.getToken() — but not a token with a dot in it (`s.Xy3…`: random segments carry digits)
  if (!quoted && /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+(?:\(.*\))?$/.test(value) && !randomSegment(value)) return false;
  if (/^(?:pk[._](?:live_|test_)?|public-)/.test(value)) return false; // publishable keys and public tokens, public by design
  if (/^[a-z][a-z0-9]*(?:-[a-z0-9]+)*[-:]\d+(?:\.\d+)+$/.test(value)) return false; // an artifact and its version: jjwt-jackson-0.11.2
  if (/^(?:\.{0,2}\/|~\/|[A-Za-z]:\\)/.test(value) && !base64Like(value)) return false; // a file path
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return false; // a URL (credentials in URLs have their own detector)
  // interpolation or a call: code, not a literal. An unquoted value is cut at the call's `)`; a quoted one holds the
  // whole call, or is code read between two literals (`"a:password:"))).toBe("…"`): `)` then `.`, `,`, `;` or `)`.
  if (/\$\{|#\{|\{\{/.test(value) || (/[A-Za-z_$][\w$]*\(/.test(value) && (!quoted || /\([^()]*\)|^\)|\)[ \t]*[.,;)]/.test(value)))) return false;
  if (/^[A-Za-z][a-z]+(?:[A-Z][a-z]+[0-9]*)+$|^[a-z]+(?:[A-Z][a-z]+)+$/.test(value)) return false; // camelCase / PascalCase names (digits end a word: `Base64`)
  const decoded = printableBase64(value);
  if (decoded !== null) return decoded.length >= 8 && looksLikeSecret(decoded, true); // base64 of text: judge the text
  const h = shannonEntropy(value);
  // Short values cannot reach the entropy of long random ones (8 distinct characters are 3 bits): a mixed-case
  // value with digits or symbols (`P@ssw0rd`, `Tr0ub4dor&3`) is a password as people write them.
  // (Dashes, dots and underscores alone do not count: `X-Api-Key` is a header name.)
  if (/[a-z]/.test(value) && /[A-Z]/.test(value) && /[^A-Za-z_.-]/.test(value)) return h >= MIXED_ENTROPY_THRESHOLD;
  if (charClasses(value) >= 2 && /[^A-Za-z]/.test(value)) return h >= GENERIC_ENTROPY_THRESHOLD;
  return value.length >= 20 && h >= 3.8; // letters only: must be long and varied
}
