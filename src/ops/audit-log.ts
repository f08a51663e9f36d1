/**
 * Owns: the optional decrypt audit log — one JSON line per decrypt attempt (who, where, which file, which
 * kind of recipient opened it, which command, success or failure), never a value or a key.
 *
 * Enabled by `SEALFILE_AUDIT_LOG=path` (relative to the working directory) or `audit_log: path` in
 * `.sops.yaml` (relative to that file's folder); the environment wins. Lines are appended with one
 * `write` on an O_APPEND descriptor (mode 0600 when created), so concurrent writers do not interleave
 * lines; this is the one file write that does not go through writeFileAtomic, because a log is appended,
 * not replaced. The log fails closed: when it cannot be written, the decrypt fails too.
 */
import { appendFileSync } from "node:fs";
import { hostname, userInfo } from "node:os";
import { dirname, resolve } from "node:path";
import { SealError, isSealError } from "../errors.js";
import { redactKeyMaterial } from "../redact.js";
import type { SopsConfig } from "../config.js";
import type { OpenedDocument } from "../document/index.js";
import type { Store } from "../formats/index.js";
import { openSealedBytes, type OpenBytesOptions } from "./sealed-file.js";

/** Where audit lines go for this run, or undefined when auditing is off. */
export function auditLogPath(env: Readonly<Record<string, string | undefined>>, cwd: string, config: SopsConfig | undefined): string | undefined {
  const fromEnv = env.SEALFILE_AUDIT_LOG;
  if (fromEnv) return resolve(cwd, fromEnv);
  if (config?.auditLog) return resolve(dirname(config.path), config.auditLog);
  return undefined;
}

export interface AuditEvent {
  /** The file decrypted (absolute path), or a label such as `(in-memory)` for text. */
  readonly file: string;
  /** What asked: `exec`, `decrypt`, `library`, `sealfile/config`, … */
  readonly command: string;
  readonly ok: boolean;
  /** The kind of recipient that opened the data key (`age`, `kms`, …); see {@link recipientKindOf}. */
  readonly recipient?: string;
  /** The error code of a failure (`NO_USABLE_KEY`, `MAC_MISMATCH`, …). */
  readonly error?: string;
}

/**
 * Appends one line for `event`.
 * @throws SealError CANNOT_WRITE_OUTPUT when the log cannot be written.
 */
export function appendAudit(path: string, event: AuditEvent, now: Date = new Date()): void {
  const line = {
    time: now.toISOString(),
    user: currentUser(),
    host: hostname(),
    pid: process.pid,
    file: event.file,
    recipient: event.recipient ?? null,
    command: event.command,
    result: event.ok ? "success" : "failure",
    ...(event.error === undefined ? {} : { error: event.error }),
  };
  try {
    // A file name is attacker-chosen text; like every line sealfile writes, it never carries a key.
    appendFileSync(path, `${redactKeyMaterial(JSON.stringify(line))}\n`, { mode: 0o600, flag: "a" });
  } catch (e) {
    const code = (e as { code?: unknown } | null)?.code;
    throw new SealError("CANNOT_WRITE_OUTPUT", `cannot append to the audit log ${path} (${typeof code === "string" ? code : "error"})`, {
      hint: "fix the path or its permissions, or unset SEALFILE_AUDIT_LOG / audit_log",
    });
  }
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.LOGNAME ?? String(process.getuid?.() ?? "unknown");
  }
}

/** The kind(s) of recipient that opened the document, e.g. `age` or `age,kms` (Shamir groups). */
export function recipientKindOf(doc: OpenedDocument): string {
  return [...new Set(doc.openedWith)].join(",");
}

export interface AuditTarget {
  /** The log file; when undefined, nothing is logged. */
  readonly log: string | undefined;
  readonly command: string;
  readonly file: string;
}

/**
 * {@link openSealedBytes}, with one audit line for the attempt when auditing is on. The line is written
 * before any plaintext is handed back, so a decrypt that cannot be logged does not happen.
 * @throws SealError the errors of openSealedBytes, and CANNOT_WRITE_OUTPUT for the log itself.
 */
export async function openSealedAudited(bytes: Uint8Array, opts: OpenBytesOptions, audit: AuditTarget): Promise<{ doc: OpenedDocument; store: Store }> {
  if (audit.log === undefined) return openSealedBytes(bytes, opts);
  let opened: { doc: OpenedDocument; store: Store };
  try {
    opened = await openSealedBytes(bytes, opts);
  } catch (e) {
    appendAudit(audit.log, { file: audit.file, command: audit.command, ok: false, error: isSealError(e) ? e.code : "INTERNAL" });
    throw e;
  }
  try {
    appendAudit(audit.log, { file: audit.file, command: audit.command, ok: true, recipient: recipientKindOf(opened.doc) });
  } catch (e) {
    opened.doc.dataKey.fill(0);
    throw e;
  }
  return opened;
}
