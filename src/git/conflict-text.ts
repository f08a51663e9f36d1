/**
 * Owns: the plaintext shown to resolve a conflict — two texts that differ only where the branches conflict,
 * joined line by line with git-style markers around each differing run — and the check that no marker is
 * left when the user saves.
 */
import { SealError } from "../errors.js";

export const OURS_LABEL = "<<<<<<< ours";
export const SPLIT_LABEL = "=======";
export const THEIRS_LABEL = ">>>>>>> theirs";
/** Above this many line pairs the longest-common-subsequence table is not built; one marked block is used. */
const MAX_TABLE = 4_000_000;

function splitLines(text: string): string[] {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines;
}

/** Each line of `a` and `b` tagged as common, only in a, or only in b, in order (a longest common subsequence). */
function lineDiff(a: readonly string[], b: readonly string[]): Array<{ side: "both" | "a" | "b"; line: string }> {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const out: Array<{ side: "both" | "a" | "b"; line: string }> = a.slice(0, start).map((line) => ({ side: "both" as const, line }));
  const ma = a.slice(start, endA);
  const mb = b.slice(start, endB);
  if (ma.length * mb.length > MAX_TABLE) {
    out.push(...ma.map((line) => ({ side: "a" as const, line })), ...mb.map((line) => ({ side: "b" as const, line })));
  } else {
    // lcs[i][j]: length of the longest common subsequence of ma[i..] and mb[j..].
    const w = mb.length + 1;
    const lcs = new Uint32Array((ma.length + 1) * w);
    for (let i = ma.length - 1; i >= 0; i--) {
      for (let j = mb.length - 1; j >= 0; j--) {
        lcs[i * w + j] = ma[i] === mb[j] ? lcs[(i + 1) * w + j + 1]! + 1 : Math.max(lcs[(i + 1) * w + j]!, lcs[i * w + j + 1]!);
      }
    }
    let i = 0;
    let j = 0;
    while (i < ma.length || j < mb.length) {
      if (i < ma.length && j < mb.length && ma[i] === mb[j]) {
        out.push({ side: "both", line: ma[i]! });
        i++;
        j++;
      } else if (j >= mb.length || (i < ma.length && lcs[(i + 1) * w + j]! >= lcs[i * w + j + 1]!)) {
        out.push({ side: "a", line: ma[i++]! });
      } else {
        out.push({ side: "b", line: mb[j++]! });
      }
    }
  }
  out.push(...a.slice(endA).map((line) => ({ side: "both" as const, line })));
  return out;
}

/**
 * `ours` and `theirs` as one text: common lines once, each run of differing lines as
 * `<<<<<<< ours` / ours' lines / `=======` / theirs' lines / `>>>>>>> theirs`.
 */
export function markConflicts(ours: string, theirs: string): string {
  const out: string[] = [];
  let a: string[] = [];
  let b: string[] = [];
  const flush = (): void => {
    if (a.length === 0 && b.length === 0) return;
    out.push(OURS_LABEL, ...a, SPLIT_LABEL, ...b, THEIRS_LABEL);
    a = [];
    b = [];
  };
  for (const d of lineDiff(splitLines(ours), splitLines(theirs))) {
    if (d.side === "both") {
      flush();
      out.push(d.line);
    } else (d.side === "a" ? a : b).push(d.line);
  }
  flush();
  return `${out.join("\n")}\n`;
}

/**
 * Refuses a resolved text that still has a conflict marker line.
 * @throws SealError BAD_SYNTAX naming the first such line.
 */
export function assertNoMarkers(text: string): void {
  const lines = text.split("\n");
  const at = lines.findIndex((l) => /^(?:<{7}|={7}|>{7}|\|{7})(?: |$)/.test(l));
  if (at >= 0) {
    throw new SealError("BAD_SYNTAX", `line ${at + 1} is still a conflict marker (${lines[at]!.slice(0, 7)})`, {
      hint: "keep one side (or write the value you want) and delete the marker lines, then save",
    });
  }
}
