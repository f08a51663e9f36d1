/**
 * Owns: detectors that need context rather than a token prefix — keys woken by the service's name nearby
 * (Mailgun, Twilio, Discord), Azure connection-string keys and SAS signatures, Docker `config.json` auths,
 * Kubernetes `kind: Secret` manifests with clear data, and passwords in non-database URLs.
 */
import { anchoredDetector, randomToken, type Detector, type ScanContext } from "./detector.js";
import { charClasses, isPlaceholder, isReference, looksLikeSecret, shannonEntropy } from "./value-heuristics.js";

/** How far around a service name a key is looked for. */
const WINDOW = 300;
/** Longer than any token a context detector looks for. */
const OVERLAP = 160;
/** How far ahead a window reaches where mentions are dense. */
const DENSE_AHEAD = 8 * WINDOW;

/** A detector that looks for `patterns` within WINDOW characters of its trigger (a service name). */
function nearDetector(
  rule: string,
  triggers: readonly string[],
  patterns: ReadonlyArray<{ re: RegExp; message: string; accept?: (s: string, window: string) => boolean }>,
): Detector {
  return {
    rule,
    triggers,
    at(text, at, out, ctx) {
      // Dense mentions (a client library's own source) would rescan the same text at every mention: scan only
      // what earlier windows did not (plus an overlap longer than any token), and in a dense stretch read
      // further ahead at once, so the work stays linear in the file's length.
      const done = ctx.examinedUntil.get(rule) ?? 0;
      if (at + WINDOW <= done) return;
      const to = Math.min(text.length, at + (done > at - WINDOW ? DENSE_AHEAD : WINDOW));
      ctx.examinedUntil.set(rule, to);
      const from = Math.max(0, at - WINDOW, done - OVERLAP);
      const part = text.slice(from, to);
      for (const { re, message, accept } of patterns) {
        re.lastIndex = 0;
        for (let m = re.exec(part); m !== null; m = re.exec(part)) {
          const s = m[0];
          // a match touching a cut edge may be the middle of a longer run: its boundaries were not seen
          if ((m.index === 0 && from > 0) || (m.index + s.length === part.length && to < text.length)) continue;
          if (isPlaceholder(s) || shannonEntropy(s) < 3) continue;
          if (accept !== undefined && !accept(s, text.slice(Math.max(0, at - WINDOW), to))) continue;
          out.push({ rule, start: from + m.index, secret: s, message });
        }
      }
    },
  };
}

/** Discord bot tokens begin with the base64 of the bot's numeric id. */
function discordIdPart(token: string): boolean {
  const id = Buffer.from(token.slice(0, token.indexOf(".")), "base64url").toString("latin1");
  return /^[0-9]{17,20}$/.test(id);
}

/** A Twilio auth token is a bare 32-hex value, so it counts only beside an account SID. */
const TWILIO_ACCOUNT_SID = /(?<![A-Za-z0-9])AC[0-9a-f]{32}(?![A-Za-z0-9])/;

const MAILGUN = nearDetector("mailgun-key", ["mailgun"], [
  { re: /(?<![A-Za-z0-9_-])key-[0-9a-f]{32}(?![A-Za-z0-9_-])/g, message: "Mailgun API key" },
  { re: /(?<![A-Za-z0-9_-])[0-9a-f]{32}-[0-9a-f]{8}-[0-9a-f]{8}(?![A-Za-z0-9_-])/g, message: "Mailgun API key" },
]);
const TWILIO = nearDetector("twilio-key", ["twilio"], [
  { re: /(?<![A-Za-z0-9_-])SK[0-9a-fA-F]{32}(?![A-Za-z0-9_-])/g, message: "Twilio API key" },
  {
    re: /(?<![A-Za-z0-9_-])[0-9a-f]{32}(?![A-Za-z0-9_-])/g,
    message: "Twilio auth token",
    accept: (_s, window) => TWILIO_ACCOUNT_SID.test(window),
  },
]);
const DISCORD = nearDetector("discord-token", ["discord"], [
  {
    re: /(?<![A-Za-z0-9_-])[MNO][A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,38}(?![A-Za-z0-9_-])/g,
    message: "Discord bot token",
    accept: discordIdPart,
  },
  {
    re: /https:\/\/(?:ptb\.|canary\.)?discord(?:app)?\.com\/api\/webhooks\/[0-9]{17,20}\/[A-Za-z0-9_-]{60,70}/g,
    message: "Discord webhook URL",
  },
]);

