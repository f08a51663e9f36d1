/**
 * Owns: getting a file's data key in and out of its key groups — wrapping for every recipient (split
 * with Shamir when there are several groups) and unwrapping by trying each group's keys in the
 * decryption order, collecting every failure as data for one clear error (sops keyservice + shamir).
 */
import { ERROR_CODES, SealError } from "../errors.js";
import { redactKeyMaterial } from "../redact.js";
import { nameFor } from "../config.js";
import { combineShares, splitSecret } from "../crypto/shamir.js";
import { wipe } from "../crypto/wipe.js";
import { keyFromEntry, orderKeys } from "../keys/registry.js";
import type { KeyContext, KeyKind, MasterKey } from "../keys/types.js";
import type { KeyRef, Metadata } from "../metadata.js";

export const DATA_KEY_BYTES = 32;

/** One failed attempt, kept for the error message. */
export interface KeyFailure {
  readonly group: number;
  readonly kind: KeyKind;
  readonly key: string;
  /** A person's or machine's name from `.sops.yaml` `recipients:`, when known. */
  readonly name?: string;
  readonly reason: string;
  readonly tried: readonly string[];
}

/**
 * Wraps `dataKey` for every key (in parallel). With several groups each group gets one Shamir share.
 * @throws SealError WRAP_FAILED (exit 1, as sops) naming the recipients that could not be wrapped for.
 */
export async function wrapDataKey(dataKey: Uint8Array, groups: MasterKey[][], threshold: number, ctx: KeyContext): Promise<void> {
  if (groups.length === 0 || groups.every((g) => g.length === 0)) {
    throw new SealError("NO_RECIPIENTS", "no recipients to encrypt for", {
      hint: "pass --age age1… (or a KMS flag), set SOPS_AGE_RECIPIENTS, or add a creation rule to .sops.yaml",
    });
  }
  const shares = groups.length > 1 ? splitSecret(dataKey, groups.length, threshold || groups.length) : [dataKey];
  try {
    const results = await Promise.allSettled(groups.flatMap((g, i) => g.map((k) => k.encrypt(shares[i]!, ctx))));
    const failed: string[] = [];
    let firstError: unknown;
    let k = 0;
    for (const g of groups) {
      for (const key of g) {
        const r = results[k++]!;
        if (r.status === "rejected") {
          failed.push(`${key.kind} ${key.id}: ${r.reason instanceof Error ? r.reason.message : "failed"}`);
          firstError ??= r.reason;
        }
      }
    }
    // sops exits 1 when the data key cannot be wrapped (encrypt.go:126, rotate.go:72, updatekeys.go:109).
    if (failed.length > 0) {
      if (failed.length === 1 && firstError instanceof SealError) {
        throw new SealError(firstError.code, firstError.message, { ...(firstError.hint ? { hint: firstError.hint } : {}), cause: firstError, exitCode: ERROR_CODES.WRAP_FAILED });
      }
      throw new SealError("WRAP_FAILED", `could not wrap the data key for:\n  ${failed.join("\n  ")}`, { hint: "check each key named above: its credentials, its network and its permission to encrypt" });
    }
  } finally {
    if (shares.length > 1) wipe(...shares);
  }
}

/** Key sources for every entry of the metadata, group by group. */
export async function keysOf(md: Metadata): Promise<MasterKey[][]> {
  return Promise.all(md.keyGroups.map((g: KeyRef[]) => Promise.all(g.map((r) => keyFromEntry(r.kind, r.entry)))));
}

/** Tries a group's keys one after another; a failure never stops the next key from being tried. */
async function openGroup(group: MasterKey[], index: number, order: readonly KeyKind[], ctx: KeyContext, failures: KeyFailure[], names: ReadonlyMap<string, string>, openedWith: KeyKind[]): Promise<Uint8Array | undefined> {
  for (const key of orderKeys(group, order)) {
    let result;
    try {
      result = await key.decrypt(ctx);
    } catch (e) {
      // Third-party messages can quote the text they failed to parse.
      result = { ok: false as const, reason: e instanceof Error ? redactKeyMaterial(e.message) : "failed", tried: [] };
    }
    if (result.ok) {
      openedWith.push(key.kind);
      return result.dataKey;
    }
    const name = nameFor(names, key.id);
    failures.push({ group: index, kind: key.kind, key: key.id, reason: result.reason, tried: result.tried, ...(name ? { name } : {}) });
  }
  return undefined;
}

