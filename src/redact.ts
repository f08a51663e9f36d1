/**
 * Owns: recognising private key material and credential values in text and blanking them — the one
 * redaction that every line sealfile prints, every error message and every audit line goes through.
 *
 * Two kinds of material are recognised:
 * - by shape, whatever the input: age secret keys (`AGE-SECRET-KEY-1…`, `AGE-SECRET-KEY-PQ-1…`, any case),
 *   age plugin identities (`AGE-PLUGIN-…-1…`), and PEM-armoured private keys (PKCS#1/#8, EC, OpenSSH, PGP
 *   `PRIVATE KEY BLOCK`), whole or cut short;
 * - literally, the values of the environment variables that hold key material or tokens
 *   ({@link KEY_MATERIAL_ENV}), in their plain and JSON-escaped spellings.
 * Redaction is a last line of defence: messages are written not to quote such text in the first place.
 */

/** What shape-recognised key material is replaced with. */
export const REDACTED_KEY = "[redacted private key]";

/**
 * Environment variables whose values are key material or tokens and must never be printed. Besides these,
 * every `SEALFILE_*_TOKEN`.
 */
export const KEY_MATERIAL_ENV = [
  "SOPS_AGE_KEY",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "VAULT_TOKEN",
  "GOOGLE_OAUTH_ACCESS_TOKEN",
  "GOOGLE_CREDENTIALS",
  "AZURE_CLIENT_SECRET",
] as const;

const TOKEN_ENV_RE = /^SEALFILE_[A-Z0-9_]*TOKEN$/;

/** Shorter values are not redacted literally: they cannot be real keys, and blanking them would garble text. */
const MIN_LITERAL_LENGTH = 8;

const AGE_KEY_RE = /AGE-SECRET-KEY-[0-9A-Z-]+/gi;
/** An identity is `AGE-PLUGIN-NAME-1DATA`; the program name `age-plugin-name` alone is no secret and must stay readable. */
const AGE_PLUGIN_RE = /AGE-PLUGIN-[0-9A-Z._+-]*?-1[0-9A-Z]+/gi;
// Armour lines are upper case by definition; matching them case-sensitively keeps prose ("begin with a
// private key") out. The dashes are optional so a header cut at either end still counts.
const PEM_BEGIN_RE = /-{0,5}BEGIN[ 0-9A-Z]*PRIVATE KEY(?: BLOCK)?-{0,5}/g;
const PEM_END_RE = /-----END[ 0-9A-Z]*PRIVATE KEY(?: BLOCK)?-----/;
/** What may follow an armour line: base64, whitespace, escaped newlines (JSON), `Name: value` headers. */
const PEM_BODY_RE = /(?:[0-9A-Za-z+/=\s]|\\[nrt]|[A-Za-z-]+: [^\n\\]*)*/y;
/** The tail of a block whose BEGIN line was cut off: a base64 run ending in an END line. */
const PEM_TAIL_RE = /(?:[0-9A-Za-z+/=\s]|\\[nrt]){16,}-----END[ 0-9A-Z]*PRIVATE KEY(?: BLOCK)?-----/g;

/** True when `text` holds something shaped like a private key (see the header for the shapes). */
export function looksLikePrivateKey(text: string): boolean {
  return redactKeyMaterial(text) !== text;
}

/** `text` with every shape-recognised private key (see the header) replaced by {@link REDACTED_KEY}. */
export function redactKeyMaterial(text: string): string {
  if (!/AGE-|PRIVATE KEY/i.test(text)) return text;
  let out = redactPemBlocks(text);
  if (out.includes("-----END")) out = out.replace(PEM_TAIL_RE, REDACTED_KEY);
  return out.replace(AGE_KEY_RE, REDACTED_KEY).replace(AGE_PLUGIN_RE, REDACTED_KEY);
}

function redactPemBlocks(text: string): string {
  let out = "";
  let from = 0;
  PEM_BEGIN_RE.lastIndex = 0;
  for (let m = PEM_BEGIN_RE.exec(text); m !== null; m = PEM_BEGIN_RE.exec(text)) {
    if (m.index < from) continue;
    const afterHeader = m.index + m[0].length;
    const end = PEM_END_RE.exec(text.slice(afterHeader));
    let stop: number;
    if (end) stop = afterHeader + end.index + end[0].length;
    else {
      // Cut short: blank what still looks like the block's body.
      PEM_BODY_RE.lastIndex = afterHeader;
      PEM_BODY_RE.exec(text);
      stop = PEM_BODY_RE.lastIndex;
    }
    out += `${text.slice(from, m.index)}${REDACTED_KEY}`;
    from = stop;
    PEM_BEGIN_RE.lastIndex = Math.max(stop, afterHeader);
  }
  return from === 0 ? text : out + text.slice(from);
}

/** A replacement for one literal value, e.g. `SOPS_AGE_KEY`'s. */
export interface SecretLiteral {
  readonly value: string;
  readonly label: string;
}

/**
 * The literal values to blank for this environment: each {@link KEY_MATERIAL_ENV} variable and each
 * `SEALFILE_*_TOKEN`, whole; for `SOPS_AGE_KEY` also each line; for `GOOGLE_CREDENTIALS` the
 * secret fields of its JSON. Each value also in its JSON-escaped spelling.
 */
export function secretLiteralsOf(env: Readonly<Record<string, string | undefined>>): SecretLiteral[] {
  const out: SecretLiteral[] = [];
  const add = (value: string, name: string): void => {
    const v = value.trim();
    if (v.length < MIN_LITERAL_LENGTH) return;
    const label = `[redacted ${name}]`;
    out.push({ value: v, label });
    const escaped = JSON.stringify(v).slice(1, -1);
    if (escaped !== v) out.push({ value: escaped, label });
  };
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (!(KEY_MATERIAL_ENV as readonly string[]).includes(name) && !TOKEN_ENV_RE.test(name)) continue;
    add(value, name);
    // Each line too: an error may quote part of the value, and the key in it may already be blanked by shape.
    if (name === "SOPS_AGE_KEY") for (const line of value.split(/\r?\n/)) add(line, name);
    if (name === "GOOGLE_CREDENTIALS") for (const field of jsonSecretFields(value)) add(field, name);
  }
  // Longest first, so a whole value is blanked before any one of its lines.
  return out.sort((a, b) => b.value.length - a.value.length);
}

function jsonSecretFields(text: string): string[] {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== "object") return [];
    const rec = parsed as Record<string, unknown>;
    return ["private_key", "private_key_id", "client_secret", "refresh_token"].flatMap((k) => (typeof rec[k] === "string" ? [rec[k]] : []));
  } catch {
    return [];
  }
}

/** A function that blanks shape-recognised key material and the given literals in a piece of text. */
export type Redactor = (text: string) => string;

/** The redactor for an environment: {@link redactKeyMaterial} plus {@link secretLiteralsOf}`(env)`. */
export function makeRedactor(env: Readonly<Record<string, string | undefined>>): Redactor {
  const literals = secretLiteralsOf(env);
  return (text) => {
    let out = text;
    for (const l of literals) if (out.includes(l.value)) out = out.split(l.value).join(l.label);
    return redactKeyMaterial(out);
  };
}
