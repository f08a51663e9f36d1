/**
 * Owns: finding every detector's trigger literals in ONE case-insensitive pass over the text, then running
 * only the detectors woken at each place. Separate passes per pattern cost ~15 ms per 20 MB each.
 */
import { DETECTORS, type Detector, type Hit, type ScanContext } from "./patterns.js";
import { GENERIC_ASSIGNMENT } from "./generic-assignment.js";

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
}

function buildTable(detectors: readonly Detector[]): { re: RegExp; byTrigger: Map<string, Detector[]> } {
  const byTrigger = new Map<string, Detector[]>();
  for (const d of detectors) for (const t of d.triggers) byTrigger.set(t, [...(byTrigger.get(t) ?? []), d]);
  // longest first, so `password` wins over `pass` and `secret_access_key` over `secret`
  const literals = [...byTrigger.keys()].sort((a, b) => b.length - a.length);
  return { re: new RegExp(literals.map(escape).join("|"), "gi"), byTrigger };
}

const WITH_GENERIC = buildTable([...DETECTORS, GENERIC_ASSIGNMENT]);
const WITHOUT_GENERIC = buildTable(DETECTORS);

/**
 * All hits in `text`, specific detectors' hits before generic ones at the same place.
 * @param generic - run the generic assignment detector (off for lockfiles)
 */
export function findHits(text: string, quotedOnly: boolean, generic: boolean): Hit[] {
  const { re, byTrigger } = generic ? WITH_GENERIC : WITHOUT_GENERIC;
  const specific: Hit[] = [];
  const loose: Hit[] = [];
  const ctx: ScanContext = { quotedOnly, lastKeyEnd: -1 };
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    for (const d of byTrigger.get(m[0].toLowerCase()) ?? []) d.at(text, m.index, d === GENERIC_ASSIGNMENT ? loose : specific, ctx);
  }
  return [...specific, ...loose];
}
