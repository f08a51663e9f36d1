/**
 * Owns: turning a decrypted tree into environment variables (names, flattening, rendering, collisions).
 * Follows sops exec-env (cmd/sops/subcommand/exec, sops-format.md §8) and goes beyond it by flattening
 * nested maps instead of refusing them.
 */
import { SealError } from "../errors.js";
import { valueToString, type FormatName } from "../formats/index.js";
import type { Node, Scalar, Tree, TreeList, TreeMap } from "../tree/node.js";

export type EnvSourceFormat = FormatName;

export interface TreeToEnvOptions {
  /** Flatten nested maps into `PARENT_CHILD` names; false refuses complex values like sops does. */
  readonly flatten: boolean;
  /** The format the tree was parsed from: dotenv names map 1:1; INI sections are one level of nesting. */
  readonly format: EnvSourceFormat;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const JOINER = "_";
/** go-ini's name for keys that sit before the first `[section]`; they map as top-level variables. */
const INI_DEFAULT_SECTION = "DEFAULT";

/**
 * The environment variables a decrypted tree stands for: the top-level items of the first branch.
 *
 * Top-level keys keep their spelling, as with `sops exec-env`. Nested map keys are joined to their
 * parents with `_` and upper-cased (`db: {password: x}` → `DB_PASSWORD`). Lists become JSON text.
 *
 * @throws SealError `GENERIC` (exit 1, as sops; `details.reason` tells which) for a complex value when
 *   `flatten` is false, a name that is not a valid environment variable name, two keys that map to one
 *   name, or a value an environment cannot hold.
 */
export function treeToEnv(tree: Tree, opts: TreeToEnvOptions): Record<string, string> {
  const out = new EnvBuilder();
  const branch = tree.branches[0];
  if (branch === undefined) return out.env;
  for (const it of branch.items) {
    if (it.kind === "comment") continue;
    const path = [it.key];
    const v = it.value;
    if (opts.format === "ini" && v.kind === "map") {
      // INI sections: DEFAULT's keys are top level; any other section is one level of nesting.
      const nested = it.key !== INI_DEFAULT_SECTION;
      if (nested && !opts.flatten) throw complexValue(path);
      for (const sub of v.items) {
        if (sub.kind === "comment") continue;
        const subPath = [...path, sub.key];
        const name = nested ? flatName(subPath) : sub.key;
        addNode(out, subPath, name, sub.value, opts.flatten);
      }
      continue;
    }
    addNode(out, path, it.key, v, opts.flatten);
  }
  return out.env;
}

/**
 * Later layers override earlier ones (files given later on the command line win).
 */
export function mergeEnvs(layers: readonly Record<string, string>[]): Record<string, string> {
  const env = emptyEnv();
  for (const layer of layers) for (const [k, v] of Object.entries(layer)) env[k] = v;
  return env;
}

/** A record without a prototype, so a key named `__proto__` is stored like any other. */
export function emptyEnv(): Record<string, string> {
  return Object.create(null) as Record<string, string>;
}

class EnvBuilder {
  readonly env = emptyEnv();
  private readonly origin = new Map<string, readonly string[]>();

  add(path: readonly string[], name: string, value: string): void {
    if (!ENV_NAME.test(name)) {
      throw envError(
        "bad-name",
        `key ${showPath(path)} maps to ${JSON.stringify(name)}, which is not a valid environment variable name`,
        { path: [...path], name },
        "names may hold only letters, digits and `_` and must not start with a digit; rename the key",
      );
    }
    const earlier = this.origin.get(name);
    if (earlier !== undefined) {
      throw envError(
        "collision",
        `keys ${showPath(earlier)} and ${showPath(path)} both map to the environment variable ${name}`,
        { paths: [[...earlier], [...path]], name },
        "rename one of the keys",
      );
    }
    if (value.includes("\0")) {
      throw envError("nul-byte", `the value of key ${showPath(path)} holds a NUL byte, which an environment variable cannot carry`, {
        path: [...path],
      });
    }
    this.origin.set(name, path);
    this.env[name] = value;
  }
}

function addNode(out: EnvBuilder, path: readonly string[], name: string, v: Node, flatten: boolean): void {
  if (v.kind === "map") {
    if (!flatten) throw complexValue(path);
    for (const sub of v.items) {
      if (sub.kind === "comment") continue;
      const subPath = [...path, sub.key];
      addNode(out, subPath, flatName(subPath), sub.value, flatten);
    }
    return;
  }
  if (v.kind === "list") {
    if (!flatten) throw complexValue(path);
    out.add(path, name, listToJson(v, path));
    return;
  }
  out.add(path, name, scalarText(v, path));
}

function flatName(path: readonly string[]): string {
  return path.join(JOINER).toUpperCase();
}

function scalarText(s: Scalar, path: readonly string[]): string {
  // sops writes Go's `<nil>` for null, which no program wants to receive: an empty value says "unset" better.
  if (s.kind === "null") return "";
  if (s.kind === "bytes") {
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(s.value);
    } catch {
      throw envError("binary", `the value of key ${showPath(path)} is binary data, not UTF-8 text, and cannot go into an environment variable`, {
        path: [...path],
      });
    }
  }
  return valueToString(s);
}

/** JSON text for a list: numbers and booleans stay JSON literals; ints keep all their digits. */
function listToJson(l: TreeList, path: readonly string[]): string {
  return `[${l.items.flatMap((it) => (it.kind === "comment" ? [] : [nodeToJson(it, path)])).join(",")}]`;
}

function mapToJson(m: TreeMap, path: readonly string[]): string {
  const parts: string[] = [];
  for (const it of m.items) {
    if (it.kind === "comment") continue;
    parts.push(`${JSON.stringify(it.key)}:${nodeToJson(it.value, [...path, it.key])}`);
  }
  return `{${parts.join(",")}}`;
}

function nodeToJson(n: Node, path: readonly string[]): string {
  switch (n.kind) {
    case "map":
      return mapToJson(n, path);
    case "list":
      return listToJson(n, path);
    case "int":
      return n.value.toString(10);
    case "float":
      // NaN and ±Inf have no JSON literal: they go in as sops's text.
      return Number.isFinite(n.value) ? JSON.stringify(n.value) : JSON.stringify(valueToString(n));
    case "bool":
      return n.value ? "true" : "false";
    case "null":
      return "null";
    default:
      return JSON.stringify(scalarText(n, path));
  }
}

function complexValue(path: readonly string[]): SealError {
  return envError(
    "complex-value",
    `cannot use complex value in environment; offending key ${showPath(path)}`,
    { path: [...path] },
    "drop --no-flatten to turn nested keys into PARENT_CHILD variables",
  );
}

/** Exit 1 like sops's exec-env; `details.reason` tells the cases apart. Messages name keys, never values. */
function envError(reason: string, message: string, details: Record<string, unknown>, hint?: string): SealError {
  return new SealError("GENERIC", message, { details: { reason, ...details }, ...(hint === undefined ? {} : { hint }) });
}

function showPath(path: readonly string[]): string {
  return path.join(".");
}
