/**
 * Owns: the one small interface every key source (age, AWS KMS, GCP KMS, Azure Key Vault) implements.
 * A key source wraps a file's data key for one recipient and unwraps it with what the environment offers.
 * Key sources never read process.env: they get a KeyContext built by the caller.
 */

/** Metadata list names in the `sops` block, in sops's default decryption order after age. */
export type KeyKind = "age" | "pgp" | "kms" | "gcp_kms" | "azure_kv" | "hc_vault" | "hckms";

/** One key entry as stored in the metadata block (field names as sops writes them). */
export type KeyEntry = Record<string, unknown>;

/** What a key source needs from its surroundings; built once per command. */
export interface KeyContext {
  /** A snapshot of the environment (never mutated). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The user's home directory (for ~/.config/sops/age/keys.txt, ~/.ssh, ~/.aws). */
  readonly homeDir: string;
  /** Per-call timeout for remote key services, in milliseconds. */
  readonly timeoutMs: number;
  /** Attempts per remote call (1 = no retry). */
  readonly attempts: number;
  /** Memo shared by key sources during one command (e.g. loaded age identities, SDK clients). */
  readonly cache: Map<string, unknown>;
  /** Reads a passphrase from the terminal; absent when there is no terminal. */
  readonly promptPassphrase?: (prompt: string) => Promise<string>;
}

/** The outcome of one unwrap attempt, kept as data for the "no key could open this file" message. */
export type UnwrapResult =
  | { readonly ok: true; readonly dataKey: Uint8Array; readonly via: string }
  | {
      readonly ok: false;
      /** Why it failed, without secrets (e.g. "no identity matches", "AccessDeniedException: …", "timed out after 5s"). */
      readonly reason: string;
      /** Where keys were looked for (env var names, file paths, endpoints). */
      readonly tried: readonly string[];
    };

export interface MasterKey {
  readonly kind: KeyKind;
  /** The public identifier shown to people: age recipient, KMS ARN, resource id, vault key URL. */
  readonly id: string;
  /** Wraps `dataKey` (32 bytes, or a 33-byte Shamir share) for this recipient and keeps the result. */
  encrypt(dataKey: Uint8Array, ctx: KeyContext): Promise<void>;
  /** Tries to unwrap the stored data key. Never throws for an expected failure; returns it as data. */
  decrypt(ctx: KeyContext): Promise<UnwrapResult>;
  /** The metadata entry to store (field names as sops writes them). */
  toMetadata(): KeyEntry;
}

/** A key group: the data key (or one Shamir share) can be opened by any one key in it. */
export type KeyGroup = MasterKey[];
