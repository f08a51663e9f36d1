/**
 * Owns: the strict test for Go's `base64.StdEncoding` text (standard alphabet, `=` padding to a multiple
 * of four). A loop, not a regex: a repeated regex group overflows V8's backtrack stack on values of a few MB.
 */

function isAlphabet(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47;
}

/** True when `text` is padded standard base64 (the empty string included), at any length. */
export function isStdBase64(text: string): boolean {
  const n = text.length;
  if (n % 4 !== 0) return false;
  let end = n;
  if (n > 0 && text.charCodeAt(n - 1) === 61) end = text.charCodeAt(n - 2) === 61 ? n - 2 : n - 1;
  for (let i = 0; i < end; i++) if (!isAlphabet(text.charCodeAt(i))) return false;
  return true;
}
