/**
 * Owns: checking a `.sops.yaml` without stopping at the first problem — YAML syntax, every schema error and
 * the semantic checks `parseConfig` makes — each with its line and column, for `secrets doctor`. Messages are
 * built from positions and schema paths, never from the source text (which may hold anything).
 */
import { readFileSync } from "node:fs";
import { LineCounter, parseDocument, type Document } from "yaml";
import { isSealError } from "../errors.js";
import { validateConfig } from "../generated/validators.js";
import { parseConfig, type SopsConfig } from "../config.js";

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
}

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

/** Every problem of a config file's text (an empty list when it is valid), and the config when it is. */
export function checkConfigText(text: string, path: string, foundBy: SopsConfig["foundBy"]): ConfigCheck {
  const counter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, lineCounter: counter, uniqueKeys: false });
  if (doc.errors.length > 0) {
    return {
      config: undefined,
      problems: doc.errors.map((e) => {
        const pos = counter.linePos(e.pos[0]);
        return { at: "", message: `YAML syntax error (${e.code})`, line: pos.line, column: pos.col };
      }),
    };
  }
  const data = (doc.toJS() ?? {}) as unknown;
  if (!validateConfig(data)) {
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
    return { config: undefined, problems };
  }
  try {
    return { config: parseConfig(text, path, foundBy), problems: [] };
  } catch (e) {
    if (!isSealError(e)) throw e;
    const m = /creation_rules\[(\d+)\](?:\.([a-z_]+))?/.exec(e.message);
    const p = m ? ["creation_rules", Number(m[1]), ...(m[2] ? [m[2]] : [])] : [];
    const message = e.message.startsWith(`${path}: `) ? e.message.slice(path.length + 2) : e.message;
    return { config: undefined, problems: [{ at: label(p), message, ...positionOf(doc, counter, p) }] };
  }
}

/** {@link checkConfigText} on a file. */
export function checkConfigFile(path: string, foundBy: SopsConfig["foundBy"]): ConfigCheck {
  return checkConfigText(readFileSync(path, "utf8"), path, foundBy);
}
