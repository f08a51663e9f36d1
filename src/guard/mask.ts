/** Owns: how a secret is shown (a masked excerpt) and remembered (a fingerprint) without ever being printed. */
import { createHash } from "node:crypto";

/**
 * The first characters of a secret followed by "…". Four characters for values of 16 characters or more;
 * shorter values show a quarter of their length, so a short password is never half revealed.
 */
export function maskSecret(secret: string): string {
  const shown = secret.length >= 16 ? 4 : Math.floor(secret.length / 4);
  return `${secret.slice(0, shown)}…`;
}

/** Hex SHA-256 of (rule, path, secret), NUL-separated so that no two triples collide. */
export function fingerprint(rule: string, path: string, secret: string): string {
  return createHash("sha256").update(`${rule}\0${path}\0${secret}`, "utf8").digest("hex");
}