export interface UnwrapOptions {
  readonly ctx: KeyContext;
  readonly order: readonly KeyKind[];
  /** Known names of recipients (key → name), shown in the error. */
  readonly names?: ReadonlyMap<string, string>;
  readonly file?: string;
  /** Filled with the kind of each key that opened (one per group opened). */
  readonly openedWith?: KeyKind[];
}

/**
 * Recovers the data key: any one key of a single group, or `threshold` groups' shares.
 * @throws SealError NO_USABLE_KEY (exit 128) listing every recipient and why it failed.
 */
export async function unwrapDataKey(keys: MasterKey[][], md: Metadata, opts: UnwrapOptions): Promise<Uint8Array> {
  const failures: KeyFailure[] = [];
  const names = opts.names ?? new Map<string, string>();
  const opened = await Promise.all(keys.map((g, i) => openGroup(g, i, opts.order, opts.ctx, failures, names, opts.openedWith ?? [])));
  if (keys.length === 1) {
    const key = opened[0];
    if (key && key.length === DATA_KEY_BYTES) return key;
    if (key) throw new SealError("NO_USABLE_KEY", "the unwrapped data key has the wrong length");
    throw noUsableKey(failures, opts.file, 1, 1);
  }
  const shares = opened.filter((s): s is Uint8Array => s !== undefined);
  const threshold = md.shamirThreshold || keys.length;
  if (shares.length < threshold) {
    wipe(...shares);
    const openedGroups = opened.flatMap((s, i) => (s === undefined ? [] : [i]));
    throw noUsableKey(failures, opts.file, threshold, keys.length, openedGroups);
  }
  let dataKey: Uint8Array | undefined;
  try {
    dataKey = combineShares(shares);
  } finally {
    wipe(...shares);
  }
  if (dataKey.length !== DATA_KEY_BYTES) {
    wipe(dataKey);
    throw new SealError("NO_USABLE_KEY", "the key groups' shares do not combine into a data key", { hint: "the file's key groups were edited by hand or are damaged" });
  }
  return dataKey;
}

/** What to set up for each kind of key that failed, for the hint. */
const HOW_TO_OPEN: Partial<Record<KeyKind, string>> = {
  age: "SOPS_AGE_KEY_FILE=path/to/keys.txt",
  pgp: "the secret key in GnuPG (GNUPGHOME) or SEALFILE_PGP_KEY_FILE",
  hc_vault: "VAULT_ADDR and VAULT_TOKEN for the file's Vault",
};

function waysToOpen(kinds: readonly KeyKind[]): string {
  const ways = [...new Set(kinds)].map((k) => HOW_TO_OPEN[k]).filter((w): w is string => w !== undefined);
  if (kinds.some((k) => k === "kms" || k === "gcp_kms" || k === "azure_kv")) ways.push("cloud credentials");
  return ways.length > 0 ? ways.join(", or ") : `${HOW_TO_OPEN.age!}, or cloud credentials`;
}

function noUsableKey(failures: KeyFailure[], file: string | undefined, threshold: number, groups: number, openedGroups: readonly number[] = []): SealError {
  // groups are opened in parallel, so failures arrive in completion order; report them in file order
  const sorted = [...failures].sort((a, b) => a.group - b.group);
  const lines = sorted
    .filter((f) => !openedGroups.includes(f.group))
    .map((f) => {
      const who = f.name ? `${f.name} (${f.kind} ${f.key})` : `${f.kind} ${f.key}`;
      const where = f.tried.length ? `\n      looked in: ${f.tried.join(", ")}` : "";
      return `    ${groups > 1 ? `group ${f.group + 1}: ` : ""}${who}: ${f.reason}${where}`;
    });
  for (const g of openedGroups) lines.push(`    group ${g + 1}: opened`);
  const where = file ?? "the file";
  const message =
    groups > 1
      ? `could not open enough key groups of ${where}: only ${openedGroups.length} of the ${threshold} key groups needed could be opened (the file has ${groups}):\n${lines.join("\n")}`
      : `no key could open the data key of ${where}:\n${lines.join("\n")}`;
  const ways = waysToOpen(sorted.map((f) => f.kind));
  return new SealError("NO_USABLE_KEY", message, {
    hint:
      groups > 1
        ? `make keys of at least ${threshold} key groups available (e.g. ${ways})`
        : `make one of these recipients' keys available (e.g. ${ways}), or run \`secrets doctor FILE\``,
    details: { failures: sorted.map((f) => ({ ...f, tried: [...f.tried] })), ...(groups > 1 ? { openedGroups: [...openedGroups], threshold } : {}) },
  });
}
