/**
 * Owns: how a YAML scalar's text becomes a typed tree scalar, following go-yaml v3 decoding into
 * interface{} (resolve.go), and the reverse question the emitter asks: would this string re-read as
 * something else? Integers stay exact at any size (sops turns those beyond 64 bits into floats).
 */
import type { Scalar } from "../tree/index.js";
import { isStdBase64 } from "../std-base64.js";

const NULLS = new Set(["", "~", "null", "Null", "NULL"]);
const TRUES = new Set(["true", "True", "TRUE"]);
const FALSES = new Set(["false", "False", "FALSE"]);
const NANS = new Set([".nan", ".NaN", ".NAN"]);
const INFS = new Set([".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"]);
const NEG_INFS = new Set(["-.inf", "-.Inf", "-.INF"]);
/** go-yaml's yamlStyleFloat, applied after removing underscores. */
const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const DOT_FLOAT = /^\.[0-9]+([eE][-+]?[0-9]+)?$/;
const TIMESTAMP =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:([Tt])|( ))(\d{1,2}):(\d{1,2}):(\d{1,2})(?:[.,](\d+))?(Z|[+-]\d{2}:\d{2})?)?$/;

/** Go's strconv.ParseInt(s, 0, …) syntax without the range limit: sign, then 0x/0o/0b, a leading-0 octal, or decimal. */
function parseGoInt(s: string): bigint | undefined {
  let i = 0;
  let neg = false;
  if (s[0] === "+" || s[0] === "-") {
    neg = s[0] === "-";
    i = 1;
  }
  const body = s.slice(i);
  let digits: string;
  let prefix = "";
  if (/^0[xX][0-9a-fA-F]+$/.test(body)) (prefix = "0x"), (digits = body.slice(2));
  else if (/^0[oO][0-7]+$/.test(body)) (prefix = "0o"), (digits = body.slice(2));
  else if (/^0[bB][01]+$/.test(body)) (prefix = "0b"), (digits = body.slice(2));
  else if (/^0[0-7]+$/.test(body)) (prefix = "0o"), (digits = body.slice(1));
  else if (/^[0-9]+$/.test(body) && (body === "0" || body[0] !== "0")) digits = body;
  else return undefined;
  const v = BigInt(prefix + digits);
  return neg ? -v : v;
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const pad2 = (n: number): string => String(n).padStart(2, "0");

/**
 * A go-yaml v3 timestamp (`2006-1-2`, `2006-1-2T15:4:5.9Z07:00`, lower-case `t`, or the space-separated
 * form without zone) in Go's `time.MarshalText` form (RFC 3339 with nanoseconds, `Z` for UTC), or undefined.
 */
export function parseTimestamp(s: string): string | undefined {
  const m = TIMESTAMP.exec(s);
  if (!m) return undefined;
  const [, ys, mos, ds, tee, space, hs, mis, ss, frac, zone] = m;
  if (space !== undefined && zone !== undefined) return undefined; // Go's space form has no zone
  if (tee !== undefined && zone === undefined) return undefined; // …and the T form requires one
  const year = Number(ys), month = Number(mos), day = Number(ds);
  if (month < 1 || month > 12 || day < 1 || day > DAYS_IN_MONTH[month - 1]!) return undefined;
  if (month === 2 && day === 29 && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))) return undefined;
  const date = `${ys}-${pad2(month)}-${pad2(day)}`;
  if (hs === undefined) return `${date}T00:00:00Z`;
  const h = Number(hs), mi = Number(mis), sec = Number(ss);
  if (h > 23 || mi > 59 || sec > 59) return undefined;
  const nanos = (frac ?? "").slice(0, 9).replace(/0+$/, "");
  let tz = "Z";
  if (zone !== undefined && zone !== "Z") {
    const zh = Number(zone.slice(1, 3)), zm = Number(zone.slice(4, 6));
    if (zh > 24 || zm > 60) return undefined;
    if (zh !== 0 || zm !== 0) tz = zone;
  }
  return `${date}T${pad2(h)}:${pad2(mi)}:${pad2(sec)}${nanos ? "." + nanos : ""}${tz}`;
}

/** Resolves an untagged plain scalar the way go-yaml v3 does (numbers, bools, nulls, timestamps, else str). */
export function resolvePlain(text: string): Scalar {
  const c = text.charCodeAt(0);
  // Fast exit: only these first characters can start a non-string (go-yaml's resolveTable).
  const maybe =
    text.length === 0 ||
    (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46 || c === 126 ||
    c === 110 || c === 78 || c === 116 || c === 84 || c === 102 || c === 70;
  if (!maybe) return { kind: "str", value: text };
  if (NULLS.has(text)) return { kind: "null" };
  if (TRUES.has(text)) return { kind: "bool", value: true };
  if (FALSES.has(text)) return { kind: "bool", value: false };
  if (NANS.has(text)) return { kind: "float", value: NaN };
  if (INFS.has(text)) return { kind: "float", value: Infinity };
  if (NEG_INFS.has(text)) return { kind: "float", value: -Infinity };
  if (c === 46) return DOT_FLOAT.test(text) ? { kind: "float", value: Number(text) } : { kind: "str", value: text };
  if (!((c >= 48 && c <= 57) || c === 43 || c === 45)) return { kind: "str", value: text };
  const ts = parseTimestamp(text);
  if (ts !== undefined) return { kind: "time", value: ts };
  const plain = text.includes("_") ? text.replaceAll("_", "") : text;
  const n = parseGoInt(plain);
  if (n !== undefined) return { kind: "int", value: n };
  if (YAML_FLOAT.test(plain)) return { kind: "float", value: Number(plain) };
  return { kind: "str", value: text };
}

/** The YAML 1.1 words go-yaml quotes on output although it reads them as strings. */
const OLD_BOOLS = new Set(["y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "n", "N", "no", "No", "NO", "off", "Off", "OFF"]);
const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;

/** True when a string written plain would read back as another type (so the emitter must quote it). */
export function needsTypeQuotes(s: string): boolean {
  if (resolvePlain(s).kind !== "str") return true;
  return OLD_BOOLS.has(s) || BASE60_FLOAT.test(s) || s === "<<";
}

export type TagResolution = { scalar: Scalar } | { error: string };

/** Resolves a scalar carrying an explicit core tag (`!!str`, `!!int`, …); other tags read as strings. */
export function resolveTagged(tag: string, text: string): TagResolution {
  const short = tag.startsWith("tag:yaml.org,2002:") ? tag.slice(18) : tag.startsWith("!!") ? tag.slice(2) : "";
  switch (short) {
    case "str":
      return { scalar: { kind: "str", value: text } };
    case "binary": {
      // Strict, like Go's base64.StdEncoding: a lenient decoder turns a mistyped value into other bytes.
      const b64 = text.replace(/[ \t\r\n]+/g, "");
      if (!isStdBase64(b64)) return { error: "is not valid base64 for !!binary" };
      const bytes = Buffer.from(b64, "base64");
      try {
        return { scalar: { kind: "str", value: new TextDecoder("utf-8", { fatal: true }).decode(bytes) } };
      } catch {
        return { scalar: { kind: "bytes", value: new Uint8Array(bytes) } };
      }
    }
    case "int":
    case "float":
    case "bool":
    case "null":
    case "timestamp": {
      const r = resolvePlain(text);
      const want = short === "timestamp" ? "time" : short;
      if (r.kind === want) return { scalar: r };
      if (short === "float" && r.kind === "int") return { scalar: { kind: "float", value: Number(r.value) } };
      return { error: `cannot be read as !!${short}` };
    }
    default:
      return { scalar: { kind: "str", value: text } };
  }
}
