/**
 * Owns: the generic detector — a secret-named key (`password`, `api_key`, `clientSecret`, …) assigned a
 * literal that looks random, in code, config, YAML, JSON, INI or .env text.
 */
import type { Detector, Hit, ScanContext } from "./patterns.js";
import { looksLikeSecret } from "./value-heuristics.js";

/** The key name must END with the keyword (`db_password` yes, `password_file`, `token_url` no). */
const SECRET_KEY_NAME =
  /(?:^|[^a-z])(?:pass|passwd|password|pwd)$|(?:passwd|password|secret|token|api[_.-]?key|apikey|access[_.-]?key|secret[_.-]?key|private[_.-]?key|client[_.-]?secret|credentials?|authorization|secret[_.-]?key[_.-]?base)$/i;
const KEY_CHAR = /[A-Za-z0-9_.-]/;
/** Files whose values are code expressions, so only a quoted literal is a value. */
export const CODE_EXT = /\.(?:[cm]?[jt]sx?|py|rb|go|java|kt|kts|scala|cs|php|swift|rs|c|cc|cpp|h|hpp|m|dart|groovy|gradle|lua|pl|r|ex|exs|erl|clj|vue|svelte)$/i;

function isKeyChar(c: string | undefined): boolean {
  return c !== undefined && KEY_CHAR.test(c);
}

/** Reads the value after the assignment operator at `i`; returns it with its offset, or null. */
function readValue(text: string, i: number, quotedOnly: boolean): { value: string; start: number; quoted: boolean } | null {
  let p = i;
  while (text[p] === " " || text[p] === "\t") p++;
  const word = /^(?:Bearer|Basic|Token|token) +/.exec(text.slice(p, p + 8));
  if (word) p += word[0].length;
  const q = text[p];
  if (q === '"' || q === "'" || q === "`") {
    const end = text.indexOf(q, p + 1);
    if (end < 0 || end - p > 520) return null;
    const value = text.slice(p + 1, end);
    if (value.includes("\n")) return null;
    const inner = /^(?:Bearer|Basic|Token) +(\S+)$/.exec(value);
    return inner
      ? { value: inner[1] ?? "", start: p + 1 + value.indexOf(inner[1] ?? ""), quoted: true }
      : { value, start: p + 1, quoted: true };
  }
  if (quotedOnly) return null;
  const m = /^[^\s"'`,;)}\]#]{1,520}/.exec(text.slice(p, p + 521));
  return m ? { value: m[0], start: p, quoted: false } : null;
}

/** Generic `secret-named key = random-looking literal` assignments, woken at each keyword. */
export const GENERIC_ASSIGNMENT: Detector = {
  rule: "generic-secret",
  triggers: [
    "password", "passwd", "pass", "pwd", "secret", "token", "api_key", "apikey", "access_key", "accesskey",
    "secret_access_key", "private_key", "privatekey", "credential", "authorization",
  ],
  at(text: string, at: number, out: Hit[], ctx: ScanContext) {
    let end = at;
    while (isKeyChar(text[end])) end++;
    if (end === ctx.lastKeyEnd) return; // `secret_token`: one key, one check
    ctx.lastKeyEnd = end;
    // the operator first: most keyword hits are prose or code without an assignment, and this is cheap
    let p = end;
    if (text[p] === '"' || text[p] === "'") p++;
    while (text[p] === " " || text[p] === "\t") p++;
    const c = text[p];
    if (c !== ":" && c !== "=" && c !== "?" && c !== "|") return;
    const op = /^(?::=|=>|\?\?=|\|\|=|=(?!=)|:(?!:))/.exec(text.slice(p, p + 3));
    if (!op) return;
    let start = at;
    while (start > 0 && isKeyChar(text[start - 1])) start--;
    const key = text.slice(start, end);
    if (!SECRET_KEY_NAME.test(key)) return;
    let valueAt = p + op[0].length;
    if (ctx.quotedOnly && op[0] === ":") {
      // a typed declaration: `apiKey: string = "…"`
      const typed = /^[ \t]*[A-Za-z_][\w<>[\]|. ]{0,60}=(?!=)/.exec(text.slice(valueAt, valueAt + 70));
      if (typed) valueAt += typed[0].length;
    }
    const v = readValue(text, valueAt, ctx.quotedOnly);
    if (v === null || !looksLikeSecret(v.value, v.quoted)) return;
    out.push({ rule: "generic-secret", start: v.start, secret: v.value, message: `hard-coded value for "${key}"` });
  },
};
