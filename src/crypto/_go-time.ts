/**
 * Owns: RFC 3339 timestamps the way Go's `time` package reads and writes them for sops:
 * `time.Time.UnmarshalText` (strict RFC 3339 reader) and the `RFC3339` / `RFC3339Nano` layouts.
 * Private to src/crypto.
 */

/** A parsed RFC 3339 timestamp, kept in its own offset (Go keeps the parsed zone offset). */
export interface GoTime {
  readonly date: string; // YYYY-MM-DD
  readonly clock: string; // HH:MM:SS
  /** Fraction-of-second digits without trailing zeros (at most 9, like Go's nanoseconds); "" for none. */
  readonly fraction: string;
  /** Zone offset in minutes east of UTC. */
  readonly offsetMinutes: number;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/;

function daysIn(month: number, year: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * Parses `s` as Go's `parseRFC3339` does: four-digit year, range-checked fields (no leap second),
 * optional `.digits` fraction (digits past the ninth are ignored), then `Z` or `±hh:mm`.
 * Returns `undefined` when `s` is not such a timestamp.
 */
export function parseRfc3339(s: string): GoTime | undefined {
  const m = RFC3339.exec(s);
  if (m === null) return undefined;
  const [year, month, day, hour, min, sec] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(month, year)) return undefined;
  if (hour > 23 || min > 59 || sec > 59) return undefined;
  let offsetMinutes = 0;
  const zone = m[8]!;
  if (zone !== "Z") {
    const zh = Number(zone.slice(1, 3));
    const zm = Number(zone.slice(4, 6));
    if (zh > 23 || zm > 59) return undefined;
    offsetMinutes = (zone[0] === "-" ? -1 : 1) * (zh * 60 + zm);
  }
  const fraction = (m[7] ?? "").slice(0, 9).replace(/0+$/, "");
  return { date: s.slice(0, 10), clock: s.slice(11, 19), fraction, offsetMinutes };
}

function formatOffset(minutes: number): string {
  if (minutes === 0) return "Z";
  const abs = Math.abs(minutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, "0");
  const mm = String(abs % 60).padStart(2, "0");
  return `${minutes < 0 ? "-" : "+"}${hh}:${mm}`;
}

/** Go `t.Format(time.RFC3339)`: whole seconds (the fraction is dropped, not rounded), `Z` for offset 0. */
export function formatRfc3339(t: GoTime): string {
  return `${t.date}T${t.clock}${formatOffset(t.offsetMinutes)}`;
}

/** Go `t.Format(time.RFC3339Nano)` = `t.MarshalText()`: like RFC3339 plus the fraction without trailing zeros. */
export function formatRfc3339Nano(t: GoTime): string {
  const frac = t.fraction === "" ? "" : `.${t.fraction}`;
  return `${t.date}T${t.clock}${frac}${formatOffset(t.offsetMinutes)}`;
}
