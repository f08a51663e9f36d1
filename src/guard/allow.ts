/**
 * Owns: the three ways to accept a finding — an inline `secrets:allow` comment, `.secretsignore` paths, and a
 * baseline file of fingerprints (never values).
 */
import { mkdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { writeFileAtomic } from "../io/atomic-write.js";
import { SealError } from "../errors.js";
import { compileIgnore, type IgnoreMatcher } from "./ignore-match.js";
import type { Finding } from "./types.js";

/** The marker that, anywhere on a line, accepts findings on that line. */
export const INLINE_ALLOW = "secrets:allow";
export const IGNORE_FILE = ".secretsignore";
export const DEFAULT_BASELINE = ".secrets-baseline.json";

/** True when the line carries the inline allow marker. */
export function hasInlineAllow(line: string): boolean {
  return line.includes(INLINE_ALLOW);
}

/**
 * Loads `.secretsignore` from `root`; a missing file ignores nothing.
 * @throws SealError CANNOT_READ_INPUT (exit 2) when it exists but cannot be read.
 */
export async function loadIgnoreFile(root: string): Promise<IgnoreMatcher> {
  try {
    return compileIgnore(await readFile(`${root}/${IGNORE_FILE}`, "utf8"));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return compileIgnore("");
    throw new SealError("CANNOT_READ_INPUT", `could not read ${IGNORE_FILE}`, { exitCode: 2, cause: e });
  }
}

export interface Baseline {
  readonly version: 1;
  readonly fingerprints: string[];
}

/**
 * Loads a baseline; a missing file is an empty baseline.
 * @throws SealError BAD_CONFIG (exit 2) when the file is not `{version: 1, fingerprints: [hex…]}`.
 */
export async function loadBaseline(path: string): Promise<Set<string>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return new Set();
    throw new SealError("CANNOT_READ_INPUT", `could not read baseline ${path}`, { exitCode: 2, cause: e });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    data = undefined;
  }
  const fps = (data as { fingerprints?: unknown } | undefined)?.fingerprints;
  if ((data as { version?: unknown } | undefined)?.version !== 1 || !Array.isArray(fps) || !fps.every((f) => typeof f === "string" && /^[0-9a-f]{64}$/.test(f))) {
    throw new SealError("BAD_CONFIG", `${path} is not a valid baseline`, {
      exitCode: 2,
      hint: 'expected {"version": 1, "fingerprints": ["<sha-256 hex>", …]}; regenerate it with `secrets guard --baseline-update`',
    });
  }
  return new Set(fps as string[]);
}

/**
 * Writes the baseline holding exactly these findings' fingerprints (sorted, so diffs stay small).
 * @throws SealError CANNOT_WRITE_OUTPUT
 */
export function writeBaseline(path: string, findings: readonly Finding[]): Baseline {
  const baseline: Baseline = { version: 1, fingerprints: [...new Set(findings.map((f) => f.fingerprint))].sort() };
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (e) {
    throw new SealError("CANNOT_WRITE_OUTPUT", `could not create the folder of ${path}`, { cause: e });
  }
  writeFileAtomic(path, Buffer.from(`${JSON.stringify(baseline, null, 2)}\n`));
  return baseline;
}
