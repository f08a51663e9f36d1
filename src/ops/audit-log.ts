/**
 * Owns: the optional decrypt audit log — one JSON line per decrypt attempt (who, where, which file, which
 * kind of recipient opened it, which command, success or failure), never a value or a key.
 *
 * Enabled by `SEALFILE_AUDIT_LOG=path` (relative to the working directory) or `audit_log: path` in
 * `.sops.yaml` (relative to that file's folder, confined to the repository by config.ts); the environment
 * wins. Lines are appended with one `write` on an O_APPEND descriptor (mode 0600 when created), so
 * concurrent writers do not interleave lines; this is the one file write that does not go through
 * writeFileAtomic, because a log is appended, not replaced. The log fails closed: when it cannot be
 * written, the decrypt fails too.
 *
 * Whoever names the log, sealfile appends only to a sealfile log: the path's last component must not be a
 * symbolic link (O_NOFOLLOW), it must be a regular file, and it must be empty or hold sealfile audit lines
 * (checked on the first and last LOG_CHECK_WINDOW bytes, on the descriptor that is then written), so a
 * config naming `~/.bashrc` cannot add a line to it. Each line is pure printable ASCII with `$` and
 * backquote escaped too, so no file name can end a line or mean anything to a shell reading it.
 */
import { closeSync, constants, fstatSync, openSync, readSync, writeSync } from "node:fs";
import { hostname, userInfo } from "node:os";
import { resolve } from "node:path";
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
  return config?.auditLog;
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

/** Bytes read from each end of an existing log to check that it is a sealfile log. */
const LOG_CHECK_WINDOW = 64 * 1024;

/**
 * Appends one line for `event`.
 * @throws SealError BAD_CONFIG when the path is a symbolic link, not a regular file, or not a sealfile log;
 *   CANNOT_WRITE_OUTPUT when the log cannot be written.
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
  const fd = openLog(path);
  try {
    assertSealfileLog(fd, path);
    // A file name is attacker-chosen text; like every line sealfile writes, it never carries a key.
    const redacted = Object.fromEntries(Object.entries(line).map(([k, v]) => [k, typeof v === "string" ? redactKeyMaterial(v) : v]));
    const bytes = Buffer.from(`${inertJson(redacted)}\n`, "ascii");
    if (writeSync(fd, bytes) !== bytes.length) throw Object.assign(new Error("short write"), { code: "EIO" });
  } catch (e) {
    if (isSealError(e)) throw e;
    throw cannotWrite(path, e);
  } finally {
    closeSync(fd);
  }
}

function openLog(path: string): number {
  try {
    // O_NONBLOCK: opening a FIFO planted under the log's name must not hang; fstat refuses it next.
    const flags = constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK;
    return openSync(path, flags, 0o600);
  } catch (e) {
    if ((e as { code?: unknown }).code === "ELOOP") {
      throw new SealError("BAD_CONFIG", `the audit log ${path} is a symbolic link; sealfile does not follow links for its log`, {
        hint: "point SEALFILE_AUDIT_LOG / audit_log at the log file itself, or remove the link",
      });
    }
    throw cannotWrite(path, e);
  }
}

function cannotWrite(path: string, e: unknown): SealError {
  const code = (e as { code?: unknown } | null)?.code;
  return new SealError("CANNOT_WRITE_OUTPUT", `cannot append to the audit log ${path} (${typeof code === "string" ? code : "error"})`, {
    hint: "fix the path or its permissions, or unset SEALFILE_AUDIT_LOG / audit_log",
  });
}

/** Refuses anything but a regular file that is empty or holds sealfile audit lines. */
function assertSealfileLog(fd: number, path: string): void {
  const st = fstatSync(fd);
  const refuse = (why: string): never => {
    throw new SealError("BAD_CONFIG", `the audit log ${path} ${why}; refusing to append to it`, {
      hint: "point SEALFILE_AUDIT_LOG / audit_log at a new file or at an existing sealfile audit log",
    });
  };
  if (!st.isFile()) refuse("is not a regular file");
  if (st.size === 0) return;
  const head = readAt(fd, 0, Math.min(st.size, LOG_CHECK_WINDOW));
  const tail = st.size > LOG_CHECK_WINDOW ? readAt(fd, st.size - LOG_CHECK_WINDOW, LOG_CHECK_WINDOW) : head;
  if (tail[tail.length - 1] !== 0x0a) refuse("is not a sealfile audit log (its last line is unfinished)");
  // Whole lines only: the head window may end mid-line, the tail window may start mid-line. A sealfile line
  // is far shorter than a window, so a head without a line end is not a sealfile log.
  const large = st.size > LOG_CHECK_WINDOW;
  if (!head.includes(0x0a)) refuse("is not a sealfile audit log (it holds other lines)");
  const headLines = head.toString("utf8").split("\n").slice(0, large ? -1 : undefined);
  const tailLines = large ? tail.toString("utf8").split("\n").slice(1) : [];
  for (const l of [...headLines, ...tailLines]) {
    if (l !== "" && !isAuditLine(l)) refuse("is not a sealfile audit log (it holds other lines)");
  }
}

function readAt(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  let off = 0;
  while (off < length) {
    const n = readSync(fd, buf, off, length - off, position + off);
    if (n === 0) break;
    off += n;
  }
  return buf.subarray(0, off);
}

/** A line as {@link appendAudit} writes it. */
function isAuditLine(text: string): boolean {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return false;
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  return typeof o.time === "string" && typeof o.file === "string" && typeof o.command === "string" && (o.result === "success" || o.result === "failure");
}

/**
 * JSON with every character outside printable ASCII, and `$` and backquote, written as `\uXXXX`: still the
 * same JSON value, but one line whatever a file name holds, and inert if a shell ever reads it.
 */
export function inertJson(value: unknown): string {
  return JSON.stringify(value).replace(/[^\x20-\x7e]|[$`]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
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
