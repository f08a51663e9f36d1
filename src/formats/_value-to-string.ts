/**
 * Owns: rendering a scalar as text the way sops's `stores.ValToString` does (dotenv/INI values,
 * flattened metadata, exec environment variables). Floats follow Go `strconv.FormatFloat(v, 'G', -1, 64)`.
 */
import type { Scalar } from "../tree/index.js";

/** Shortest round-trip decimal digits of a finite positive number and the exponent of its first digit. */
export function shortestDigits(v: number): { digits: string; exp: number } {
  // toExponential() without an argument yields the shortest digits that round-trip, like Go's shortest mode.
  const s = v.toExponential();
  const e = s.indexOf("e");
  return { digits: s.slice(0, e).replace(".", ""), exp: Number(s.slice(e + 1)) };
}

/** Plain decimal notation of `digits` × 10^(exp − digits.length + 1), no exponent. */
export function fixedFromDigits(digits: string, exp: number): string {
  if (exp < 0) return "0." + "0".repeat(-exp - 1) + digits;
  if (digits.length <= exp + 1) return digits + "0".repeat(exp + 1 - digits.length);
  return digits.slice(0, exp + 1) + "." + digits.slice(exp + 1);
}

/** Go `strconv.FormatFloat(v, 'G', -1, 64)`: exponent form when the exponent is < -4 or ≥ 6. */
export function formatFloatG(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  const sign = v < 0 || Object.is(v, -0) ? "-" : "";
  if (v === 0) return sign + "0";
  const { digits, exp } = shortestDigits(Math.abs(v));
  if (exp < -4 || exp >= 6) {
    const mant = digits.length > 1 ? digits[0] + "." + digits.slice(1) : digits;
    const e = Math.abs(exp);
    return `${sign}${mant}E${exp < 0 ? "-" : "+"}${e < 10 ? "0" : ""}${e}`;
  }
  return sign + fixedFromDigits(digits, exp);
}

/** A float as ValToString writes it: 'G' format, plus `.0` when it could be read as an integer. */
export function floatToString(v: number): string {
  const g = formatFloatG(v);
  if (g.includes(".") || g.includes("E")) return g;
  // Go falls back to FormatFloat(v, 'f', 1, 64) here: integral values below 1e6, and NaN/±Inf unchanged.
  return Number.isFinite(v) ? g + ".0" : g;
}

/** Go's time.RFC3339 layout has no fractional seconds, so they are cut from RFC3339Nano text. */
function rfc3339(text: string): string {
  return text.replace(/^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\.\d+/, "$1");
}

/**
 * Renders a scalar as sops's `ValToString`: strings verbatim, bools `true`/`false`, ints in decimal,
 * floats in Go 'G' form (`5` → `5.0`, `1234567` → `1.234567E+06`), times as RFC 3339, null as `<nil>`.
 */
export function valueToString(s: Scalar): string {
  switch (s.kind) {
    case "str":
      return s.value;
    case "int":
      return s.value.toString();
    case "float":
      return floatToString(s.value);
    case "bool":
      return s.value ? "true" : "false";
    case "time":
      return rfc3339(s.value);
    case "bytes":
      return new TextDecoder().decode(s.value);
    case "null":
      return "<nil>";
  }
}
