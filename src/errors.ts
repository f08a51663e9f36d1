/**
 * Owns: the one error type that crosses layers, and the table of stable error codes with their exit statuses.
 * Exit statuses reuse sops's numbers (cmd/sops/codes/codes.go) wherever the meaning matches, so scripts
 * written for sops keep working.
 */
import { redactKeyMaterial } from "./redact.js";

/**
 * Every error code sealfile can raise, with its process exit status. Where sops 3.13.2 has the same situation
 * the status is the one sops actually exits with, which is not always the constant named like it: sops turns
 * every error that is not a `cli.ExitError` into 1 (`toExitError`, and `log.Fatal` in main), so `.sops.yaml`
 * errors, missing rules and recipients, bad recipients and absent tree paths all exit 1 there. sops declares
 * ErrorReadingConfig (5), ConfigFileNotFound (61), NoEncryptionKeyFound (111) and MacNotFound (52) but never
 * returns them. A throw site passes `exitCode` where one code covers situations sops numbers differently.
 * test/cli/exit-codes.test.ts holds one row per situation, with the sops source line.
 */
export const ERROR_CODES = {
  GENERIC: 1,
  CANNOT_READ_INPUT: 2,
  CANNOT_WRITE_OUTPUT: 3,
  CANNOT_EMIT: 4,
  /** Unparsable plaintext is "could not read input file" in sops (encrypt.go:110); an unparsable encrypted file exits 1 (see parseSealed). */
  BAD_SYNTAX: 2,
  BAD_ENCRYPTION_CONTEXT: 6,
  BAD_SET_FORMAT: 7,
  CONFLICTING_PARAMETERS: 8,
  USAGE: 2,
  ENCRYPT_FAILED: 23,
  DECRYPT_VALUE_FAILED: 25,
  CANNOT_CHANGE_KEYS_OF_MISSING_FILE: 49,
  MAC_MISMATCH: 51,
  MAC_NOT_FOUND: 51,
  BAD_CONFIG: 1,
  CONFIG_NOT_FOUND: 1,
  NO_MATCHING_RULE: 1,
  BAD_RECIPIENT: 1,
  WRAP_FAILED: 1,
  INTERRUPTED: 85,
  BAD_TREE_PATH: 91,
  PATH_NOT_FOUND: 1,
  NEED_DOCUMENT: 92,
  FILE_NOT_FOUND: 100,
  NO_FILE_SPECIFIED: 100,
  NO_RECIPIENTS: 1,
  BAD_METADATA: 1,
  NOT_ENCRYPTED: 1,
  KEY_FAILED: 128,
  NO_USABLE_KEY: 128,
  DUPLICATE_KEY_TYPE: 112,
  FILE_UNCHANGED: 200,
  NO_EDITOR: 201,
  EDITOR_FAILED: 201,
  ALREADY_ENCRYPTED: 203,
  MERGE_CONFLICT: 1,
  COMMAND_NOT_FOUND: 127,
  COMMAND_NOT_EXECUTABLE: 126,
  COMMAND_TOO_LARGE: 126,
  CHECK_FAILED: 1,
  GUARD_FINDINGS: 1,
  WEAK_ENCRYPTION_RULE: 1,
  /** Another writer holds the file's lock (75: EX_TEMPFAIL, try again later). */
  FILE_LOCKED: 75,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * The one error class of sealfile. `code` is stable and documented; `exitCode` follows from it.
 * Messages may name file paths, key paths and public recipients, never values or private keys.
 */
export class SealError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: number;
  readonly hint: string | undefined;
  /** Structured facts for `--json` output and tests (never secrets). */
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { hint?: string; details?: Record<string, unknown>; cause?: unknown; exitCode?: number } = {},
  ) {
    // Messages are written not to quote key material; this catches what a third-party message quoted.
    super(redactKeyMaterial(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "SealError";
    this.code = code;
    this.exitCode = options.exitCode ?? ERROR_CODES[code];
    this.hint = options.hint === undefined ? undefined : redactKeyMaterial(options.hint);
    this.details = options.details;
  }
}

/** True when `e` is a SealError with the given code (or any SealError when no code is given). */
export function isSealError(e: unknown, code?: ErrorCode): e is SealError {
  return e instanceof SealError && (code === undefined || e.code === code);
}
