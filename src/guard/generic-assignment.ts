/**
 * Owns: the generic detector — a secret-named key (`password`, `api_key`, `clientSecret`, …) assigned a
 * literal that looks random, in code, config, YAML, JSON, INI or .env text.
 */
import type { Detector, Hit, ScanContext } from "./patterns.js";
import { looksLikeSecret } from "./value-heuristics.js";

/** The key name must END with the keyword (`db_password` yes, `password_file`, `token_url` no). */
const SECRET_KEY_NAME =
  /(?:^|[^a-z])(?:pass|passwd|password|pwd)$|(?:passwd|password|secret|token|api[_.-]?key|apikey|access[_.-]?key|secret[_.-]?key|private[_.-]?key|client[_.-]?secret|credentials?|authorization|secret[_.-]?key[_.-]?base)$|(?:admin|app|application|master|signing|encryption|license|licence|auth|server|write|management|consumer|integration)[_.-]?key$|[_.-]pat$|^_auth$/i;
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
  // `#` starts a comment only at the start of a word (YAML, shell, INI): `pa#ss` is one value
  if (text[p] === "#") return null;
  const m = /^[^\s"'`,;)}\]]{1,520}/.exec(text.slice(p, p + 521));
  return m ? { value: m[0], start: p, quoted: false } : null;
}

/**
 * Ways a value is assigned to a key, tried right after the key (group 1, when present, is where the value starts
 * relative to the match): operators of most languages and Makefile (`::=`, `?=`), a key in quotes followed by a
 * quoted value (`setProperty("X_TOKEN", "…")`, `os.environ["X"] = …`, `$cfg['x'] = …`), an XML attribute pair
 * (`key="X" value="…"`), PHP's `.=`, a Go typed declaration, a Terraform variable's default, a Kubernetes env entry
 * (`name: X` then `value: …`), and Dockerfile `ENV X value`.
 */
