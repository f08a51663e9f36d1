/**
 * Owns: compiling the regular expressions people write — `.sops.yaml` rules, a file's `sops` block, the
 * `--encrypted-regex` family of flags, `.secretsignore` globs — with the RE2 engine, as sops does with Go's
 * `regexp`: matching in time linear in the input whatever the pattern, RE2 syntax (`(?i)`, `(?s)`, `\d`, `\pL`,
 * `(?P<name>…)`), and `MatchString`'s unanchored search. Our own constant patterns stay native `RegExp`.
 *
 * The engine (re2js) is loaded with `require` the first time a pattern needs it, so a command that meets no
 * user pattern never reads it (see src/keys/_sdk.ts for why `require` rather than `import()`). Plain patterns
 * run as native RegExps with the same meaning (src/user-regex-native.ts) and need no engine at all.
 */
import { createRequire } from "node:module";
import { SealError, type ErrorCode } from "./errors.js";
import { nativeEquivalent } from "./user-regex-native.js";

/** A compiled user pattern. */
export interface UserRegex {
  /** The pattern as written. */
  readonly source: string;
  /** Whether the pattern matches anywhere in `text` (Go's `regexp.MatchString`). */
  test(text: string): boolean;
}

/** Where a pattern came from, for the error an invalid one raises. */
export interface RegexOrigin {
  readonly code: ErrorCode;
  /** What the message starts with, e.g. `.sops.yaml: creation_rules[2].encrypted_regex` or `--encrypted-regex`. */
  readonly at: string;
  readonly hint: string;
}

type Re2Module = typeof import("re2js");

const ENGINE_ID = "re2js";
const CACHE_LIMIT = 256;
let engine: Re2Module | undefined;
const compiled = new Map<string, UserRegex | string>();

function loadEngine(): Re2Module {
  const id: string = ENGINE_ID; // a non-literal id, so bundlers leave the package external
  engine ??= createRequire(import.meta.url)(id) as Re2Module;
  return engine;
}

/** The compiled pattern, or the engine's reason it is invalid (as Go words it, without its prefix). */
function compileCached(source: string): UserRegex | string {
  const hit = compiled.get(source);
  if (hit !== undefined) return hit;
  const native = nativeEquivalent(source);
  let result: UserRegex | string;
  if (native) {
    // RE2 is compiled only if a text too long for the native pattern comes along.
    let re2: { test(text: string): boolean } | undefined;
    result = { source, test: (text) => (text.length <= native.textLimit ? native.regex.test(text) : (re2 ??= loadEngine().RE2JS.compile(source)).test(text)) };
  } else {
    const { RE2JS, RE2JSException } = loadEngine();
    try {
      const re = RE2JS.compile(source);
      result = { source, test: (text) => re.test(text) };
    } catch (e) {
      if (!(e instanceof RE2JSException)) throw e;
      result = e.message.replace(/^error parsing regexp: /, "");
    }
  }
  if (compiled.size >= CACHE_LIMIT) compiled.delete(compiled.keys().next().value!);
  compiled.set(source, result);
  return result;
}

/**
 * Compiles a user pattern with RE2 (Go regexp) semantics.
 * @throws SealError with `origin.code`, naming the pattern and what is wrong with it.
 */
export function compileUserRegex(source: string, origin: RegexOrigin): UserRegex {
  const result = compileCached(source);
  if (typeof result !== "string") return result;
  throw new SealError(origin.code, `${origin.at}: invalid regular expression ${JSON.stringify(source)}: ${result}`, { hint: origin.hint });
}

/** Why `source` is not a valid RE2 pattern (as Go words it), or undefined when it is one. */
export function userRegexProblem(source: string): string | undefined {
  const result = compileCached(source);
  return typeof result === "string" ? result : undefined;
}

/** The compiled pattern, or undefined when `source` is not a valid RE2 pattern. */
export function compileUserRegexIfValid(source: string): UserRegex | undefined {
  const result = compileCached(source);
  return typeof result === "string" ? undefined : result;
}
