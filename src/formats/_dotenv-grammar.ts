/**
 * Owns: reading and writing `.env` text the way the `dotenv` npm package reads it (lib/main.js, `LINE` and
 * `parse`, v17): `export ` prefix, `KEY=` or `KEY: `, single/double/backtick quotes (multi-line allowed),
 * `\n` and `\r` expanded inside double quotes only, `#` starting a comment after an unquoted value, values
 * trimmed. Lines dotenv would silently skip are refused instead, so no secret vanishes unnoticed.
 */
import { SealError } from "../errors.js";
import type { Comment, MapEntry, TreeMap } from "../tree/index.js";

/**
 * dotenv's line grammar (its `LINE` regex, with `(?:^|^)`/`(?:$|$)` written as `^`/`$`), plus the `d` flag
 * for match indices. Group 1 is the key, group 2 the raw value.
 */
const LINE =
  /^\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?$/dgm;

const QUOTED = /^(['"`])([\s\S]*)\1$/gm;
const DOTENV_KEY = /^[\w.-]+$/;

/**
 * A blank line, kept as a tree item so it survives encryption (empty comments are never encrypted). The
 * `inline` flag tells it from a `#` line with nothing after the marker; dotenv files have no inline comments
 * in the tree, so the flag is free to carry this.
 */
export function blankLine(): Comment {
  return { kind: "comment", text: "", inline: true };
}

export function isBlankLine(c: Comment): boolean {
  return c.text === "" && c.inline === true;
}

/** dotenv's value post-processing: trim, drop one pair of surrounding quotes, expand escapes if `"`-quoted. */
function cookValue(raw: string): string {
  let v = raw.trim();
  const quote = v[0];
  v = v.replace(QUOTED, "$2");
  if (quote === '"') v = v.replace(/\\n/g, "\n").replace(/\\r/g, "\r");
  return v;
}

function syntaxError(text: string, offset: number, what: string): SealError {
  let line = 1;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) line++;
  return new SealError("BAD_SYNTAX", `dotenv syntax error at line ${line}: ${what}`, {
    hint: "every line must be blank, a # comment, or KEY=VALUE with KEY made of letters, digits, _ . -; or pass --dotenv-grammar sops",
    details: { line },
  });
}

/**
 * Reads `.env` text with dotenv's grammar into one flat map: entries with `str` values, `#` comment lines,
 * blank lines; an inline comment (`KEY=v # note`) becomes a comment line just before its key.
 * @throws SealError BAD_SYNTAX naming the line number of a line dotenv would ignore, or of a key whose `=`
 * or opening quote sits on a later line.
 */
export function parseDotenvGrammar(source: string): TreeMap {
  const text = source.replace(/\r\n?/g, "\n");
  const items: Array<MapEntry | Comment> = [];
  let pos = 0;
  let afterEntry = false;

  const gap = (start: number, end: number): void => {
    const segments = text.slice(start, end).split("\n");
    let offset = start;
    segments.forEach((seg, i) => {
      const last = i === segments.length - 1;
      const trimmed = seg.trim();
      if (i === 0 && afterEntry) {
        // The rest of an entry's last line: only blanks or an inline comment can be there.
        if (trimmed.startsWith("#")) items.splice(items.length - 1, 0, { kind: "comment", text: trimmed.slice(1) });
      } else if (trimmed === "") {
        if (!last) items.push(blankLine());
      } else if (trimmed.startsWith("#")) {
        items.push({ kind: "comment", text: trimmed.slice(1) });
      } else {
        throw syntaxError(text, offset, "expected KEY=VALUE (dotenv would ignore this line)");
      }
      offset += seg.length + 1;
    });
  };

  LINE.lastIndex = 0;
  for (let m = LINE.exec(text); m !== null; m = LINE.exec(text)) {
    const indices = m.indices!;
    const [keyStart, keyEnd] = indices[1]!;
    const lineStart = text.lastIndexOf("\n", keyStart - 1) + 1;
    gap(pos, lineStart);
    const valueAt = indices[2];
    let coreEnd: number;
    let valueBegins: number;
    if (valueAt) {
      coreEnd = valueAt[1];
      const raw = m[2]!;
      valueBegins = valueAt[0] + (raw.length - raw.trimStart().length);
    } else {
      coreEnd = keyEnd + text.slice(keyEnd).search(/[=:]/) + 1;
      valueBegins = coreEnd;
    }
    if (text.slice(keyEnd, valueBegins).includes("\n")) {
      throw syntaxError(text, keyStart, "the key's '=' or its value starts on a later line");
    }
    items.push({ kind: "entry", key: m[1]!, value: { kind: "str", value: cookValue(m[2] ?? "") } });
    pos = coreEnd;
    afterEntry = true;
  }
  gap(pos, text.length);
  return { kind: "map", items };
}

/** True when `key` can be written so that dotenv reads it back unchanged. */
export function isDotenvKey(key: string): boolean {
  return DOTENV_KEY.test(key);
}

function readsBack(line: string, key: string, value: string): boolean {
  try {
    const m = parseDotenvGrammar(line);
    const only = m.items[0];
    return m.items.length === 1 && only?.kind === "entry" && only.key === key && only.value.kind === "str" && only.value.value === value;
  } catch {
    return false;
  }
}

/**
 * The `KEY=…` line (no newline) that dotenv reads back as exactly (`key`, `value`): the value bare when it
 * can be, else in double quotes (real line breaks kept), single quotes, backticks, or double quotes with
 * `\n`/`\r` escapes — the first that reads back. Undefined when no form does (or the key is not dotenv's).
 */
export function dotenvLine(key: string, value: string): string | undefined {
  if (!isDotenvKey(key)) return undefined;
  // A bare value opening with a quote, or a quoted one ending with a backslash (read as an escaped closing
  // quote), could pair with a quote on a later line of the file: such forms are not offered.
  const quoted = value.endsWith("\\") ? [] : [`"${value.replace(/\r/g, "\\r")}"`, `'${value}'`, "`" + value + "`", `"${value.replace(/\n/g, "\\n").replace(/\r/g, "\\r")}"`];
  const candidates = [...(/^['"`]/.test(value) ? [] : [value]), ...quoted];
  for (const c of candidates) {
    const line = `${key}=${c}`;
    if (readsBack(line, key, value)) return line;
  }
  return undefined;
}
