/**
 * Owns: `set` and `unset` on an encrypted file's bytes — one value changed or removed, everything else kept
 * byte-identical (the IV stash keeps unchanged ciphertexts), so `git diff` shows the value, `mac` and
 * `lastmodified` only. Also parsing a JSON value into a tree node, and saying which of a set value's leaves the
 * file's rule keeps in plaintext.
 */
import { SealError } from "../errors.js";
import { storeFor, type FormatName, type StoreOptions } from "../formats/index.js";
import { closeDocument, crypterFor } from "../document/index.js";
import type { CryptRule } from "../metadata.js";
import type { KeyContext, KeyKind } from "../keys/types.js";
import { getAtPath, mapLeaves, setAtPath, unsetAtPath, type Node, type PathStep, type Scalar, type Tree } from "../tree/index.js";
import { openSealedBytes, resealToBytes } from "./sealed-file.js";
import { settleRule, type RuleCheck } from "./creation-rule.js";

/**
 * A JSON text as a tree node: objects and arrays become subtrees (key order kept), integers stay `int`
 * (64-bit exact), other numbers `float`.
 * @throws SealError BAD_SET_FORMAT with the line and column of a syntax error (never the text).
 */
export function parseJsonValue(text: Uint8Array): Node {
  // The JSON store parses whole documents (a top-level object); wrap the value as one member, on its own line.
  const wrapped = Buffer.concat([Buffer.from('{"v":\n'), text, Buffer.from("\n}")]);
  try {
    const tree = storeFor("json").parsePlain(wrapped);
    const first = tree.branches[0]?.items.find((it) => it.kind === "entry");
    if (!first || first.kind !== "entry") throw new SealError("BAD_SET_FORMAT", "the value is empty");
    return first.value;
  } catch (e) {
    if (e instanceof SealError && e.code === "BAD_SYNTAX") {
      const d = e.details as { line?: number; column?: number } | undefined;
      const where = typeof d?.line === "number" ? ` at line ${Math.max(1, d.line - 1)}${typeof d.column === "number" ? `, column ${d.column}` : ""}` : "";
      throw new SealError("BAD_SET_FORMAT", `the value is not valid JSON${where}`, { hint: `strings need quotes: printf '"text"' | secrets set FILE PATH --value-stdin` });
    }
    throw e;
  }
}

/** Structural equality of two nodes (comments ignored): what `--idempotent` compares. */
export function nodesEqual(a: Node, b: Node): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === "map" && b.kind === "map") {
    const ea = a.items.filter((i) => i.kind === "entry");
    const eb = b.items.filter((i) => i.kind === "entry");
    return ea.length === eb.length && ea.every((x, i) => x.kind === "entry" && eb[i]!.kind === "entry" && x.key === eb[i]!.key && nodesEqual(x.value, eb[i]!.value));
  }
  if (a.kind === "list" && b.kind === "list") {
    const la = a.items.filter((i): i is Node => i.kind !== "comment");
    const lb = b.items.filter((i): i is Node => i.kind !== "comment");
    return la.length === lb.length && la.every((x, i) => nodesEqual(x, lb[i]!));
  }
  if (a.kind === "null") return true;
  if (a.kind === "bytes" && b.kind === "bytes") return Buffer.from(a.value).equals(Buffer.from(b.value));
  return "value" in a && "value" in b && a.value === b.value;
}

export interface EditValueOptions {
  readonly format: FormatName;
  readonly ctx: KeyContext;
  readonly order?: readonly KeyKind[];
  readonly ignoreMac?: boolean;
  readonly file?: string;
  readonly storeOptions?: StoreOptions;
  /** Format the file is rewritten in (sops's `set --output-type`; default: its own). */
  readonly outputFormat?: FormatName;
  readonly outputStoreOptions?: StoreOptions;
  /** When the value is already there (set) or already absent (unset), return undefined instead of rewriting. */
  readonly idempotent?: boolean;
  /** The creation rule the file is held to (a `sops` block that encrypts less is refused, or fixed). */
  readonly rule?: RuleCheck;
}

