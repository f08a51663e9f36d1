/**
 * Owns: detectors for well-known secret formats (cloud keys, VCS and chat tokens, private key blocks, JWTs,
 * database URLs with a password) and the ordered list of every format detector (service tokens in
 * service-tokens.ts, context-woken ones in context-patterns.ts). Each is a cheap literal prefilter plus a bounded regular expression,
 * so one pass over a large file stays linear.
 */
import { isPlaceholder, isReference } from "./value-heuristics.js";
import { anchoredDetector, B, E, type Detector } from "./detector.js";
import { CONTEXT_DETECTORS } from "./context-patterns.js";
import { SERVICE_TOKEN_DETECTORS } from "./service-tokens.js";

export type { Detector, Hit, ScanContext } from "./detector.js";

/** A detector whose sticky regex must match where the trigger starts; reports group `group` (or the whole match). */
function stickyDetector(
  rule: string,
  triggers: readonly string[],
  source: string | RegExp,
  message: string,
  accept: (secret: string, m: RegExpExecArray) => boolean = (s) => !isPlaceholder(s),
  group = 0,
): Detector {
  return anchoredDetector(rule, triggers, source, message, { accept, group });
}

/** A 40-character secret access key; only looked for near an AWS context. */
const AWS_SECRET = /(?<![A-Za-z0-9_+/-])[A-Za-z0-9/+]{40}(?![A-Za-z0-9_+/=-])/g;
const AWS_WINDOW = 300;

/** Looks for a secret access key within a few hundred characters of an AWS key id or `secret_access_key`. */
function awsSecretDetector(): Detector {
  return {
    rule: "aws-secret-key",
    triggers: ["akia", "asia", "secret_access_key", "secretaccesskey", "aws_secret"],
    at(text, at, out) {
      const from = Math.max(0, at - AWS_WINDOW);
      const window = text.slice(from, Math.min(text.length, at + AWS_WINDOW));
      if (/^(?:akia|asia)/i.test(text.slice(at, at + 4)) && !/^(?:AKIA|ASIA)[A-Z0-9]{16}/.test(text.slice(at, at + 20))) return;
      AWS_SECRET.lastIndex = 0;
      for (let m = AWS_SECRET.exec(window); m !== null; m = AWS_SECRET.exec(window)) {
        const s = m[0];
        if (!/[a-z]/.test(s) || !/[A-Z]/.test(s) || !/[0-9]/.test(s) || isPlaceholder(s)) continue;
        out.push({ rule: "aws-secret-key", start: from + m.index, secret: s, message: "AWS secret access key" });
      }
    },
  };
}

const PEM_PRIVATE = /-----BEGIN ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED |ANY |SSH2 ENCRYPTED )?PRIVATE KEY|PGP PRIVATE KEY BLOCK)-----/y;

/** A private key block counts only when real key material follows (docs often show just the armour line). */
function privateKeyDetector(): Detector {
  return {
    rule: "private-key",
    triggers: ["-----begin "],
    at(text, at, out) {
      PEM_PRIVATE.lastIndex = at;
      const m = PEM_PRIVATE.exec(text);
      if (m === null) return;
      const after = text.slice(at + m[0].length, at + m[0].length + 600).replace(/\\[nr]/g, "\n");
      const body = /[A-Za-z0-9+/=]{40,}/.exec(after);
      if (body === null || /^(.)\1*$/.test(body[0])) return;
      out.push({ rule: "private-key", start: at, secret: body[0], message: `${m[1] ?? "private key"} block` });
    },
  };
}

/** A private key block kept as base64 (kubeconfig `client-key-data`, Helm values): `LS0tLS1CRUdJTi` is `-----BEGIN`. */
const BASE64_RUN = /[A-Za-z0-9+/]{60,20000}={0,2}/y;
const PEM_PRIVATE_TEXT = /^-----BEGIN ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED |ANY )?PRIVATE KEY|PGP PRIVATE KEY BLOCK)-----\r?\n(?:[\w-]+: [^\n]*\n)*\r?\n?([A-Za-z0-9+/=]{40,})/;

