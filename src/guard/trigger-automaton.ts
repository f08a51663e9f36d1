/**
 * Owns: an Aho–Corasick automaton over ASCII literals, matched case-insensitively in one pass. Unlike one big
 * regex alternation, its cost per character does not grow with the number of literals, so detectors can be
 * added without slowing the guard.
 */

/** A compiled set of literals. */
export interface TriggerAutomaton {
  readonly literals: readonly string[];
  /** ASCII code → character class (0: no literal uses the character). */
  readonly classes: Uint8Array;
  readonly classCount: number;
  /**
   * Transitions, dense: the entry at (row of the current state + class) is the row offset (state × classCount)
   * of the next state, bitwise-negated when a literal ends there. One load and one sign test per character.
   */
  readonly next: Int32Array;
  /** Literals (indexes) that end at each state, or null. */
  readonly ends: ReadonlyArray<readonly number[] | null>;
}

/** Builds the automaton. Literals must be non-empty lower-case ASCII. */
export function buildAutomaton(literals: readonly string[]): TriggerAutomaton {
  const classes = new Uint8Array(128);
  let classCount = 1;
  for (const lit of literals) {
    if (lit.length === 0 || !/^[\x20-\x7e]+$/.test(lit) || lit !== lit.toLowerCase()) {
      throw new Error(`guard trigger must be non-empty lower-case ASCII: ${JSON.stringify(lit)}`);
    }
    for (const ch of lit) {
      const c = ch.charCodeAt(0);
      if (classes[c] !== 0) continue;
      classes[c] = classCount;
      classes[ch.toUpperCase().charCodeAt(0)] = classCount;
      classCount++;
    }
  }
  // the trie, then failure links turned into a full transition table (breadth first)
  const goto: Int32Array[] = [new Int32Array(classCount).fill(-1)];
  const ends: Array<number[] | null> = [null];
  literals.forEach((lit, index) => {
    let s = 0;
    for (const ch of lit) {
      const c = classes[ch.charCodeAt(0)] ?? 0;
      const row = goto[s] as Int32Array;
      if ((row[c] ?? -1) < 0) {
        row[c] = goto.length;
        goto.push(new Int32Array(classCount).fill(-1));
        ends.push(null);
      }
      s = row[c] ?? 0;
    }
    ends[s] = [...(ends[s] ?? []), index];
  });
  const fail = new Int32Array(goto.length);
  const queue: number[] = [];
  const root = goto[0] as Int32Array;
  for (let c = 0; c < classCount; c++) {
    const t = root[c] ?? -1;
    if (t < 0) root[c] = 0;
    else queue.push(t);
  }
  for (let qi = 0; qi < queue.length; qi++) {
    const s = queue[qi] ?? 0;
    const row = goto[s] as Int32Array;
    const failRow = goto[fail[s] ?? 0] as Int32Array;
    for (let c = 0; c < classCount; c++) {
      const t = row[c] ?? -1;
      if (t < 0) {
        row[c] = failRow[c] ?? 0;
        continue;
      }
      const f = failRow[c] ?? 0;
      fail[t] = f;
      const inherited = ends[f];
      if (inherited) ends[t] = [...(ends[t] ?? []), ...inherited];
      queue.push(t);
    }
  }
  const next = new Int32Array(goto.length * classCount);
  goto.forEach((row, s) => row.forEach((t, c) => (next[s * classCount + c] = ends[t] ? ~(t * classCount) : t * classCount)));
  return { literals, classes, classCount, next, ends };
}

/**
 * Calls `found(start, literalIndex)` for every occurrence of every literal, overlapping ones included,
 * in order of where they end.
 */
export function eachOccurrence(a: TriggerAutomaton, text: string, found: (start: number, literal: number) => void): void {
  const { classes, classCount, next, ends, literals } = a;
  let row = 0;
  for (let i = 0, n = text.length; i < n; i++) {
    const c = text.charCodeAt(i);
    // indexes are in range by construction; the casts only spare the hot loop `?? 0` checks
    row = next[row + (c < 128 ? (classes[c] as number) : 0)] as number;
    if (row < 0) {
      row = ~row;
      for (const k of ends[row / classCount] as readonly number[]) found(i + 1 - (literals[k] as string).length, k);
    }
  }
}
