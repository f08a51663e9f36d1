/**
 * Owns: checking a `.sops.yaml` without stopping at the first problem — YAML syntax, every schema error, every
 * semantic problem (config-semantics.ts), and keys nobody reads (warnings: sops and loading ignore them) — each
 * with its line and column, for `secrets doctor`, in the order they are written. Messages are built from
 * positions, schema paths and known key names; source text appears only as a key name of plain letters, digits
 * and `_.-`, and as the part of an invalid regex the RE2 engine quotes.
 */
import { LineCounter, parseDocument, type Document } from "yaml";
import { isSealError } from "../errors.js";
import { closestNames } from "../did-you-mean.js";
import { configKeyTree, validateConfig, validateConfigClosed, type KeyTree } from "../generated/validators.js";
import { configDataOf, parseConfig, type SopsConfig } from "../config.js";
import { semanticProblems } from "./config-semantics.js";
import { readSmallText } from "../io/small-file.js";

export interface ConfigProblem {
  /** Where in the document, e.g. `creation_rules[1].path_regex` (empty for the top level or a syntax error). */
  readonly at: string;
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
}

export interface ConfigCheck {
  readonly config: SopsConfig | undefined;
  readonly problems: ConfigProblem[];
  /** Keys that neither sops nor sealfile reads (usually misspelled ones); the config still loads. */
  readonly warnings: ConfigProblem[];
}

/** A key name shown as it is written only when it cannot carry terminal controls or run on for a screen. */
const SHOWABLE_KEY = /^[A-Za-z0-9_.-]{1,64}$/;

function segments(instancePath: string): Array<string | number> {
  return instancePath
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function label(path: ReadonlyArray<string | number>): string {
  return path.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("");
}

function positionOf(doc: Document, counter: LineCounter, path: ReadonlyArray<string | number>): { line: number; column: number } | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === "object" && node.range) {
      const p = counter.linePos(node.range[0]);
      return { line: p.line, column: p.col };
    }
  }
  return undefined;
}

/** Where the key `name` of the mapping at `path` is written. */
function keyPosition(doc: Document, counter: LineCounter, path: ReadonlyArray<string | number>, name: string): { line: number; column: number } | undefined {
  const map = (path.length === 0 ? doc.contents : doc.getIn(path, true)) as { items?: Array<{ key?: { value?: unknown; range?: [number, number, number] } }> } | null;
  const key = map?.items?.find((pair) => pair.key?.value === name)?.key;
  if (!key?.range) return positionOf(doc, counter, path);
  const p = counter.linePos(key.range[0]);
  return { line: p.line, column: p.col };
}

/** The keys the schema lists for the mapping at `path` (none where it lists none, e.g. under `recipients`). */
function knownKeysAt(path: ReadonlyArray<string | number>): string[] {
  const resolve = (n: KeyTree | undefined): KeyTree | undefined => (n?.$ref ? configKeyTree.definitions?.[n.$ref.replace("#/definitions/", "")] : n);
  let node = resolve(configKeyTree);
  for (const seg of path) node = resolve(typeof seg === "number" ? node?.items : node?.properties?.[seg]);
  return Object.keys(node?.properties ?? {});
}

/** Keys no schema object lists where they are written, each with a "did you mean" when a known key is near. */
function unknownKeys(doc: Document, counter: LineCounter, data: unknown): ConfigProblem[] {
  if (validateConfigClosed(data)) return [];
  return (validateConfigClosed.errors ?? [])
    .filter((e) => e.keyword === "additionalProperties" && typeof e.params.additionalProperty === "string")
    .map((e) => {
      const name = e.params.additionalProperty as string;
      const path = segments(e.instancePath);
      const near = closestNames(name, knownKeysAt(path));
      const shown = SHOWABLE_KEY.test(name) ? name : "(a key with unusual characters)";
      const hint = near.length > 0 ? `; did you mean ${near.join(" or ")}?` : "";
      return { at: label([...path, shown]), message: `is not a key sealfile or sops reads (ignored)${hint}`, ...keyPosition(doc, counter, path, name) };
    });
}

/** Every problem of a config file's text (an empty list when it is valid), and the config when it is. */
export function checkConfigText(text: string, path: string, foundBy: SopsConfig["foundBy"]): ConfigCheck {
  const counter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, lineCounter: counter, uniqueKeys: false });
  if (doc.errors.length > 0) {
    return {
      config: undefined,
      warnings: [],
      problems: doc.errors.map((e) => {
        const pos = counter.linePos(e.pos[0]);
        return { at: "", message: `YAML syntax error (${e.code})`, line: pos.line, column: pos.col };
      }),
    };
  }
  let data: unknown;
  try {
    data = configDataOf(doc, path);
  } catch (e) {
    if (!isSealError(e, "BAD_CONFIG")) throw e;
    return { config: undefined, warnings: [], problems: [{ at: "", message: String(e.details?.why ?? e.message) }] };
  }
  const warnings = inTextOrder(unknownKeys(doc, counter, data));
  const problems = [...schemaProblems(doc, counter, data), ...semanticProblems(data).map((p) => ({ at: label(p.path), message: p.message, ...positionOf(doc, counter, p.path) }))];
  if (problems.length === 0) {
    try {
      return { config: parseConfig(text, path, foundBy), problems: [], warnings };
    } catch (e) {
      if (!isSealError(e)) throw e;
      // A check only loading makes (an Azure key URL, a path outside the repository): as loading words it.
      const m = /creation_rules\[(\d+)\](?:\.([a-z_]+))?/.exec(e.message);
      const p = m ? ["creation_rules", Number(m[1]), ...(m[2] ? [m[2]] : [])] : [];
      const message = e.message.startsWith(`${path}: `) ? e.message.slice(path.length + 2) : e.message;
      return { config: undefined, problems: [{ at: label(p), message, ...positionOf(doc, counter, p) }], warnings };
    }
  }
  return { config: undefined, problems: inTextOrder(problems), warnings };
}

function inTextOrder(problems: ConfigProblem[]): ConfigProblem[] {
  const order = (p: ConfigProblem): number => (p.line ?? Number.MAX_SAFE_INTEGER) * 1e6 + (p.column ?? 0);
  return problems.sort((a, b) => order(a) - order(b));
}

/** Every schema error, each place and message once. */
function schemaProblems(doc: Document, counter: LineCounter, data: unknown): ConfigProblem[] {
  if (validateConfig(data)) return [];
  const seen = new Set<string>();
  const problems: ConfigProblem[] = [];
  for (const err of validateConfig.errors ?? []) {
    const p = segments(err.instancePath);
    const message = err.message ?? "is invalid";
    const key = `${err.instancePath} ${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push({ at: label(p), message, ...positionOf(doc, counter, p) });
  }
  return problems;
}

/** {@link checkConfigText} on a file. */
export function checkConfigFile(path: string, foundBy: SopsConfig["foundBy"]): ConfigCheck {
  return checkConfigText(readSmallText(path, path, "BAD_CONFIG"), path, foundBy);
}
