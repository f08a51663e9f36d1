/**
 * Owns: finding every detector's trigger literals in ONE case-insensitive pass over the text (an Aho–Corasick
 * automaton, see trigger-automaton.ts), then running only the detectors woken at each place. Separate passes
 * per pattern cost ~15 ms per 20 MB each; one regex alternation slows down as literals are added.
 */
import { DETECTORS, type Detector, type Hit, type ScanContext } from "./patterns.js";
import { GENERIC_ASSIGNMENT } from "./generic-assignment.js";
import { buildAutomaton, eachOccurrence, type TriggerAutomaton } from "./trigger-automaton.js";
import { ALWAYS_BLOCKED } from "./allow.js";
import { PUBLISHED_EXAMPLES } from "./rule-catalog.js";

interface TriggerTable {
  readonly automaton: TriggerAutomaton;
  /** Detectors to run for each literal (by index), most specific first. */
  readonly byLiteral: ReadonlyArray<readonly Detector[]>;
}

/**
 * One automaton holds every detector's literals; the tables differ only in which detectors a literal wakes.
 * Building an automaton costs tens of milliseconds in a fresh process (its loops run before the JIT warms
 * up), so it is built once, on first use, and shared.
 */
const ALL_DETECTORS: readonly Detector[] = [...DETECTORS, GENERIC_ASSIGNMENT];
let shared: { automaton: TriggerAutomaton; byLiteral: ReadonlyArray<readonly Detector[]> } | undefined;
const tables = new Map<string, TriggerTable>();

function table(name: "generic" | "specific" | "always", keep: (d: Detector) => boolean): TriggerTable {
  const built = tables.get(name);
  if (built !== undefined) return built;
  if (shared === undefined) {
    const byTrigger = new Map<string, Detector[]>();
    for (const d of ALL_DETECTORS) for (const t of d.triggers) byTrigger.set(t, [...(byTrigger.get(t) ?? []), d]);
    const literals = [...byTrigger.keys()];
    shared = { automaton: buildAutomaton(literals), byLiteral: literals.map((l) => byTrigger.get(l) ?? []) };
  }
  const t = { automaton: shared.automaton, byLiteral: shared.byLiteral.map((ds) => ds.filter(keep)) };
  tables.set(name, t);
  return t;
}

const withGeneric = (): TriggerTable => table("generic", () => true);
const withoutGeneric = (): TriggerTable => table("specific", (d) => d !== GENERIC_ASSIGNMENT);
const alwaysBlockedOnly = (): TriggerTable => table("always", (d) => ALWAYS_BLOCKED.has(d.rule));

function run(table: TriggerTable, text: string, quotedOnly: boolean): Hit[] {
  const { automaton, byLiteral } = table;
  const specific: Hit[] = [];
  const loose: Hit[] = [];
  const ctx: ScanContext = { quotedOnly, lastKeyEnd: -1, examinedUntil: new Map(), findsSecretIn: findsSecretInDecoded };
  eachOccurrence(automaton, text, (start, literal) => {
    for (const d of byLiteral[literal] ?? []) d.at(text, start, d === GENERIC_ASSIGNMENT ? loose : specific, ctx);
  });
  return [...specific, ...loose];
}

/** Whether text decoded from a value (base64 in a Kubernetes Secret) holds a secret other than a published example. */
function findsSecretInDecoded(decoded: string): boolean {
  return run(withGeneric(), decoded, false).some((h) => !PUBLISHED_EXAMPLES.has(h.secret));
}

/**
 * All hits in `text`, specific detectors' hits before generic ones. Every occurrence of a trigger wakes its
 * detectors, overlapping ones too (`pass` inside `password`); a detector reporting the same secret twice is
 * harmless, the scanner drops overlapping hits.
 * @param generic - run the generic assignment detector (off for lockfiles)
 */
export function findHits(text: string, quotedOnly: boolean, generic: boolean): Hit[] {
  return run(generic ? withGeneric() : withoutGeneric(), text, quotedOnly);
}

/** Hits of the rules nothing accepts (key material), for files the guard otherwise skips. */
export function findAlwaysBlockedHits(text: string): Hit[] {
  return run(alwaysBlockedOnly(), text, false);
}
