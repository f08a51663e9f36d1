/** Owns: "did you mean" — the known names closest to a misspelled one (commands, options, .sops.yaml keys), by Damerau-Levenshtein distance. */

/** Edits (insert, delete, substitute, swap two neighbours) between `a` and `b` (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) rows.push([i, ...Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = d;
    }
  }
  return rows[a.length]![b.length]!;
}

/**
 * The candidates nearest to `word`: at most 2 edits away, 1 for words of four letters or fewer (where two
 * edits would match almost anything). Several only when they tie.
 */
export function closestNames(word: string, candidates: Iterable<string>): string[] {
  const limit = word.length <= 4 ? 1 : 2;
  let best = limit + 1;
  let found: string[] = [];
  for (const c of new Set(candidates)) {
    if (c === word) continue;
    const d = editDistance(word, c);
    if (d < best) {
      best = d;
      found = [c];
    } else if (d === best) found.push(c);
  }
  return found;
}