const OPERATOR = /["']?\]?[ \t]*(?:\?\?=|\|\|=|:{1,3}=|\?=|\.=|=>|=(?!=)|:(?![:/]))/y;
/** How much of the line before a key the lead patterns below look at (far more than any of them spans). */
const LEAD_WINDOW = 512;
/** Calls that set a named value, whose first argument is the name: `setProperty("X_TOKEN", "…")`, `os.Setenv(…)`. */
const SETTER_CALL = /(?:setProperty|setenv|Setenv|putenv|define|setdefault|setSecret|SetEnvironmentVariable|set|put|Set|Put)\([ \t]*$/;
const QUOTED_PAIR = /["'][ \t]*,[ \t]*(?=["'`])/y;
const XML_ATTRIBUTE_PAIR = /"[ \t]+value[ \t]*=[ \t]*(?=")/y;
const GO_TYPED = /[ \t]+string[ \t]*=(?!=)/y;
const TERRAFORM_DEFAULT = /"[ \t]*\{[^}]{0,160}?\bdefault[ \t]*=/y;
const K8S_ENV_VALUE = /["']?[ \t]*\r?\n[ \t]*value[ \t]*:/y;
const DOCKER_ENV = /[ \t]+(?=[^\s=])/y;

function sticky(re: RegExp, text: string, at: number): number {
  re.lastIndex = at;
  return re.test(text) ? re.lastIndex : -1;
}

/** Where the value assigned to the key ending at `end` starts, and how to read it; null when none is. */
function valueAfterKey(text: string, start: number, end: number, quotedOnly: boolean): { at: number; xmlText?: true; key?: string } | null {
  const before = text[start - 1];
  const quoted = before === '"' || before === "'";
  // Only the end of the line before the key matters (`name: "`, `setenv(`, `ENV `). Looking back to the line's
  // start made every key on a minified line cost the line's length: quadratic in the line.
  const from = Math.max(0, start - LEAD_WINDOW);
  let leadStart = start;
  while (leadStart > from && text.charCodeAt(leadStart - 1) !== 0x0a) leadStart--;
  const whole = leadStart > from || from === 0 || text.charCodeAt(from - 1) === 0x0a;
  const lead = text.slice(leadStart, start);
  let at = sticky(OPERATOR, text, end);
  if (at >= 0) {
    if (quotedOnly && text[at - 1] === ":") {
      // a typed declaration: `apiKey: string = "…"`
      const typed = /^[ \t]*&?(?:'[a-z]+[ \t]+)?[A-Za-z_][\w<>[\]|.&' ]{0,60}=(?!=)/.exec(text.slice(at, at + 70));
      if (typed) at += typed[0].length;
    }
    return { at };
  }
  if (quoted && SETTER_CALL.test(lead.slice(0, -1)) && (at = sticky(QUOTED_PAIR, text, end)) >= 0) return { at };
  if (before === '"' && /(?:key|name)[ \t]*=[ \t]*"$/i.test(lead) && (at = sticky(XML_ATTRIBUTE_PAIR, text, end)) >= 0) return { at };
  if (before === "<" && text[end] === ">") return { at: end + 1, xmlText: true, key: text.slice(start, end) };
  if (quotedOnly && (at = sticky(GO_TYPED, text, end)) >= 0) return { at };
  if (before === '"' && /variable[ \t]+"$/.test(lead) && (at = sticky(TERRAFORM_DEFAULT, text, end)) >= 0) return { at };
  if (/name[ \t]*:[ \t]*["']?$/.test(lead) && (at = sticky(K8S_ENV_VALUE, text, end)) >= 0) return { at };
  if (whole && /^[ \t]*(?:ENV|ARG)[ \t]+$/.test(lead) && (at = sticky(DOCKER_ENV, text, end)) >= 0) return { at };
  return null;
}

/**
 * The text of an XML element (`<password>…</password>`, possibly on the next line), as a literal; only when its
 * closing tag follows (`KEY=<your-token>` is a placeholder, not an element).
 */
function readXmlText(text: string, at: number, key: string): { value: string; start: number; quoted: boolean } | null {
  const close = text.indexOf("<", at);
  if (close < 0 || close - at > 600 || !text.startsWith(`</${key}>`, close)) return null;
  const raw = text.slice(at, close);
  const value = raw.trim();
  if (value === "" || /\s/.test(value)) return null;
  return { value, start: at + raw.indexOf(value), quoted: true };
}

/**
 * Key names that hold something public by design (`publicKey`, `publishableKey`, `public_token`) or a
 * per-session anti-forgery value rather than a credential (`csrf-token`, `xsrfToken`, `authenticity_token`).
 */
const PUBLIC_KEY_NAME = /public|publishable|csrf|xsrf|authenticity/i;

/** Generic `secret-named key = random-looking literal` assignments, woken at each keyword. */
export const GENERIC_ASSIGNMENT: Detector = {
  rule: "generic-secret",
  triggers: [
    "password", "passwd", "pass", "pwd", "secret", "token", "api_key", "apikey", "api.key", "api-key", "access_key", "accesskey",
    "access.key", "secret_access_key", "private_key", "privatekey", "credential", "authorization",
    // `<qualifier>_key` names that hold a secret (DD_APP_KEY, ALGOLIA_ADMIN_KEY, NEW_RELIC_LICENSE_KEY, …)
    "adminkey", "admin_key", "admin-key", "admin.key", "appkey", "app_key", "app-key", "app.key", "application_key", "applicationkey",
    "masterkey", "master_key", "master-key", "signingkey", "signing_key", "signing-key", "encryptionkey", "encryption_key",
    "licensekey", "license_key", "license-key", "licence_key", "authkey", "auth_key", "auth-key", "serverkey", "server_key",
    "writekey", "write_key", "managementkey", "management_key", "consumerkey", "consumer_key",
    "integrationkey", "integration_key",
    // personal access tokens named `…_PAT` (AZURE_DEVOPS_PAT, GITHUB_PAT), npm's `_auth`
    "_pat", "-pat", ".pat", "_auth",
  ],
  at(text: string, at: number, out: Hit[], ctx: ScanContext) {
    let end = at;
    while (isKeyChar(text[end])) end++;
    if (end === ctx.lastKeyEnd) return; // `secret_token`: one key, one check
    ctx.lastKeyEnd = end;
    // the cheap test first: most keyword hits are prose or code without an assignment
    const next = text[end];
    if (next !== ":" && next !== "=" && next !== "?" && next !== "|" && next !== "." && next !== '"' && next !== "'" && next !== "]" && next !== ">" && next !== " " && next !== "\t" && next !== "\n" && next !== "\r") return;
    let start = at;
    while (start > 0 && isKeyChar(text[start - 1])) start--;
    const key = text.slice(start, end);
    if (!SECRET_KEY_NAME.test(key) || PUBLIC_KEY_NAME.test(key) || text[start - 1] === "/") return;
    // `…;Password=x;…` (a connection string) or `…&password=x` (a query) inside a string literal in code:
    // the value is not quoted on its own, and it ends at the next separator
    const before = text[start - 1];
    const inList = text[end] === "=" && (before === ";" || before === "&" || before === "?");
    const quotedOnly = ctx.quotedOnly && !inList;
    const where = valueAfterKey(text, start, end, quotedOnly);
    if (where === null) return;
    let v = where.xmlText ? readXmlText(text, where.at, where.key ?? "") : readValue(text, where.at, quotedOnly);
    if (v !== null && inList && !v.quoted) v = { ...v, value: v.value.split("&")[0] ?? "" };
    if (v === null || !looksLikeSecret(v.value, v.quoted)) return;
    out.push({ rule: "generic-secret", start: v.start, secret: v.value, message: `hard-coded value for "${key}"` });
  },
};
