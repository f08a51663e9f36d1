/**
 * Owns: recognising the plain patterns people write most (`\.enc\.yaml$`, `^secrets/.*`, `(dev|prod)/[^/]+\.json`)
 * and translating them into a native `RegExp` that matches exactly what RE2 matches, so the RE2 engine (some
 * 30 ms of CPU to load, on every command that reads a `.sops.yaml` with a `path_regex`) is not needed for them.
 *
 * The subset is ASCII patterns made of literals, escaped punctuation, `.`, `^`, `$`, `\d`, `\w`, simple
 * classes (`[a-z_]`, `[^/]`), unquantified groups with `|`, and at most two `*` or `+` and one `?`, each
 * after a single character, class or `.`. Its meaning is the same under both engines ("u" mode; `.` is
 * written `[^\n]`, RE2's dot). A native match backtracks: with k unbounded repetitions an unanchored search
 * may take some n^(k+1) steps on a text of length n, so a native pattern is used only on texts short enough
 * to keep that to a few million steps; a longer text goes to RE2, which is linear.
 */

/** Longest text a native pattern with 0, 1 or 2 unbounded repetitions is run on. */
export const NATIVE_TEXT_LIMITS = [4096, 512, 64] as const;
/** Most ways unquantified alternations may combine (a bound on backtracking per position). */
const MAX_ALTERNATIVES = 16;

export interface NativePattern {
  readonly regex: RegExp;
  /** Longer texts must be matched by RE2. */
  readonly textLimit: number;
}

const hex = (c: string): string => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`;
const isAlnum = (c: string): boolean => /^[0-9A-Za-z]$/.test(c);
/** Printable ASCII that stands for itself outside a class, in RE2 and in a "u"-mode RegExp alike. */
const isPlainLiteral = (c: string): boolean => /^[0-9A-Za-z !"#%&',\-/:;<=>@_`~]$/.test(c);
/** Printable ASCII that may stand in a class unescaped (no `[`, `]`, `\`, which begin other syntax). */
const isClassChar = (c: string): boolean => /^[ -Z^-~]$/.test(c);

/** The class starting at `src[at]` (`[`), as native source, and where it ends; undefined when outside the subset. */
function translateClass(src: string, at: number): { out: string; end: number } | undefined {
  let i = at + 1;
  let out = "[";
  if (src[i] === "^") {
    out += "^";
    i++;
  }
  const first = i;
  while (i < src.length && src[i] !== "]") {
    const c = src[i]!;
    // `-` first or last is a literal in both engines; `a-z` is a range (a reversed one is left to RE2's error).
    if (!isClassChar(c) || (c === "-" && i !== first && src[i + 1] !== "]")) return undefined;
    if (src[i + 1] === "-" && src[i + 2] !== undefined && src[i + 2] !== "]") {
      const to = src[i + 2]!;
      if (!isClassChar(to) || to === "-" || to < c) return undefined;
      out += `${hex(c)}-${hex(to)}`;
      i += 3;
    } else {
      out += hex(c);
      i++;
    }
  }
  if (i >= src.length || i === first) return undefined;
  return { out: `${out}]`, end: i + 1 };
}

/**
 * A native RegExp with RE2's meaning for `source`, or undefined when the pattern is outside the plain subset
 * (then RE2 compiles it, and reports it if it is invalid).
 */
export function nativeEquivalent(source: string): NativePattern | undefined {
  let out = "";
  let unbounded = 0;
  let optional = 0;
  /** Whether the last thing written is a single character, class or `.`, which a quantifier may follow. */
  let atom = false;
  const groups: number[] = []; // alternatives seen in each open group
  let combinations = 1;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === "*" || c === "+" || c === "?") {
      if (!atom) return undefined;
      if (c === "?") optional++;
      else unbounded++;
      if (unbounded >= NATIVE_TEXT_LIMITS.length || optional > 1) return undefined;
      out += c;
      atom = false;
      continue;
    }
    atom = false;
    if (isPlainLiteral(c)) {
      out += isAlnum(c) ? c : hex(c);
      atom = true;
    } else if (c === ".") {
      out += "[^\\n]";
      atom = true;
    } else if (c === "^" || c === "$") {
      out += c;
    } else if (c === "\\") {
      const e = source[++i];
      if (e === undefined) return undefined;
      if (e === "d") out += "[0-9]";
      else if (e === "w") out += "[0-9A-Za-z_]";
      else if (/^[!-/:-@[-`{-~]$/.test(e)) out += hex(e); // escaped ASCII punctuation is that character in RE2
      else return undefined;
      atom = true;
    } else if (c === "[") {
      const cls = translateClass(source, i);
      if (!cls) return undefined;
      out += cls.out;
      i = cls.end - 1;
      atom = true;
    } else if (c === "(") {
      if (source[i + 1] === "?") return undefined; // flags, named and non-capturing groups
      groups.push(1);
      out += "(?:";
    } else if (c === ")") {
      const alternatives = groups.pop();
      if (alternatives === undefined) return undefined;
      combinations *= alternatives;
      if (combinations > MAX_ALTERNATIVES) return undefined;
      out += ")";
    } else if (c === "|") {
      if (groups.length > 0) groups[groups.length - 1]!++;
      out += "|";
    } else {
      return undefined; // `{`, `}`, `]`, and anything not printable ASCII
    }
  }
  if (groups.length > 0) return undefined;
  try {
    return { regex: new RegExp(out, "u"), textLimit: NATIVE_TEXT_LIMITS[unbounded]! };
  } catch {
    return undefined;
  }
}
