/**
 * Owns: how a finding is remembered without its value — a baseline fingerprint, scrypt of (rule, path, secret)
 * under the baseline's own random salt; a fingerprint for one run's report, under a key that is never shown —
 * and the unsalted SHA-256 of old baselines, still read on upgrade.
 */
import { createHash, createHmac, scryptSync } from "node:crypto";

/** scrypt cost of one fingerprint; stored in the baseline so it can be raised later. */
export interface ScryptParams {
  readonly N: number;
  readonly r: number;
  readonly p: number;
  readonly salt: Buffer;
}

/**
 * ~16 MiB and tens of milliseconds per fingerprint: the guard pays it once per finding, and only when a baseline
 * is in use, while someone testing password guesses against a committed baseline pays it once per guess.
 */
export const DEFAULT_SCRYPT = { N: 1 << 14, r: 8, p: 1 } as const;
export const SALT_BYTES = 16;
/** Bounds on parameters read from a baseline (a repository file): enough for any sane cost, no more memory. */
export const SCRYPT_LIMITS = { minLogN: 10, maxLogN: 17, maxR: 16, maxP: 4, maxMemory: 256 * 1024 * 1024 } as const;

/** The one input fingerprints hash: NUL-separated, so that no two triples collide. */
function input(rule: string, path: string, secret: string): Buffer {
  return Buffer.from(`${rule}\0${path}\0${secret}`, "utf8");
}

/** Hex scrypt of (rule, path, secret) under `params`. */
export function scryptFingerprint(params: ScryptParams, rule: string, path: string, secret: string): string {
  const { N, r, p, salt } = params;
  return scryptSync(input(rule, path, secret), salt, 32, { N, r, p, maxmem: 256 * N * r * p + (1 << 20) }).toString("hex");
}

/** Hex SHA-256 of (rule, path, secret): what version-1 baselines hold. Only ever compared, never written. */
export function legacyFingerprint(rule: string, path: string, secret: string): string {
  return createHash("sha256").update(input(rule, path, secret)).digest("hex");
}

/**
 * Hex HMAC-SHA256 of (rule, path, secret) under `runKey`: what `--json` shows when there is no salted baseline
 * to match. The key is random and never shown, so these tell findings apart within one report but cannot be
 * compared with anything, or tested against guesses; scrypt's cost would buy nothing here.
 */
export function runFingerprint(runKey: Buffer, rule: string, path: string, secret: string): string {
  return createHmac("sha256", runKey).update(input(rule, path, secret)).digest("hex");
}
