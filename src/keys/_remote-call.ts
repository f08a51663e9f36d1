/**
 * Owns: one call to a remote key service — a per-attempt timeout that aborts the request, a bounded retry
 * with a small backoff for transient failures only, and a failure reason that names the error class and
 * never carries key material or ciphertext.
 */

/** Raised (as the abort reason and the rejection) when one attempt runs out of time. */
export class RemoteTimeoutError extends Error {
  readonly timeoutMs: number;
  constructor(timeoutMs: number) {
    super(`timed out after ${timeoutMs} ms`);
    this.name = "TimeoutError";
    this.timeoutMs = timeoutMs;
  }
}

/** A remote failure reduced to what may be shown: its class/code, a cleaned message, whether to retry. */
export interface RemoteErrorInfo {
  readonly code: string;
  readonly message: string;
  readonly retryable: boolean;
}

export type RemoteOutcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: string; readonly info: RemoteErrorInfo };

export interface RemoteCallOptions {
  /** Milliseconds per attempt. */
  readonly timeoutMs: number;
  /** Attempts in total (1 = no retry). */
  readonly attempts: number;
  /** Strings to scrub from error messages (e.g. the ciphertext we sent, in the encodings a service might echo). */
  readonly scrub?: readonly string[];
  /** Delay before retry number `n` (1-based); replaceable in tests. */
  readonly backoffMs?: (n: number) => number;
}

const MAX_BACKOFF_MS = 1_000;
const MAX_MESSAGE_CHARS = 240;

/** gRPC status names by number (grpc/status.h), for gax errors that only carry the number. */
const GRPC_STATUS = [
  "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
  "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
  "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
] as const;
const GRPC_RETRYABLE = new Set(["DEADLINE_EXCEEDED", "RESOURCE_EXHAUSTED", "INTERNAL", "UNAVAILABLE", "ABORTED"]);
const NET_RETRYABLE = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EAI_AGAIN", "ECONNABORTED", "UND_ERR_SOCKET"]);
/** Failures that another attempt cannot fix: wrong credentials, wrong key, wrong context, corrupt ciphertext. */
const NEVER_RETRY = /AccessDenied|Unauthori[sz]ed|Forbidden|InvalidCiphertext|IncorrectKey|InvalidKeyUsage|NotFound|Disabled|InvalidState|ValidationError|PERMISSION_DENIED|UNAUTHENTICATED|INVALID_ARGUMENT|NOT_FOUND|FAILED_PRECONDITION|ExpiredToken|InvalidClientTokenId|SignatureDoesNotMatch/;

/**
 * Runs `run` once with an AbortSignal that fires after `timeoutMs`. The returned promise settles by then even
 * when the callee ignores the signal.
 * @throws {RemoteTimeoutError} when the time runs out; otherwise whatever `run` rejects with.
 */
export async function withTimeout<T>(run: (signal: AbortSignal) => Promise<T>, timeoutMs: number): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new RemoteTimeoutError(timeoutMs);
      controller.abort(err);
      reject(err);
    }, timeoutMs);
  });
  try {
    return await Promise.race([run(controller.signal), expired]);
  } catch (e) {
    // A callee that fails at once on our abort (a cancelled call) may settle before the timer's own rejection.
    if (controller.signal.aborted && controller.signal.reason instanceof RemoteTimeoutError) throw controller.signal.reason;
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Calls a remote service with a timeout per attempt and up to `attempts` attempts, retrying only transient
 * failures. Never throws: a failure comes back as `{ ok: false, reason }` with a secret-free reason.
 */
export async function callRemote<T>(run: (signal: AbortSignal) => Promise<T>, opts: RemoteCallOptions): Promise<RemoteOutcome<T>> {
  const attempts = Math.max(1, Math.floor(opts.attempts));
  const backoff = opts.backoffMs ?? ((n: number) => Math.min(MAX_BACKOFF_MS, 100 * 2 ** (n - 1)));
  let last: RemoteErrorInfo = { code: "Error", message: "no attempt made", retryable: false };
  let made = 0;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    made = attempt;
    try {
      return { ok: true, value: await withTimeout(run, opts.timeoutMs) };
    } catch (e) {
      last = describeRemoteError(e, opts.scrub);
      if (!last.retryable || attempt === attempts) break;
      await new Promise((resolve) => setTimeout(resolve, backoff(attempt)));
    }
  }
  // Saying how many attempts were made tells people a transient failure was retried and still failed.
  return { ok: false, reason: `${formatReason(last)}${made > 1 ? ` [${made} attempts]` : ""}`, info: last };
}

