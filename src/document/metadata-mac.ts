/** Owns: a new document's metadata block, and checking an opened document's MAC (in constant time). */
import { SealError } from "../errors.js";
import { formatLastModified, macsEqual, openMac } from "../crypto/mac.js";
import { DEFAULT_CRYPT_RULE, SOPS_LAYOUT_VERSION, type CryptRule, type Metadata } from "../metadata.js";
import type { MasterKey } from "../keys/types.js";

/** What a new metadata block is made from (a subset of SealOptions). */
export interface NewMetadataOptions {
  readonly keyGroups: MasterKey[][];
  readonly shamirThreshold?: number;
  readonly cryptRule?: CryptRule;
  readonly macOnlyEncrypted?: boolean;
  readonly extra?: Record<string, string>;
}

/** The metadata of a document sealed now for `opts.keyGroups`; `lastModified` and `mac` are set once sealed. */
export function newMetadata(opts: NewMetadataOptions, now: Date): Metadata {
  return {
    keyGroups: opts.keyGroups.map((g) => g.map((k) => ({ kind: k.kind, entry: k.toMetadata() }))),
    shamirThreshold: opts.keyGroups.length > 1 ? opts.shamirThreshold || opts.keyGroups.length : 0,
    lastModified: "",
    mac: "",
    cryptRule: opts.cryptRule ?? DEFAULT_CRYPT_RULE,
    cryptRuleStored: true,
    macOnlyEncrypted: opts.macOnlyEncrypted ?? false,
    version: SOPS_LAYOUT_VERSION,
    extra: { ...(opts.extra ?? {}), sealfile_rotated_at: formatLastModified(now) },
  };
}

/** @throws SealError MAC_MISMATCH unless the stored MAC opens and equals `computed`. */
export function verifyMac(computed: string, md: Metadata, dataKey: Uint8Array, file: string | undefined): void {
  const where = file ?? "the file";
  if (!md.mac) throw new SealError("MAC_MISMATCH", `${where} has no MAC`, { hint: "the sops block was damaged; use --ignore-mac to read it anyway" });
  const stored = openMac(md.mac, dataKey, md.lastModified);
  if (!macsEqual(stored, computed)) {
    throw new SealError("MAC_MISMATCH", `MAC mismatch: ${where} was changed outside sealfile/sops or is damaged`, {
      hint: "restore it from git, or use --ignore-mac to read it anyway",
    });
  }
}

