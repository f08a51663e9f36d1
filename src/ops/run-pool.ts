/** Owns: running many independent file jobs with a bounded number in flight, each outcome kept as data. */

export type Settled<R> = { readonly ok: true; readonly value: R } | { readonly ok: false; readonly error: unknown };

/**
 * Runs `job` over `items` with at most `limit` running at once. A failing job never stops the others;
 * `onDone` is called as each finishes (for progress). Results keep the order of `items`.
 */
export async function runPool<T, R>(items: readonly T[], limit: number, job: (item: T, index: number) => Promise<R>, onDone?: (item: T, outcome: Settled<R>, done: number) => void): Promise<Settled<R>[]> {
  const results = new Array<Settled<R>>(items.length);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      const item = items[i]!;
      let outcome: Settled<R>;
      try {
        outcome = { ok: true, value: await job(item, i) };
      } catch (error) {
        outcome = { ok: false, error };
      }
      results[i] = outcome;
      onDone?.(item, outcome, ++done);
      // A job may finish without any real I/O (local keys, sync file writes): yield to the event loop, so
      // progress written in onDone reaches the terminal and signals are handled while the batch runs.
      await new Promise<void>((resolveTick) => setImmediate(resolveTick));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