async function rewrite(
  bytes: Uint8Array,
  opts: EditValueOptions,
  change: (plain: Tree, rule: CryptRule) => boolean,
): Promise<Uint8Array | undefined> {
  const { doc, store } = await openSealedBytes(bytes, {
    format: opts.format,
    ctx: opts.ctx,
    ...(opts.order ? { order: opts.order } : {}),
    ...(opts.ignoreMac ? { ignoreMac: true } : {}),
    ...(opts.file ? { file: opts.file } : {}),
    ...(opts.storeOptions ? { storeOptions: opts.storeOptions } : {}),
  });
  try {
    // Before the change too: a value removed by `unset` must not hide that the file is weaker than its rule.
    settleRule([doc.plain], doc.metadata, opts.rule, opts.file);
    if (!change(doc.plain, doc.metadata.cryptRule)) return undefined;
    const out = opts.outputFormat && opts.outputFormat !== opts.format ? storeFor(opts.outputFormat, opts.outputStoreOptions) : store;
    return resealToBytes(doc, doc.plain, out, { check: opts.rule, file: opts.file });
  } finally {
    closeDocument(doc);
  }
}

/** What `set` did. */
export interface SetOutcome {
  /** The rewritten file, or undefined when `idempotent` and the value was already there. */
  readonly bytes: Uint8Array | undefined;
  /** Key paths of the new value's leaves that the file's rule stores in plaintext (empty when none). */
  readonly plaintextPaths: string[][];
  /** The file's rule (what keeps those leaves in plaintext). */
  readonly rule: CryptRule;
}

/** Key paths of the leaves of `value`, placed in `plain`, that `rule` leaves unencrypted (null and "" never are). */
function plaintextLeaves(plain: Tree, value: Node, rule: CryptRule): string[][] {
  const own = new Set<Scalar>();
  const collect = (n: Node): void => {
    if (n.kind === "map") for (const it of n.items) { if (it.kind === "entry") collect(it.value); }
    else if (n.kind === "list") for (const it of n.items) { if (it.kind !== "comment") collect(it); }
    else own.add(n);
  };
  collect(value);
  const crypter = crypterFor(rule);
  const found: string[][] = [];
  mapLeaves(plain, (s, { path, comments }) => {
    const empty = s.kind === "null" || (s.kind === "str" && s.value === "");
    if (own.has(s) && !empty && !crypter.shouldEncrypt(path, comments)) found.push([...path]);
    return s;
  });
  return found;
}

/**
 * The file with the value at `steps` set to `value` (maps on the way are created, as sops does), and which of
 * its leaves the file's rule stores in plaintext.
 * @throws SealError BAD_TREE_PATH, NOT_ENCRYPTED, NO_USABLE_KEY, MAC_MISMATCH, WEAK_ENCRYPTION_RULE
 */
export async function setValueBytes(bytes: Uint8Array, steps: readonly PathStep[], value: Node, opts: EditValueOptions): Promise<SetOutcome> {
  let plaintextPaths: string[][] = [];
  let fileRule: CryptRule | undefined;
  const out = await rewrite(bytes, opts, (plain, rule) => {
    fileRule = rule;
    const old = getAtPath(plain, steps);
    if (opts.idempotent && old !== undefined && nodesEqual(old, value)) return false;
    setAtPath(plain, steps, value);
    plaintextPaths = plaintextLeaves(plain, value, rule);
    return true;
  });
  return { bytes: out, plaintextPaths, rule: fileRule! };
}

/**
 * The file without the value at `steps`.
 * @returns undefined when `idempotent` and there was nothing there.
 * @throws SealError PATH_NOT_FOUND when nothing is there (without `idempotent`); NOT_ENCRYPTED, NO_USABLE_KEY, MAC_MISMATCH,
 *         WEAK_ENCRYPTION_RULE
 */
export function unsetValueBytes(bytes: Uint8Array, steps: readonly PathStep[], label: string, opts: EditValueOptions): Promise<Uint8Array | undefined> {
  return rewrite(bytes, opts, (plain) => {
    if (unsetAtPath(plain, steps)) return true;
    if (opts.idempotent) return false;
    throw new SealError("PATH_NOT_FOUND", `${label} is not in ${opts.file ?? "the file"}`, { hint: "pass --idempotent to succeed when it is already absent" });
  });
}
