/**
 * Owns: recognising files that hold secrets by their name (`.env`, `prod.env`, `*.pem`, `id_rsa`, `.pgpass`,
 * `credentials.json`, …) and key files by name (`.env.keys`); key material in content is found by the detectors.
 */

import { PUBLISHED_EXAMPLES } from "./rule-catalog.js";
import { looksLikeSecret } from "./value-heuristics.js";

/** Last path segment. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** `prod.env` style names that are templates: `example.env`, `app.sample.env`, `env.template.env`. */
const NAMED_ENV_TEMPLATE = /(?:^|[._-])(?:example|sample|template|dist|defaults|schema)\.env$/i;
const ENV_TEMPLATE = /^\.env\.(?:example|sample|template|dist|defaults|schema)(?:\..*)?$|\.(?:example|sample|template)$/i;
/** PEM blocks that hold nothing private. */
const PUBLIC_PEM = /^(?:CERTIFICATE|TRUSTED CERTIFICATE|X509 CRL|CERTIFICATE REQUEST|NEW CERTIFICATE REQUEST|PUBLIC KEY|RSA PUBLIC KEY|DH PARAMETERS|EC PARAMETERS|PGP PUBLIC KEY BLOCK|PGP SIGNATURE|SSH2 PUBLIC KEY)$/;

/**
 * Whether a JSON credentials file holds a value that looks like a secret: a private key, or a random-looking
 * string that is not a vendor's published example (documentation and test fixtures copy those).
 */
function jsonHoldsSecret(text: string): boolean {
  for (const m of text.matchAll(/"[^"\n]{1,200}"\s*:\s*"((?:[^"\\\n]|\\.){8,4000})"/g)) {
    const value = m[1] ?? "";
    if (value.includes("PRIVATE KEY") || (!PUBLISHED_EXAMPLES.has(value) && looksLikeSecret(value, true))) return true;
  }
  return false;
}

/** Why a file's name marks it as secret, or null. `text` is its content decoded (for content-qualified names). */
export function secretFileReason(path: string, text: string): string | null {
  const name = baseName(path);
  const lower = name.toLowerCase();
  const dotEnv = lower === ".env" || (lower.startsWith(".env.") && lower !== ".env.keys");
  if (dotEnv || (lower.endsWith(".env") && !lower.endsWith(".env.keys"))) {
    if (ENV_TEMPLATE.test(lower) || NAMED_ENV_TEMPLATE.test(lower) || lower === ".env.vault") return null;
    return /^\s*(?:export\s+)?[A-Za-z_][\w.]*\s*=\s*\S/m.test(text) ? "a .env file" : null;
  }
  if (/\.(?:pem|key|crt|cer)$/i.test(lower)) {
    const kinds = [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----/g)].map((m) => m[1] ?? "");
    if (kinds.length > 0 && kinds.every((k) => PUBLIC_PEM.test(k))) return null;
    if (kinds.length === 0 && !/\.key$/i.test(lower)) return null;
    if (kinds.length === 0 && /^\s*$/.test(text)) return null;
    return `a ${lower.slice(lower.lastIndexOf("."))} key file`;
  }
  if (/^id_(?:rsa|dsa|ecdsa|ed25519)(?:_sk)?$/.test(lower)) return "an SSH private key file";
  if (/\.(?:p12|pfx|jks|keystore|ppk|kdbx|asc\.key)$/i.test(lower)) return "a key store";
  if (lower === "credentials.json" || /^client_secret.*\.json$/.test(lower)) return jsonHoldsSecret(text) ? "a credentials file" : null;
  if (/(?:^|\/)\.aws\/credentials$/.test(path)) return "an AWS credentials file";
  if (lower === ".git-credentials" || lower === ".htpasswd") return "a credentials file";
  if (lower === ".npmrc" || lower === ".yarnrc.yml") {
    return /_authToken\s*[=:]\s*["']?(?!\$\{)[^\s"'$]{8,}|npmAuthToken:\s*["']?(?!\$\{)[^\s"'$]{8,}/.test(text) ? "an npm config with an auth token" : null;
  }
  if (lower === ".pypirc") return /^\s*password\s*[=:]\s*(?!\$\{)\S/m.test(text) ? "a .pypirc with a password" : null;
  if (lower === ".pgpass" || lower === "pgpass.conf") {
    // host:port:database:user:password, one entry a line
    return /^[^#\s:][^:\n]*:[^:\n]*:[^:\n]*:[^:\n]*:[ \t]*(?![*]?[ \t]*$)\S/m.test(text) ? "a .pgpass with a password" : null;
  }
  if (lower === ".netrc" || lower === "_netrc") return /\bpassword\s+(?!\$)\S/.test(text) ? "a .netrc with a password" : null;
  return null;
}

/** Files that hold decryption keys by their very name (dotenvx `.env.keys`). */
export function keyFileName(path: string): boolean {
  const lower = baseName(path).toLowerCase();
  return lower === ".env.keys" || lower.endsWith(".env.keys");
}
