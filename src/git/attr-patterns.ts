/**
 * Owns: translating a creation rule's `path_regex` (a Go regexp, unanchored, matched against the path
 * relative to `.sops.yaml`'s folder) into gitattributes patterns that match the same paths, for the
 * common shapes: literals, `.*`, `[^/]*`, `^`/`$`, `x?` and `(a|b)`. Anything else is refused rather than
 * guessed, so the caller can ask for a hand-written line.
 */

type Token = { readonly t: "lit"; readonly c: string } | { readonly t: "any" } | { readonly t: "seg" };

const MAX_VARIANTS = 16;
const REGEX_META = new Set([".", "[", "]", "(", ")", "|", "*", "+", "?", "{", "}", "^", "$", "\\"]);

/** Splits the source into atoms (each with its alternatives) and expands `?` and `(a|b)` into plain variants. */
function expand(src: string): string[] | undefined {
  let variants = [""];
  let i = 0;
  while (i < src.length) {
    let alts: string[];
    const ch = src[i]!;
    if (ch === "\\") {
      if (i + 1 >= src.length) return undefined;
      alts = [src.slice(i, i + 2)];
      i += 2;
    } else if (ch === "(") {
      const end = src.indexOf(")", i);
      if (end < 0) return undefined;
      const body = src.slice(i + 1, end).replace(/^\?:/, "");
      if (/[()]/.test(body)) return undefined;
      alts = body.split("|");
      i = end + 1;
    } else if (ch === "[") {
      const end = src.indexOf("]", i);
      if (end < 0) return undefined;
      alts = [src.slice(i, end + 1)];
      i = end + 1;
    } else {
      alts = [ch];
      i += 1;
    }
    const q = src[i];
    if (q === "*" || q === "+") {
      if (alts.length !== 1) return undefined;
      alts = [alts[0]! + q];
      i += 1;
    }
    if (src[i] === "?") {
      alts = [...alts, ""];
      i += 1;
    }
    if (src[i] === "?" || src[i] === "*" || src[i] === "+" || src[i] === "{") return undefined;
    variants = variants.flatMap((v) => alts.map((a) => v + a));
    if (variants.length > MAX_VARIANTS) return undefined;
  }
  return [...new Set(variants)];
}

/** One variant (no groups left) into tokens and its anchors. */
function tokenize(src: string): { tokens: Token[]; start: boolean; end: boolean } | undefined {
  let s = src;
  const start = s.startsWith("^");
  if (start) s = s.slice(1);
  const end = s.endsWith("$") && !s.endsWith("\\$");
  if (end) s = s.slice(0, -1);
  const tokens: Token[] = [];
  let i = 0;
  while (i < s.length) {
    if (s.startsWith(".*", i)) {
      tokens.push({ t: "any" });
      i += 2;
    } else if (s.startsWith("[^/]*", i)) {
      tokens.push({ t: "seg" });
      i += 5;
    } else if (s[i] === "\\") {
      const c = s[i + 1] ?? "";
      if (/[A-Za-z0-9]/.test(c) || c === "") return undefined; // \d, \w, \b …: classes and assertions
      tokens.push({ t: "lit", c });
      i += 2;
    } else if (REGEX_META.has(s[i]!) || /\s/.test(s[i]!)) {
      return undefined;
    } else {
      tokens.push({ t: "lit", c: s[i]! });
      i += 1;
    }
  }
  return { tokens, start, end };
}

function globLiteral(tokens: readonly Token[]): string {
  return tokens.map((k) => (k.t === "seg" ? "*" : k.t === "lit" ? (/[*?[\]\\!#]/.test(k.c) ? `\\${k.c}` : k.c) : "")).join("");
}

/** A path segment (between slashes) as its glob alternatives, or undefined when `.*` sits in its middle. */
function segmentGlobs(seg: readonly Token[], last: boolean): string[] | undefined {
  if (seg.length === 0) return undefined;
  if (seg.length === 1 && seg[0]!.t === "any") return ["**"];
  const lead = seg[0]!.t === "any";
  const trail = seg[seg.length - 1]!.t === "any";
  const middle = seg.slice(lead ? 1 : 0, trail ? -1 : undefined);
  if (middle.some((k) => k.t === "any")) return undefined;
  const core = `${lead ? "**/*" : ""}${globLiteral(middle)}${trail ? "*" : ""}`;
  if (!trail) return [core];
  return last ? [core, `${core}/**`] : [`${core}/**`];
}

function variantGlobs(src: string): string[] | undefined {
  const parsed = tokenize(src);
  if (!parsed) return undefined;
  const raw: Token[] = [...(parsed.start ? [] : [{ t: "any" } as const]), ...parsed.tokens, ...(parsed.end ? [] : [{ t: "any" } as const])];
  // `.*` swallows a neighbouring `.*` or `[^/]*`.
  const tokens: Token[] = [];
  for (const k of raw) {
    const prev = tokens[tokens.length - 1];
    if (k.t === "any" && prev !== undefined && prev.t !== "lit") tokens[tokens.length - 1] = k;
    else if (!(k.t === "seg" && prev?.t === "any")) tokens.push(k);
  }
  const segments: Token[][] = [[]];
  for (const k of tokens) {
    if (k.t === "lit" && k.c === "/") segments.push([]);
    else segments[segments.length - 1]!.push(k);
  }
  let globs = [""];
  for (let i = 0; i < segments.length; i++) {
    const alts = segmentGlobs(segments[i]!, i === segments.length - 1);
    if (!alts) return undefined;
    globs = globs.flatMap((g) => alts.map((a) => (i === 0 ? a : `${g}/${a}`)));
  }
  return globs.map((g) => {
    // `**/x` with no other slash is git's basename pattern `x`; a slash-free pattern from an anchored
    // regex must be anchored to the folder with a leading slash.
    if (g.startsWith("**/") && !g.slice(3).includes("/")) return g.slice(3);
    return g.includes("/") ? g : `/${g}`;
  });
}

/** Patterns that would match every file: refused, since a driver on every file is never what a rule meant. */
const EVERYTHING = new Set(["*", "**", "/*", "/**", "**/*", "*/**"]);

/**
 * gitattributes patterns matching exactly the paths `regex` matches (for the supported shapes; `a/.*\/b`
 * also matches `a/b`), or undefined when the regex cannot be translated or would match every file.
 */
export function regexToGitPatterns(regex: string): string[] | undefined {
  const variants = expand(regex);
  if (!variants) return undefined;
  const out: string[] = [];
  for (const v of variants) {
    const globs = variantGlobs(v);
    if (!globs) return undefined;
    out.push(...globs);
  }
  if (out.some((p) => EVERYTHING.has(p) || p.startsWith("**/**") || /^\*+(\/\*+)*$/.test(p))) return undefined;
  return [...new Set(out)];
}
