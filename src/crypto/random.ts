/**
 * Owns: the single source of randomness for sealfile (IVs, data keys, Shamir coefficients).
 * Production reads `node:crypto`; tests may install a deterministic source with {@link setRandomSource}.
 */
import { randomFillSync } from "node:crypto";

/** A function returning exactly `n` random bytes. */
export type RandomSource = (n: number) => Uint8Array;

let source: RandomSource | null = null;

// One CSPRNG call costs ~2 µs whatever its size, a third of sealing one value, so small requests are served
// from a refilled block. Served bytes are zeroed in the block at once: they exist only in the caller's copy.
const POOL_BYTES = 4096;
const POOLED_MAX = 256;
let pool = new Uint8Array(0);
let poolPos = 0;

function fromPool(n: number): Uint8Array {
  if (poolPos + n > pool.length) {
    pool.fill(0);
    pool = randomFillSync(new Uint8Array(POOL_BYTES));
    poolPos = 0;
  }
  const out = pool.slice(poolPos, poolPos + n);
  pool.fill(0, poolPos, poolPos + n);
  poolPos += n;
  return out;
}

/**
 * Returns `n` fresh random bytes from the installed source (by default the OS CSPRNG via `node:crypto`),
 * in a buffer the caller owns.
 * @throws RangeError when `n` is not a non-negative integer, or a test source returns the wrong length.
 */
export function randomBytes(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError("randomBytes: n must be a non-negative integer");
  if (source === null) return n <= POOLED_MAX ? fromPool(n) : randomFillSync(new Uint8Array(n));
  const out = source(n);
  if (out.length !== n) throw new RangeError(`randomBytes: source returned ${out.length} bytes, expected ${n}`);
  return out;
}

/**
 * Replaces the randomness source (tests only); `null` restores `node:crypto`.
 * Never install a predictable source outside tests: IVs and data keys come from here.
 */
export function setRandomSource(fn: RandomSource | null): void {
  source = fn;
}
