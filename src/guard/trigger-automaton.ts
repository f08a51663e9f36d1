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
  // the trie, then failure links turned into a full transition table (breadth first). One flat table and
  // plain loops: this runs once per process, before the JIT has warmed up.
  let maxStates = 1;
  for (const lit of literals) maxStates += lit.length;
  const go = new Int32Array(maxStates * classCount).fill(-1); // state × classCount + class → state, -1: none yet
  const ends: Array<number[] | null> = [null];
  let states = 1;
  for (let index = 0; index < literals.length; index++) {
    const lit = literals[index] as string;
    let s = 0;
    for (let i = 0; i < lit.length; i++) {
      const at = s * classCount + (classes[lit.charCodeAt(i)] as number);
      if ((go[at] as number) < 0) {
        go[at] = states++;
        ends.push(null);
      }
      s = go[at] as number;
    }
    ends[s] = [...(ends[s] ?? []), index];
  }
  const fail = new Int32Array(states);
  const queue = new Int32Array(states);
  let tail = 0;
  for (let c = 0; c < classCount; c++) {
    const t = go[c] as number;
    if (t < 0) go[c] = 0;
    else queue[tail++] = t;
  }
  for (let head = 0; head < tail; head++) {
    const s = queue[head] as number;
    const row = s * classCount;
    const failRow = (fail[s] as number) * classCount;
    for (let c = 0; c < classCount; c++) {
      const t = go[row + c] as number;
      if (t < 0) {
        go[row + c] = go[failRow + c] as number;
        continue;
      }
      const f = go[failRow + c] as number;
      fail[t] = f;
      const inherited = ends[f];
      if (inherited) ends[t] = [...(ends[t] ?? []), ...inherited];
      queue[tail++] = t;
    }
  }
  const next = new Int32Array(states * classCount);
  for (let i = 0; i < next.length; i++) {
    const t = go[i] as number;
    next[i] = ends[t] ? ~(t * classCount) : t * classCount;
  }
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