/**
 * Azure storage account keys are 64 random bytes in base64 (88 characters, ending `==`). The storage
 * emulator's published key (account `devstoreaccount1`) is public and passes.
 */
const AZURE_ACCOUNT_KEY = /(?:account|storage)[_-]?key["']?(?:[ \t]*[=:][ \t]*|[ \t]+)["']?([A-Za-z0-9+/]{86}==)/i;
/** Service Bus, Event Hubs and IoT Hub shared access keys are 32 random bytes (44 characters). */
const AZURE_SHARED_KEY = /SharedAccessKey[ \t]*["']?[ \t]*[=:][ \t]*["']?([A-Za-z0-9+/]{43}=)/i;
/** A SAS signature is the URL-encoded base64 of an HMAC-SHA256 (32 bytes); `sv=<date>` marks a SAS. */
const AZURE_SAS = /sig=((?:[A-Za-z0-9+/]|%2[BbFf]){42,60}(?:=|%3[Dd]))/y;

function azureSasDetector(): Detector {
  return {
    rule: "azure-sas-token",
    triggers: ["sig="],
    at(text, at, out) {
      const before = text[at - 1];
      if (before !== "&" && before !== "?" && before !== ";") return;
      AZURE_SAS.lastIndex = at;
      const m = AZURE_SAS.exec(text);
      const sig = m?.[1];
      if (sig === undefined) return;
      const context = text.slice(Math.max(0, at - 400), at);
      if (!/(?:^|[?&;])sv=\d{4}-\d{2}-\d{2}/.test(context)) return;
      const raw = decodeURIComponent(sig);
      if (!/^[A-Za-z0-9+/]{43}=$/.test(raw) || isPlaceholder(raw) || shannonEntropy(raw) < 4) return;
      out.push({ rule: "azure-sas-token", start: at + 4, secret: sig, message: "Azure shared access signature" });
    },
  };
}

const AUTHS_REACH = 65536;
/** Whether `"auths"` occurs in the AUTHS_REACH characters before `at`; each stretch of text is searched once. */
function authsBefore(text: string, at: number, ctx: ScanContext): boolean {
  const searched = ctx.examinedUntil.get("docker-auth") ?? 0;
  const from = Math.max(searched, at - AUTHS_REACH);
  const p = from < at ? text.slice(from, at).lastIndexOf('"auths"') : -1;
  const last = p >= 0 ? from + p : (ctx.examinedUntil.get("docker-auths") ?? -1);
  ctx.examinedUntil.set("docker-auth", Math.max(searched, at));
  ctx.examinedUntil.set("docker-auths", last);
  return last >= 0 && last >= at - AUTHS_REACH;
}

/** Docker/Podman `auths` entries: `"auth"` is base64 of `user:password`. */
function dockerAuthDetector(): Detector {
  const AUTH = /"auth"\s*:\s*"([A-Za-z0-9+/]{8,1000}={0,2})"/y;
  return {
    rule: "docker-auth",
    triggers: ['"auth"'],
    at(text, at, out, ctx) {
      AUTH.lastIndex = at;
      const m = AUTH.exec(text);
      const value = m?.[1];
      if (value === undefined || !authsBefore(text, at, ctx)) return;
      const decoded = Buffer.from(value, "base64").toString("utf8");
      const pair = /^([^\s:]{1,256}):([^\s]{1,512})$/.exec(decoded);
      const password = pair?.[2];
      if (password === undefined || password === pair?.[1] || isPlaceholder(password) || isReference(password)) return;
      out.push({ rule: "docker-auth", start: at + m![0].indexOf(value), secret: value, message: "registry credentials in a Docker config" });
    },
  };
}

const K8S_KIND = /(?:kind|"kind")[ \t]*:[ \t]*["']?Secret["']?(?![A-Za-z0-9_-])/iy;
/** How far around `kind: Secret` its document may reach. */
const K8S_REACH = 32768;
/** One document around `at`: from the `---` before it to the `---` after it, at most K8S_REACH each way. */
function yamlDocument(text: string, at: number): [number, number] {
  const lo = Math.max(0, at - K8S_REACH);
  const before = text.slice(lo, at).lastIndexOf("\n---");
  const after = text.slice(at, at + K8S_REACH).indexOf("\n---");
  return [before < 0 ? lo : lo + before, after < 0 ? Math.min(text.length, at + K8S_REACH) : at + after];
}

/**
 * Whether one `data`/`stringData` value holds a secret (`base64`: the value is base64 of the content). Decoded
 * content is also searched by every detector (`ctx.findsSecretIn`): a webhook URL, a `.dockerconfigjson`.
 */
function secretData(key: string, value: string, base64: boolean, ctx: ScanContext): boolean {
  let content = value;
  if (base64) {
    if (!/^[A-Za-z0-9+/]{4,}={0,2}$/.test(value)) return false;
    const bytes = Buffer.from(value, "base64");
    content = bytes.toString("utf8");
    if (/-----BEGIN [A-Z ]*PRIVATE KEY/.test(content)) return true;
    if (/-----BEGIN /.test(content)) return false; // certificates, public keys
    if (content.includes("\uFFFD") || /[\x00-\x08\x0e-\x1f]/.test(content)) return bytes.length >= 16; // random key bytes
    if (ctx.findsSecretIn?.(content)) return true;
  }
  if (/-----BEGIN [A-Z ]*PRIVATE KEY/.test(content)) return true;
  if (content.length < 8 || isPlaceholder(content) || isReference(content)) return false;
  if (/^\{\{|\}\}$/.test(value)) return false;
  return looksLikeSecret(content, true) || (/(?:pass|secret|token|key|credential)/i.test(key) && !/\s/.test(content) && shannonEntropy(content) >= 2.5);
}

/**
 * Kubernetes Secret manifests keep values as base64 (`data:`) or clear text (`stringData:`), not encrypted.
 * Sealed files pass: their `ENC[…]` values are blanked before scanning.
 */
function k8sSecretDetector(): Detector {
  const SECTION = /^([ \t]*)"?(data|stringData)"?[ \t]*:[ \t]*(\{)?[ \t]*$/gm;
  return {
    rule: "k8s-secret",
    triggers: ["kind: secret", "kind: 'secret'", 'kind: "secret"', '"kind": "secret"', '"kind":"secret"'],
    at(text, at, out, ctx) {
      K8S_KIND.lastIndex = at;
      if (!K8S_KIND.test(text)) return;
      // many Secrets in one file (a JSON list): a trigger inside a stretch already examined adds nothing
      const done = ctx.examinedUntil.get("k8s-secret") ?? 0;
      if (at < done) return;
      const [start, hi] = yamlDocument(text, at);
      const lo = Math.max(start, done);
      ctx.examinedUntil.set("k8s-secret", hi);
      const doc = text.slice(lo, hi);
      SECTION.lastIndex = 0;
      for (let s = SECTION.exec(doc); s !== null; s = SECTION.exec(doc)) {
        const indent = (s[1] ?? "").length;
        const base64 = s[2] === "data";
        const json = s[3] === "{";
        let p = s.index + s[0].length + 1;
        while (p < doc.length) {
          const eol = doc.indexOf("\n", p);
          const line = doc.slice(p, eol < 0 ? doc.length : eol);
          const lineStart = p;
          p = eol < 0 ? doc.length : eol + 1;
          if (/^\s*(?:#.*)?$/.test(line)) continue;
          const lead = /^[ \t]*/.exec(line)?.[0].length ?? 0;
          if (json ? /^\s*\}/.test(line) : lead <= indent) break;
          const m = /^[ \t]*"?([\w.-]+)"?[ \t]*:[ \t]*(["']?)([^"'\s,#][^"'\s,]*)\2[ \t]*,?[ \t]*(?:#.*)?$/.exec(line);
          const key = m?.[1];
          const value = m?.[3];
          if (key === undefined || value === undefined || !secretData(key, value, base64, ctx)) continue;
          out.push({
            rule: "k8s-secret",
            start: lo + lineStart + line.indexOf(value, line.indexOf(":") + 1),
            secret: value,
            message: `Kubernetes Secret holds "${key}" unencrypted (${base64 ? "base64 is not encryption" : "stringData"})`,
          });
        }
      }
    },
  };
}

/**
 * Schemes the database-url detector does not cover; triggered at `://`. Like URL parsers, the password runs to
 * the LAST `@` before the host: people paste passwords with an unencoded `@`.
 */
const URL_PASSWORD =
  /(?<=\b(?:https?|ftps?|sftp|smtps?|imaps?|pop3s?|ldaps?|ssh|git|svn|nats|kafka|cloudinary|sentry)):\/\/([^\s:/@'"`<>]{0,128}):([^\s/'"`<>]{6,256})@[A-Za-z0-9[]/i;

function acceptUrlPassword(password: string, m: RegExpExecArray): boolean {
  if (password === m[1] || isReference(password) || /^[*x]+$|^%s$|^\{[^}]*\}$|^\$/i.test(password)) return false;
  if (/^\d+$/.test(password)) return false; // a port: `host:8080@…` in odd URLs
  const plain = decodeURIComponentSafe(password);
  if (looksLikeSecret(plain, true)) return true;
  // URL passwords are often short: 8+ characters of two kinds, or 6+ of three, with some variety
  if (isPlaceholder(plain) || /\s/.test(plain) || shannonEntropy(plain) < 2.5) return false;
  return (plain.length >= 8 && charClasses(plain) >= 2 && /[A-Z0-9]/.test(plain)) || (plain.length >= 6 && charClasses(plain) >= 3);
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** `curl -u user:password` / `--user user:password` (group 2: the password); only on a line that runs curl. */
const CURL_USER = /(?:-u|--user)(?:[ \t]+|=)["']?([^\s:'"$]{1,64}):([^\s'"]{6,128})["']?(?=\s|$)/y;

function acceptCurlPassword(password: string, m: RegExpExecArray): boolean {
  const lineStart = m.input.lastIndexOf("\n", m.index) + 1;
  return /\bcurl\b/.test(m.input.slice(lineStart, m.index)) && acceptUrlPassword(password, m);
}

/** Azure keys, then the context detectors; order matters only where hits overlap. */
export const CONTEXT_DETECTORS: readonly Detector[] = [
  anchoredDetector(
    "azure-storage-key",
    ["accountkey", "account_key", "account-key", "storagekey", "storage_key", "storage-key"],
    AZURE_ACCOUNT_KEY,
    "Azure storage account key",
    { group: 1, accept: (s, m) => randomToken(s) && !/devstoreaccount1/i.test(m.input.slice(Math.max(0, m.index - 300), m.index)) },
  ),
  anchoredDetector("azure-storage-key", ["sharedaccesskey"], AZURE_SHARED_KEY, "Azure shared access key", { group: 1 }),
  azureSasDetector(),
  MAILGUN,
  TWILIO,
  DISCORD,
  dockerAuthDetector(),
  k8sSecretDetector(),
  anchoredDetector("url-password", ["://"], URL_PASSWORD, "URL with a password", { group: 2, accept: acceptUrlPassword }),
  anchoredDetector("url-password", ["-u ", "-u=", "--user "], CURL_USER, "curl user:password", { group: 2, accept: acceptCurlPassword }),
];
