/**
 * Owns: a linear, non-recursive pre-scan of YAML text that bounds its nesting depth, so that no recursive
 * reader (ours or the `yaml` package's) ever sees a document nested deeper than MAX_DEPTH.
 * It follows block indentation (a map and the list written at its own column count as two levels,
 * `- - x` opens one level per dash), flow brackets outside quotes and comments, and skips block scalars.
 */
import { MAX_DEPTH, tooDeep } from "./limits.js";

interface Open {
  readonly col: number;
  readonly seq: boolean;
}

const isBlank = (c: string | undefined): boolean => c === undefined || c === " " || c === "\t";

class DepthScan {
  readonly stack: Open[] = [];
  flow = 0;
  /** Inside a quoted scalar that continues on the next line. */
  quote: '"' | "'" | undefined;
  /** Indentation a block scalar's content lines exceed; -2 when not in one. */
  blockParent = -2;
  line = 0;

  check(): void {
    if (this.stack.length + this.flow > MAX_DEPTH) throw tooDeep("YAML", this.line);
  }

  /** Index just past the closing quote starting the search at `i`, or -1 when the line ends first. */
  closeQuote(s: string, i: number, q: '"' | "'"): number {
    for (; i < s.length; i++) {
      const c = s[i];
      if (q === '"' && c === "\\") i++;
      else if (c === q) {
        if (q === "'" && s[i + 1] === "'") i++;
        else return i + 1;
      }
    }
    return -1;
  }

  /** Scans flow content from `i`; returns where block content resumes, or -1 when the line is done. */
  scanFlow(s: string, i: number): number {
    let prev = "[";
    for (; i < s.length; i++) {
      const c = s[i]!;
      if (c === " " || c === "\t") continue;
      if (c === "#" && (i === 0 || isBlank(s[i - 1]))) return -1;
      if ((c === '"' || c === "'") && "[{,:?".includes(prev)) {
        const end = this.closeQuote(s, i + 1, c);
        if (end === -1) {
          this.quote = c;
          return -1;
        }
        i = end - 1;
        prev = c;
        continue;
      }
      if (c === "[" || c === "{") {
        this.flow++;
        this.check();
      } else if (c === "]" || c === "}") {
        if (this.flow > 0 && --this.flow === 0) return i + 1;
      }
      prev = c;
    }
    return -1;
  }

  /** Scans block content from a node start at `i` on a line indented `indent`. */
  scanBlock(s: string, i: number, indent: number, compact: boolean, nodeStart: boolean): void {
    let keyed = false;
    let afterValue = false;
    while (i < s.length) {
      const c = s[i]!;
      if (c === " " || c === "\t") {
        i++;
        continue;
      }
      if (c === "#" && (i === 0 || isBlank(s[i - 1]))) return;
      if (nodeStart) {
        if (c === "&" || c === "!") {
          while (i < s.length && !isBlank(s[i])) i++;
          continue;
        }
        if (c === "[" || c === "{") {
          this.flow = 1;
          this.check();
          const resume = this.scanFlow(s, i + 1);
          if (resume === -1) return;
          i = resume;
          nodeStart = false;
          continue;
        }
        if (c === '"' || c === "'") {
          const end = this.closeQuote(s, i + 1, c);
          if (end === -1) {
            this.quote = c;
            return;
          }
          i = end;
          nodeStart = false;
          continue;
        }
        if (c === "|" || c === ">") {
          this.blockParent = indent;
          return;
        }
        nodeStart = false;
        // A plain scalar after `key: ` runs to the end of the line: nothing on it can open a level.
        if (afterValue) return;
      }
      if (c !== ":") {
        // Jump to the next `:` that may end a plain key, unless a ` #` comment starts first.
        const next = s.indexOf(":", i + 1);
        const hash = s.indexOf(" #", i);
        if (next === -1 || (hash !== -1 && hash < next)) return;
        i = next;
        continue;
      }
      if (isBlank(s[i + 1])) {
        // A map written after `- ` on the same line opens one more level, at the key's column.
        if (compact && !keyed) {
          keyed = true;
          this.stack.push({ col: this.keyCol, seq: false });
          this.check();
        }
        nodeStart = true;
        afterValue = true;
      }
      i++;
    }
  }

  keyCol = 0;

  scanLine(raw: string): void {
    this.line++;
    const s = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    let indent = 0;
    while (s[indent] === " ") indent++;
    if (this.blockParent > -2) {
      const marker = indent === 0 && (s.startsWith("---") || s.startsWith("...")) && isBlank(s[3]);
      if (!marker && (indent >= s.length || indent > this.blockParent)) return;
      this.blockParent = -2;
    }
    let i = 0;
    if (this.quote !== undefined) {
      const end = this.closeQuote(s, 0, this.quote);
      if (end === -1) return;
      this.quote = undefined;
      if (this.flow === 0) return this.scanBlock(s, end, indent, false, false);
      i = end;
    }
    if (this.flow > 0) {
      const resume = this.scanFlow(s, i);
      if (resume !== -1) this.scanBlock(s, resume, indent, false, false);
      return;
    }
    if (indent >= s.length || s[indent] === "#" || (indent === 0 && s[0] === "%")) return;
    if (indent === 0 && (s.startsWith("---") || s.startsWith("...")) && isBlank(s[3])) {
      this.stack.length = 0;
      if (s.startsWith("---")) this.scanBlock(s, 3, -1, false, true);
      return;
    }
    const dash = (at: number): boolean => (s[at] === "-" || s[at] === "?") && isBlank(s[at + 1]);
    const isSeq = s[indent] === "-" && isBlank(s[indent + 1]);
    let top = this.stack[this.stack.length - 1];
    while (top && top.col > indent) {
      this.stack.pop();
      top = this.stack[this.stack.length - 1];
    }
    if (top && top.col === indent && top.seq && !isSeq) {
      this.stack.pop();
      top = this.stack[this.stack.length - 1];
    }
    if (!top || top.col < indent || (top.col === indent && isSeq && !top.seq)) this.stack.push({ col: indent, seq: isSeq });
    this.check();
    let pos = indent;
    let compact = false;
    while (dash(pos)) {
      pos++;
      while (s[pos] === " ") pos++;
      compact = true;
      if (dash(pos)) {
        this.stack.push({ col: pos, seq: true });
        this.check();
      }
    }
    this.keyCol = pos;
    this.scanBlock(s, pos, indent, compact, true);
  }
}

/**
 * Refuses YAML nested deeper than MAX_DEPTH, in one pass over the text and without recursion.
 * @throws SealError BAD_SYNTAX naming the line where the limit is crossed.
 */
export function checkYamlDepth(text: string): void {
  const scan = new DepthScan();
  let start = 0;
  for (;;) {
    const nl = text.indexOf("\n", start);
    scan.scanLine(nl === -1 ? text.slice(start) : text.slice(start, nl));
    if (nl === -1) return;
    start = nl + 1;
  }
}