/** `Code: message`, or just the message when it already says everything (timeouts). */
export function formatReason(info: RemoteErrorInfo): string {
  if (info.code === "TimeoutError") return info.message;
  return info.message === "" ? info.code : `${info.code}: ${info.message}`;
}

/**
 * Reduces an error from the AWS, Google or Azure SDKs (or from the network) to a code, a cleaned message and
 * whether retrying could help.
 */
export function describeRemoteError(e: unknown, scrub: readonly string[] = []): RemoteErrorInfo {
  if (e instanceof RemoteTimeoutError) return { code: "TimeoutError", message: e.message, retryable: true };
  if (typeof e !== "object" || e === null) return { code: "Error", message: cleanMessage(String(e), scrub), retryable: false };
  const err = e as Record<string, unknown>;
  const name = typeof err.name === "string" ? err.name : "Error";
  const rawMessage = typeof err.details === "string" && err.details !== "" ? err.details : typeof err.message === "string" ? err.message : "";
  const message = cleanMessage(rawMessage, scrub);
  const status = httpStatus(err);

  // Google REST (gaxios): the message is the JSON error body {"error":{"code","message","status"}}
  const google = googleErrorBody(rawMessage);
  if (google !== undefined) {
    const code = google.status ?? `HTTP ${status ?? google.code ?? "error"}`;
    const retryable = GRPC_RETRYABLE.has(code) || (status !== undefined && isRetryable(code, status));
    return { code, message: cleanMessage(google.message, scrub), retryable };
  }
  // gax / grpc-js: numeric status code
  if (typeof err.code === "number" && GRPC_STATUS[err.code] !== undefined) {
    const code = GRPC_STATUS[err.code] ?? "UNKNOWN";
    return { code, message: message.replace(new RegExp(`^${err.code} ${code}: `), ""), retryable: GRPC_RETRYABLE.has(code) };
  }
  // network errors (Node sockets, undici)
  if (typeof err.code === "string" && /^E[A-Z]+$|^UND_ERR/.test(err.code)) {
    return { code: err.code, message, retryable: NET_RETRYABLE.has(err.code) };
  }
  // Azure RestError: string code plus statusCode; AWS: name plus $metadata.httpStatusCode
  const code = typeof err.code === "string" && err.code !== "" ? err.code : name;
  const label = status !== undefined && name === "RestError" ? `${code} (HTTP ${status})` : code;
  return { code: label, message, retryable: isRetryable(code, status) };
}

function httpStatus(err: Record<string, unknown>): number | undefined {
  if (typeof err.statusCode === "number") return err.statusCode;
  if (typeof err.status === "number") return err.status;
  const meta = err.$metadata;
  if (typeof meta === "object" && meta !== null) {
    const s = (meta as Record<string, unknown>).httpStatusCode;
    if (typeof s === "number") return s;
  }
  return undefined;
}

function googleErrorBody(text: string): { code?: number; message: string; status?: string } | undefined {
  if (!text.startsWith("{")) return undefined;
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown; status?: unknown } };
    const e = body.error;
    if (typeof e !== "object" || e === null) return undefined;
    return {
      ...(typeof e.code === "number" ? { code: e.code } : {}),
      message: typeof e.message === "string" ? e.message : "",
      ...(typeof e.status === "string" && e.status !== "" ? { status: e.status } : {}),
    };
  } catch {
    return undefined;
  }
}

function isRetryable(code: string, status: number | undefined): boolean {
  if (NEVER_RETRY.test(code)) return false;
  if (status === undefined) return /Throttl|Timeout|Unavailable|Internal|RequestAbandoned/i.test(code);
  return status >= 500 || status === 408 || status === 429;
}

/**
 * First line only, known sensitive strings removed, long unbroken base64/hex-like runs elided (services
 * sometimes echo a blob), and a length cap.
 */
export function cleanMessage(message: string, scrub: readonly string[] = []): string {
  let out = message.split("\n", 1)[0] ?? "";
  for (const s of scrub) if (s.length >= 8) out = out.split(s).join("…");
  out = out.replace(/[A-Za-z0-9+_=-]{40,}/g, "…").replace(/\s+/g, " ").trim();
  return out.length > MAX_MESSAGE_CHARS ? `${out.slice(0, MAX_MESSAGE_CHARS)}…` : out;
}

/** True for hosts that never leave the machine; only these may be spoken to without TLS. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}