function base64PrivateKeyDetector(): Detector {
  return {
    rule: "private-key",
    triggers: ["ls0tls1crudjti"],
    at(text, at, out) {
      if (/[A-Za-z0-9+/]/.test(text[at - 1] ?? "")) return;
      BASE64_RUN.lastIndex = at;
      const run = BASE64_RUN.exec(text)?.[0];
      if (run === undefined) return;
      const head = Buffer.from(run.slice(0, 1200), "base64").toString("latin1");
      const m = PEM_PRIVATE_TEXT.exec(head);
      if (m === null || /^(.)\1*$/.test(m[2] ?? "")) return;
      out.push({ rule: "private-key", start: at, secret: run, message: `${m[1] ?? "private key"} block (base64-encoded)` });
    },
  };
}

const PUTTY = /PuTTY-User-Key-File-\d: [^\r\n]+[\s\S]{0,2000}?Private-Lines: \d+\r?\n([A-Za-z0-9+/=]{40,})/;

const JWT = `${B}(eyJ[A-Za-z0-9_-]{8,})\\.([A-Za-z0-9_-]{2,})\\.([A-Za-z0-9_-]{16,})${E}`;

/** A JWT counts when its header decodes to a JSON object with an `alg`. */
function isJwt(_s: string, m: RegExpExecArray): boolean {
  try {
    const header: unknown = JSON.parse(Buffer.from(m[1] ?? "", "base64url").toString("utf8"));
    return typeof header === "object" && header !== null && typeof (header as { alg?: unknown }).alg === "string";
  } catch {
    return false;
  }
}

/** Triggered at `://`; the scheme is checked by a look-behind. The password runs to the last `@` (an unencoded `@` in it). */
const DB_URL =
  /(?<=\b(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver|cockroachdb|clickhouse)(?:\+[a-z0-9]+)?):\/\/([^\s:/@'"`<>]{0,128}):([^\s/'"`<>]{1,256})@[^\s'"`<>]/i;

function acceptDbPassword(password: string, m: RegExpExecArray): boolean {
  const user = m[1] ?? "";
  if (password === user || isPlaceholder(password) || isReference(password)) return false;
  if (/^[*x]+$/i.test(password) || /^%s$|^\{[^}]*\}$|^:/.test(password)) return false;
  return !/^(?:pass(?:word)?|pwd|secret|dbpass)$/i.test(password);
}

/** AGE secret keys (X25519 and post-quantum), as the age tools write them: Bech32, upper case. */
export const AGE_SECRET_KEY = /AGE-SECRET-KEY-(?:PQ-)?1[02-9AC-HJ-NP-Z]{50,2000}/;
/** dotenvx private keys (group 1: the key). */
const DOTENV_PRIVATE = /DOTENV_PRIVATE_KEY\w*\s*=\s*["']?([0-9a-f]{64})/;

/** Every format detector, most specific first (an overlapping weaker hit is dropped by the scanner). */
export const DETECTORS: readonly Detector[] = [
  stickyDetector("key-file", ["age-secret-key-"], AGE_SECRET_KEY, "age secret key: key files must never be committed", () => true),
  stickyDetector("key-file", ["dotenv_private_key"], DOTENV_PRIVATE, "dotenvx private key: key files must never be committed", () => true, 1),
  privateKeyDetector(),
  base64PrivateKeyDetector(),
  stickyDetector("private-key", ["putty-user-key-file-"], PUTTY, "PuTTY private key", (s) => !isPlaceholder(s), 1),
  awsSecretDetector(),
  ...SERVICE_TOKEN_DETECTORS,
  ...CONTEXT_DETECTORS,
  stickyDetector("jwt", ["eyj"], JWT, "JSON Web Token", isJwt),
  stickyDetector("database-url", ["://"], DB_URL, "database URL with a password", acceptDbPassword, 2),
];
