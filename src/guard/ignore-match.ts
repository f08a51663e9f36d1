/**
 * Owns: a gitignore-syntax matcher for `.secretsignore` — `*`, `**`, `?`, `[…]`, leading `/` (anchored),
 * trailing `/` (directories only), `!` negation, `#` comments, `\` escapes. Spec: git-scm.com/docs/gitignore.
 * The file comes from the repository, so its globs become RE2 patterns (linear-time matching).
 */
import { compileUserRegexIfValid, type UserRegex } from "../user-regex.js";

interface IgnoreRule {
  readonly re: UserRegex;
  readonly negate: boolean;
  readonly dirOnly: boolean;
}

/** Translates one gitignore glob (already stripped of `!`, leading and trailing `/`) into a regex body. */
function globToRegex(glob: string): string {
  let out = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] ?? "";
    if (c === "*") {
      if (glob[i + 1] === "*") {
        const atStart = i === 0 || glob[i - 1] === "/";
        const atEnd = i + 2 === glob.length || glob[i + 2] === "/";
        if (atStart && atEnd) {
          if (i + 2 === glob.length) out += ".*"; // "a/**": everything inside
          else out += "(?:[^/]*/)*"; // "**/" : zero or more directories
          i += 2; // skip "**" and the following "/"
          continue;
        }
        i++; // "a**b" is two ordinary stars
      }
      out += "[^/]*";
    } else if (c === "?") {
      out += "[^/]";
    } else if (c === "[") {
      const close = glob.indexOf("]", i + 2);
      if (close < 0) {
        out += "\\[";
      } else {
        let cls = glob.slice(i + 1, close);
        if (cls.startsWith("!")) cls = `^${cls.slice(1)}`;
        out += `[${cls.replace(/\\/g, "\\\\")}]`;
        i = close;
      }
    } else if (c === "\\" && i + 1 < glob.length) {
      out += (glob[++i] ?? "").replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    } else {
      out += c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    }
  }
  return out;
}

function parseLine(raw: string): IgnoreRule | null {
  let line = raw.replace(/\r$/, "");
  if (line === "" || line.startsWith("#")) return null;
  line = trimTrailingSpace(line);
  let negate = false;
  if (line.startsWith("!")) {
    negate = true;
    line = line.slice(1);
  } else if (line.startsWith("\\!") || line.startsWith("\\#")) {
    line = line.slice(1);
  }
  let dirOnly = false;
  if (line.endsWith("/")) {
    dirOnly = true;
    line = line.slice(0, -1);
  }
  if (line === "") return null;
  const anchored = line.includes("/");
  if (line.startsWith("/")) line = line.slice(1);
  const body = globToRegex(line);
  const source = anchored ? `^${body}$` : `(?:^|/)${body}$`;
  const re = compileUserRegexIfValid(source);
  return re === undefined ? null : { re, negate, dirOnly }; // an invalid bracket such as [z-a] matches nothing, as in git
}

/** The line without unescaped trailing whitespace (a loop: a regex here would be quadratic on long runs of spaces). */
function trimTrailingSpace(line: string): string {
  let end = line.length;
  while (end > 0 && /\s/.test(line[end - 1]!)) end--;
  if (end < line.length && end > 0 && line[end - 1] === "\\") end++; // "\ " keeps its escaped space
  return line.slice(0, end);
}

/** A compiled ignore file: `ignores(path)` for a `/`-separated path relative to the file's folder. */
export interface IgnoreMatcher {
  ignores(path: string): boolean;
}

/** Compiles the text of a `.secretsignore` (or any gitignore-syntax file). */
export function compileIgnore(text: string): IgnoreMatcher {
  const rules = text.split("\n").map(parseLine).filter((r): r is IgnoreRule => r !== null);
  const decide = (path: string, isDir: boolean): boolean | undefined => {
    let result: boolean | undefined;
    for (const r of rules) if ((!r.dirOnly || isDir) && r.re.test(path)) result = !r.negate;
    return result;
  };
  return {
    ignores(path: string): boolean {
      if (rules.length === 0) return false;
      const parts = path.split("/");
      // As in git, a file inside an ignored directory cannot be re-included.
      for (let i = 1; i < parts.length; i++) if (decide(parts.slice(0, i).join("/"), true) === true) return true;
      return decide(path, false) === true;
    },
  };
}
