/**
 * Owns: Go's float text forms as sops uses them — `strconv.FormatFloat(f,'f',-1,64)` (value plaintext),
 * `FormatFloat(f,'G',-1,64)` (sops `ValToString`, exec-env/dotenv) and `strconv.ParseFloat(s,64)`.
 * Private to src/crypto; the public names are re-exported by scalar-codec.ts.
 */

/** Shortest round-trip decimal digits of a finite, non-zero |n|: value = 0.DIGITS × 10^dp (Go's `decimal`). */
function shortestDigits(abs: number): { digits: string; dp: number } {
  // toExponential() with no argument yields the shortest digits that round-trip, like Go's shortest mode.
  const text = abs.toExponential();
  const e = text.indexOf("e");
  const digits = text.slice(0, e).replace(".", "");
  return { digits, dp: Number(text.slice(e + 1)) + 1 };
}

function nonFinite(n: number): string | undefined {
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "+Inf";
  if (n === -Infinity) return "-Inf";
  return undefined;
}

function isNegative(n: number): boolean {
  return n < 0 || Object.is(n, -0);
}

/** Fixed notation with exactly max(nd - dp, 0) fraction digits (Go's fmtF for shortest output). */
function fixed(digits: string, dp: number): string {
  const nd = digits.length;
  const intPart = dp <= 0 ? "0" : dp >= nd ? digits + "0".repeat(dp - nd) : digits.slice(0, dp);
  if (nd <= dp) return intPart;
  const frac = dp < 0 ? "0".repeat(-dp) + digits : digits.slice(dp);
  return `${intPart}.${frac}`;
}

/**
 * Go `strconv.FormatFloat(n, 'f', -1, 64)`: shortest round-trip digits, never an exponent, no trailing `.0`
 * (`25` → "25", `1e21` → "1000000000000000000000", `1e-7` → "0.0000001", `-0` → "-0", `Infinity` → "+Inf").
 */
export function formatGoFloat(n: number): string {
  const special = nonFinite(n);
  if (special !== undefined) return special;
  const sign = isNegative(n) ? "-" : "";
  if (n === 0) return `${sign}0`;
  const { digits, dp } = shortestDigits(Math.abs(n));
  return sign + fixed(digits, dp);
}

/**
 * sops `ValToString` for floats: Go `FormatFloat(n, 'G', -1, 64)`, plus `.0` when the result has neither
 * `.` nor `E` (`5` → "5.0", `1234567` → "1.234567E+06", `1e21` → "1E+21", `0.00001` → "1E-05").
 */
export function formatGoFloatG(n: number): string {
  const special = nonFinite(n);
  if (special !== undefined) return special;
  const sign = isNegative(n) ? "-" : "";
  if (n === 0) return `${sign}0.0`;
  const { digits, dp } = shortestDigits(Math.abs(n));
  const exp = dp - 1;
  // With shortest precision Go switches to %E when exp < -4 || exp >= 6.
  if (exp < -4 || exp >= 6) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const absExp = Math.abs(exp);
    return `${sign}${mant}E${exp < 0 ? "-" : "+"}${absExp < 10 ? "0" : ""}${absExp}`;
  }
  const text = fixed(digits, dp);
  return sign + (text.includes(".") ? text : `${text}.0`);
}

const DECIMAL = /^[+-]?(?:[0-9_]+\.?[0-9_]*|\.[0-9_]+)(?:[eE][+-]?[0-9][0-9_]*)?$/;
const HEX = /^([+-]?)0[xX]([0-9a-fA-F_]*)(?:\.([0-9a-fA-F_]*))?[pP]([+-]?[0-9][0-9_]*)$/;

/** Go's `underscoreOK`: an underscore may only sit between digits (a base prefix counts as a digit). */
function underscoresOk(s: string): boolean {
  let body = s[0] === "+" || s[0] === "-" ? s.slice(1) : s;
  let saw = "^";
  let hex = false;
  if (body.length >= 2 && body[0] === "0" && "bBoOxX".includes(body[1]!)) {
    hex = body[1] === "x" || body[1] === "X";
    body = body.slice(2);
    saw = "0";
  }
  for (const c of body) {
    if ((c >= "0" && c <= "9") || (hex && /[a-fA-F]/.test(c))) {
      saw = "0";
    } else if (c === "_") {
      if (saw !== "0") return false;
      saw = "_";
    } else {
      if (saw === "_") return false;
      saw = "!";
    }
  }
  return saw !== "_";
}

/** Go's special(): "inf"/"infinity" with an optional sign, "nan" without one, any letter case. */
function special(s: string): number | undefined {
  const lower = s.toLowerCase();
  const body = lower[0] === "+" || lower[0] === "-" ? lower.slice(1) : lower;
  if (body === "inf" || body === "infinity") return lower[0] === "-" ? -Infinity : Infinity;
  if (lower === "nan") return NaN;
  return undefined;
}

/** mantissa × 2^exp, rounded once at 53 bits (subnormal results may round twice; never seen in sops files). */
function hexValue(mantissa: bigint, exp: number): number {
  const bits = mantissa.toString(2).length;
  if (bits > 60) {
    const shift = bits - 60;
    const sticky = mantissa & ((1n << BigInt(shift)) - 1n) ? 1n : 0n;
    mantissa = (mantissa >> BigInt(shift)) | sticky;
    exp += shift;
  }
  let x = Number(mantissa);
  exp = Math.max(-3000, Math.min(3000, exp)); // beyond this the result is 0 or Infinity anyway
  while (exp > 1000) { x *= 2 ** 1000; exp -= 1000; }
  while (exp < -1000) { x *= 2 ** -1000; exp += 1000; }
  return x * 2 ** exp;
}

/**
 * Go `strconv.ParseFloat(s, 64)`: decimal and hexadecimal literals, `_` separators, `inf`/`infinity`/`nan`.
 * Returns `undefined` for a syntax error or an out-of-range (overflowing) value, as Go returns an error.
 */
export function parseGoFloat(s: string): number | undefined {
  const sp = special(s);
  if (sp !== undefined) return sp;
  if (s.includes("_") && !underscoresOk(s)) return undefined;
  let value: number;
  const hex = HEX.exec(s);
  if (hex !== null) {
    const intDigits = hex[2]!.replaceAll("_", "");
    const fracDigits = (hex[3] ?? "").replaceAll("_", "");
    if (intDigits.length + fracDigits.length === 0) return undefined;
    const mantissa = BigInt(`0x${intDigits}${fracDigits}`);
    const exp = Number(hex[4]!.replaceAll("_", "")) - 4 * fracDigits.length;
    value = mantissa === 0n ? 0 : hexValue(mantissa, exp);
    if (hex[1] === "-") value = -value;
  } else {
    if (!DECIMAL.test(s)) return undefined;
    const plain = s.replaceAll("_", "");
    if (!/[0-9]/.test(plain.split(/[eE]/)[0]!)) return undefined;
    value = Number(plain);
  }
  return Number.isFinite(value) ? value : undefined;
}
