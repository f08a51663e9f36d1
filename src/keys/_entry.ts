/** Owns: small helpers the cloud key sources share for reading metadata entries and reporting a failed step. */
import { SealError } from "../errors.js";
import type { KeyEntry } from "./types.js";

/** A failure whose message is already fit to show (no secrets, names the step). */
export class StepFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StepFailure";
  }
}

/** Now as RFC 3339 in UTC with whole seconds, as sops writes `created_at`. */
export function createdNow(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * A string field that must be present and non-empty.
 * @throws {SealError} BAD_METADATA when it is missing or not a string.
 */
export function requiredString(entry: KeyEntry, field: string, kind: string): string {
  const v = optionalString(entry, field, kind);
  if (v === undefined || v === "") throw new SealError("BAD_METADATA", `${kind} entry: missing "${field}"`);
  return v;
}

/**
 * A string field that may be absent (or null); numbers are accepted as their text, as sops reads leniently.
 * @throws {SealError} BAD_METADATA when it has another type.
 */
export function optionalString(entry: KeyEntry, field: string, kind: string): string | undefined {
  const v = entry[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "bigint") return String(v);
  if (v instanceof Date) return v.toISOString().replace(/\.\d{3}Z$/, "Z");
  throw new SealError("BAD_METADATA", `${kind} entry: "${field}" must be a string`);
}
