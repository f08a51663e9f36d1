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
 * The hint a code gets when its throw site gives none, so every error the CLI prints ends in a `hint:` line
 * (test/errors/hints.test.ts). Throw sites that know more say more; these are the general next step.
 */
export const DEFAULT_HINTS: Readonly<Record<ErrorCode, string>> = {
  GENERIC: "run with --debug for more detail",
  CANNOT_READ_INPUT: "check that the file exists and that you may read it",
  CANNOT_WRITE_OUTPUT: "check that the folder exists, that you may write to it, and that the disk is not full",
  CANNOT_EMIT: "the value cannot be written in this format; try another --output-type",
  BAD_SYNTAX: "fix the file at the place named, or check --input-type",
  BAD_ENCRYPTION_CONTEXT: "write the context as key:value pairs separated by commas",
  BAD_SET_FORMAT: "write it as `secrets set FILE '[\"key\"]' VALUE`",
  CONFLICTING_PARAMETERS: "use only one of the options named",
  USAGE: "see `secrets --help`",
  ENCRYPT_FAILED: "check the encryption rules (regexes, suffixes) and the values named",
  DECRYPT_VALUE_FAILED: "the encrypted file was changed or damaged; restore it from version control",
  CANNOT_CHANGE_KEYS_OF_MISSING_FILE: "encrypt the file first with `secrets encrypt`",
  MAC_MISMATCH: "the file was changed outside sealfile or sops; restore it from version control",
  MAC_NOT_FOUND: "the file has no MAC; pass --ignore-mac only if you trust where it came from",
  BAD_CONFIG: "fix .sops.yaml at the place named (see `secrets doctor`)",
  CONFIG_NOT_FOUND: "create a .sops.yaml, or pass the recipients on the command line (e.g. --age)",
  NO_MATCHING_RULE: "add a creation rule for this path to .sops.yaml, or pass the recipients (e.g. --age)",
  BAD_RECIPIENT: "check the recipient's spelling (an age recipient starts with age1)",
  WRAP_FAILED: "check that the key service is reachable and that you may use the key",
  INTERRUPTED: "nothing was written; run the command again",
  BAD_TREE_PATH: "write the path as in sops, e.g. '[\"db\"][\"password\"]'",
  PATH_NOT_FOUND: "check the key path (see `secrets decrypt` for the keys the file holds)",
  NEED_DOCUMENT: "the file must hold at least one document with a key",
  FILE_NOT_FOUND: "check the file name and the folder you run in",
  NO_FILE_SPECIFIED: "name a file, or `-` for stdin",
  NO_RECIPIENTS: "add recipients in .sops.yaml or on the command line (e.g. --age)",
  BAD_METADATA: "the file's sops metadata is damaged; restore the file from version control",
  NOT_ENCRYPTED: "encrypt it with `secrets encrypt`, or check --input-type",
  KEY_FAILED: "check that your key is available (e.g. SOPS_AGE_KEY_FILE) and run `secrets doctor`",
  NO_USABLE_KEY: "make one of the file's recipients' keys available (e.g. SOPS_AGE_KEY_FILE=path/to/keys.txt)",
  DUPLICATE_KEY_TYPE: "name each key type once",
  FILE_UNCHANGED: "nothing was changed, so nothing was written",
  NO_EDITOR: "set EDITOR or VISUAL to your editor's command",
  EDITOR_FAILED: "check the EDITOR command; the file was left as it was",
  ALREADY_ENCRYPTED: "decrypt it first, or edit it with `secrets edit`",
  MERGE_CONFLICT: "resolve the conflict by hand, then encrypt again",
  COMMAND_NOT_FOUND: "check the command's name and PATH",
  COMMAND_NOT_EXECUTABLE: "check the command's file permissions",
  COMMAND_TOO_LARGE: "pass fewer or smaller values to the command (e.g. through a file)",
  CHECK_FAILED: "see the findings above",
  GUARD_FINDINGS: "encrypt the files named, or accept known findings with `secrets guard --baseline-update`",
  WEAK_ENCRYPTION_RULE: "re-encrypt the file under its creation rule, or widen the rule in .sops.yaml",
  FILE_LOCKED: "run the command again when the other writer has finished",
};

/** The hint printed under `error`: the throw site's own, else the code's default. */
export function hintOf(e: SealError): string {
  return e.hint ?? DEFAULT_HINTS[e.code];
}

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
