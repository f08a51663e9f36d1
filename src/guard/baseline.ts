/**
 * Owns: the baseline file — `{"version": 2, "scrypt": {N, r, p, salt}, "fingerprints": [hex…]}` — parsing it
 * (and old version-1 files of unsalted SHA-256 fingerprints, still honoured), matching findings against it, and
 * writing it.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { randomBytes } from "../crypto/index.js";
import { writeFileAtomic } from "../io/atomic-write.js";
import { SealError } from "../errors.js";
import { DEFAULT_SCRYPT, SALT_BYTES, SCRYPT_LIMITS, legacyFingerprint, runFingerprint, scryptFingerprint, type ScryptParams } from "./fingerprint.js";
import type { Fingerprinter } from "./types.js";

export const BASELINE_VERSION = 2;
const HEX_256 = /^[0-9a-f]{64}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export type BaselineState =
  | { readonly kind: "none" }
  /** Version 1: unsalted SHA-256 fingerprints. Honoured so upgrades do not block commits, but to be rewritten. */
  | { readonly kind: "legacy"; readonly fingerprints: ReadonlySet<string> }
  | { readonly kind: "scrypt"; readonly params: ScryptParams; readonly fingerprints: ReadonlySet<string> };

/** What the file on disk looks like. */
interface BaselineFile {
  readonly version: typeof BASELINE_VERSION;
  readonly scrypt: { readonly N: number; readonly r: number; readonly p: number; readonly salt: string };
  readonly fingerprints: string[];
}

function invalid(name: string, why: string): SealError {
  return new SealError("BAD_CONFIG", `${name} is not a valid baseline: ${why}`, {
    exitCode: 2,
    hint: "regenerate it with `secrets guard --all --baseline-update`",
  });
}

function checkParams(raw: unknown, name: string): ScryptParams {
  const s = (raw ?? {}) as { N?: unknown; r?: unknown; p?: unknown; salt?: unknown };
  const { N, r, p, salt } = s;
  const logN = typeof N === "number" ? Math.log2(N) : NaN;
  if (!Number.isInteger(logN) || logN < SCRYPT_LIMITS.minLogN || logN > SCRYPT_LIMITS.maxLogN) throw invalid(name, "scrypt N must be a power of two from 2^10 to 2^17");
  if (!Number.isInteger(r) || (r as number) < 1 || (r as number) > SCRYPT_LIMITS.maxR) throw invalid(name, `scrypt r must be 1 to ${SCRYPT_LIMITS.maxR}`);
  if (!Number.isInteger(p) || (p as number) < 1 || (p as number) > SCRYPT_LIMITS.maxP) throw invalid(name, `scrypt p must be 1 to ${SCRYPT_LIMITS.maxP}`);
  if (128 * (N as number) * (r as number) * (p as number) > SCRYPT_LIMITS.maxMemory) throw invalid(name, "scrypt parameters need too much memory");
  const saltBytes = typeof salt === "string" && BASE64.test(salt) ? Buffer.from(salt, "base64") : Buffer.alloc(0);
  if (saltBytes.length < SALT_BYTES || saltBytes.length > 64) throw invalid(name, `the salt must be ${SALT_BYTES} to 64 bytes of base64`);
  return { N: N as number, r: r as number, p: p as number, salt: saltBytes };
}

/**
 * Parses a baseline's text (null: no baseline). `name` is how the file is named in errors.
 * @throws SealError BAD_CONFIG (exit 2) when it is neither a version-2 nor a version-1 baseline.
 */
export function parseBaseline(text: string | null, name: string): BaselineState {
  if (text === null) return { kind: "none" };
  let data: { version?: unknown; fingerprints?: unknown; scrypt?: unknown } | undefined;
  try {
    data = JSON.parse(text) as typeof data;
  } catch {
    throw invalid(name, "not JSON");
  }
  const fps = data?.fingerprints;
  if (!Array.isArray(fps) || !fps.every((f) => typeof f === "string" && HEX_256.test(f))) throw invalid(name, "fingerprints must be a list of 64 hex digits each");
  if (data?.version === 1) return { kind: "legacy", fingerprints: new Set(fps as string[]) };
  if (data?.version !== BASELINE_VERSION) throw invalid(name, `unknown version (expected ${BASELINE_VERSION})`);
  return { kind: "scrypt", params: checkParams(data.scrypt, name), fingerprints: new Set(fps as string[]) };
}

/** Parameters for a new baseline: the default cost and a fresh random salt. */
export function freshScryptParams(): ScryptParams {
  return { ...DEFAULT_SCRYPT, salt: Buffer.from(randomBytes(SALT_BYTES)) };
}

/** Fingerprints shown in one report only (no baseline to write or match): keyed by a random, unshown key. */
export interface RunKey {
  readonly runKey: Buffer;
}

export function freshRunKey(): RunKey {
  return { runKey: Buffer.from(randomBytes(32)) };
}

function fingerprintUnder(output: ScryptParams | RunKey, rule: string, path: string, secret: string): string {
  return "runKey" in output ? runFingerprint(output.runKey, rule, path, secret) : scryptFingerprint(output, rule, path, secret);
}

/**
 * Fingerprints findings and tells which the baseline accepts. `output`: how the fingerprints to show and write
 * are made (null: none needed). Nothing is hashed when nothing needs it, so a run without a baseline costs
 * nothing here.
 */
export function makeFingerprinter(state: BaselineState, output: ScryptParams | RunKey | null): Fingerprinter {
  const none = { fingerprint: "", accepted: false };
  if (state.kind === "scrypt" && state.fingerprints.size > 0) {
    const { params, fingerprints } = state;
    return {
      mark(rule, path, secret) {
        const fp = scryptFingerprint(params, rule, path, secret);
        const shown = output === null || output === params ? fp : fingerprintUnder(output, rule, path, secret);
        return { fingerprint: shown, accepted: fingerprints.has(fp) };
      },
    };
  }
  const accepted =
    state.kind === "legacy" && state.fingerprints.size > 0
      ? (rule: string, path: string, secret: string) => state.fingerprints.has(legacyFingerprint(rule, path, secret))
      : () => false;
  if (output === null && state.kind !== "legacy") return { mark: () => none };
  return {
    mark(rule, path, secret) {
      return { fingerprint: output === null ? "" : fingerprintUnder(output, rule, path, secret), accepted: accepted(rule, path, secret) };
    },
  };
}

/**
 * Writes a baseline holding exactly these fingerprints under `params` (sorted, so diffs stay small).
 * @throws SealError CANNOT_WRITE_OUTPUT
 */
export function writeBaseline(path: string, params: ScryptParams, fingerprints: Iterable<string>): { count: number } {
  const sorted = [...new Set(fingerprints)].filter((f) => f !== "").sort();
  const file: BaselineFile = {
    version: BASELINE_VERSION,
    scrypt: { N: params.N, r: params.r, p: params.p, salt: params.salt.toString("base64") },
    fingerprints: sorted,
  };
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (e) {
    throw new SealError("CANNOT_WRITE_OUTPUT", `could not create the folder of ${path}`, { cause: e, hint: "check that the folder can be written" });
  }
  writeFileAtomic(path, Buffer.from(`${JSON.stringify(file, null, 2)}\n`));
  return { count: sorted.length };
}
