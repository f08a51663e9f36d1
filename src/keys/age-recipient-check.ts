/**
 * Owns: telling whether a string is a well-formed age recipient without encrypting to it — for `doctor`, so
 * the bech32 decoder is loaded only there, not by every command that encrypts.
 */
import { bech32 } from "@scure/base";
import { looksLikePrivateKey } from "../redact.js";
import { isSshKeyLine, RECIPIENT_RE } from "./age.js";

/**
 * Why `s` cannot be an age recipient (bad bech32 checksum, an X25519 key of the wrong length, not an SSH key
 * age takes, a private key), or undefined when it looks right; without loading age-encryption or any plugin.
 * The reason never quotes `s`.
 */
export function ageRecipientProblem(s: string): string | undefined {
  const r = s.trim();
  if (looksLikePrivateKey(r)) return "is a private key, not a recipient (give its public age1… recipient)";
  if (r.startsWith("ssh-")) return isSshKeyLine(r) ? undefined : "is not an ssh-ed25519 or ssh-rsa public key";
  if (!RECIPIENT_RE.test(r)) return "is not an age recipient (age1…) or an ssh-ed25519/ssh-rsa public key";
  const decoded = bech32.decodeUnsafe(r, false);
  if (!decoded) return "is not a valid age recipient (its bech32 encoding or checksum is wrong)";
  if (decoded.prefix === "age" && bech32.fromWordsUnsafe(decoded.words)?.length !== 32) return "is not a valid age recipient (an X25519 recipient holds 32 bytes)";
  return undefined;
}
