/** Owns: how a secret is shown (a masked excerpt) without ever being printed. */

/**
 * The first characters of a secret followed by "…". Four characters for values of 16 characters or more;
 * shorter values show a quarter of their length, so a short password is never half revealed.
 */
export function maskSecret(secret: string): string {
  const shown = secret.length >= 16 ? 4 : Math.floor(secret.length / 4);
  return `${secret.slice(0, shown)}…`;
}
