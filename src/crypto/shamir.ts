/**
 * Owns: Shamir secret sharing of a data key across key groups, compatible with sops shamir/shamir.go
 * (sops-format.md §4): GF(2^8) with the AES polynomial x^8+x^4+x^3+x+1 (0x11B), one random polynomial
 * per secret byte, share i = the y-bytes at x = i+1 followed by that x as the LAST byte.
 */
import { SealError } from "../errors.js";
import { randomBytes } from "./random.js";

/** Product in GF(2^8) mod 0x11B, without data-dependent branches (FIPS-197 §4.2: 0x57·0x83 = 0xC1). */
export function gfMul(a: number, b: number): number {
  let acc = 0;
  for (let i = 7; i >= 0; i--) {
    const bit = (b >> i) & 1;
    const reduce = -(acc >> 7) & 0x1b;
    acc = ((-bit & a) ^ reduce ^ (acc << 1)) & 0xff;
  }
  return acc;
}

/** Multiplicative inverse as a^254 (0 maps to 0; callers never divide by 0). */
function gfInv(a: number): number {
  let result = 1;
  let base = a;
  for (let e = 254; e > 0; e >>= 1) {
    if (e & 1) result = gfMul(result, base);
    base = gfMul(base, base);
  }
  return result;
}

function fail(message: string, code: "BAD_CONFIG" | "BAD_METADATA" = "BAD_METADATA"): SealError {
  return new SealError(code, message);
}

/**
 * Splits `secret` into `parts` shares, any `threshold` of which recover it. Share i (0-based) is
 * secret.length y-bytes then the byte i+1. Coefficients come from random.ts, `threshold-1` per secret byte
 * in secret order. Temporary coefficients are wiped.
 * @throws SealError BAD_CONFIG when parts < threshold, threshold < 2, parts > 255 or the secret is empty.
 */
export function splitSecret(secret: Uint8Array, parts: number, threshold: number): Uint8Array[] {
  if (!Number.isInteger(parts) || !Number.isInteger(threshold)) throw fail("Shamir parts and threshold must be integers", "BAD_CONFIG");
  if (parts < threshold) throw fail("shamir_threshold cannot exceed the number of key groups", "BAD_CONFIG");
  if (parts > 255) throw fail("at most 255 key groups can share a data key", "BAD_CONFIG");
  if (threshold < 2) throw fail("shamir_threshold must be at least 2", "BAD_CONFIG");
  if (secret.length === 0) throw fail("cannot split an empty secret", "BAD_CONFIG");
  const degree = threshold - 1;
  const shares = Array.from({ length: parts }, (_, i) => {
    const share = new Uint8Array(secret.length + 1);
    share[secret.length] = i + 1;
    return share;
  });
  const coefficients = randomBytes(secret.length * degree);
  try {
    for (let j = 0; j < secret.length; j++) {
      const coef = coefficients.subarray(j * degree, (j + 1) * degree); // coef[k] multiplies x^(k+1)
      for (let i = 0; i < parts; i++) {
        const x = i + 1;
        let y = coef[degree - 1]!; // Horner from the highest degree down to the intercept
        for (let k = degree - 2; k >= 0; k--) y = gfMul(y, x) ^ coef[k]!;
        shares[i]![j] = gfMul(y, x) ^ secret[j]!;
      }
    }
  } finally {
    coefficients.fill(0);
  }
  return shares;
}

/**
 * Recovers the secret from shares made by {@link splitSecret} (or sops) by Lagrange interpolation at x = 0.
 * Too few shares do not fail: they give a wrong secret, which the caller detects when it is used.
 * @throws SealError BAD_METADATA when there are fewer than 2 shares, lengths differ, a share is shorter
 *   than 2 bytes, or two shares have the same x.
 */
export function combineShares(shares: readonly Uint8Array[]): Uint8Array {
  if (shares.length < 2) throw fail("less than two Shamir parts cannot reconstruct the secret");
  const len = shares[0]!.length;
  if (len < 2) throw fail("Shamir parts must be at least two bytes");
  if (shares.some((s) => s.length !== len)) throw fail("all Shamir parts must be the same length");
  const xs = shares.map((s) => s[len - 1]!);
  if (new Set(xs).size !== xs.length) throw fail("duplicate Shamir part");
  // Lagrange basis at x = 0 for each share: prod_{m != i} x_m / (x_i + x_m)  (subtraction is XOR).
  const basis = xs.map((xi, i) => {
    let b = 1;
    xs.forEach((xm, m) => {
      if (m !== i) b = gfMul(b, gfMul(xm, gfInv(xi ^ xm)));
    });
    return b;
  });
  const secret = new Uint8Array(len - 1);
  for (let j = 0; j < len - 1; j++) {
    let acc = 0;
    for (let i = 0; i < shares.length; i++) acc ^= gfMul(shares[i]![j]!, basis[i]!);
    secret[j] = acc;
  }
  return secret;
}
