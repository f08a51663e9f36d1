/**
 * Owns: the binary store — any other file is one value, `{data: <the whole file>}`, kept in a JSON envelope
 * when encrypted (sops stores/json/store.go BinaryStore). Decrypting gives back the exact bytes.
 */
import { SealError } from "../errors.js";
import type { Node, Scalar, Tree } from "../tree/index.js";
import { JsonStore } from "./json.js";
import { topLevelStringRange } from "./_json-member.js";
import type { Store, StoreOptions } from "./types.js";

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();
// Stands in for the `data` value while the rest of the envelope is read or written: a JSON string no
// sops metadata holds, and whose JSON text needs no escaping on output.
const HOLE_MARK = "sealfile:data-goes-here";
const HOLE_TEXT = `"${HOLE_MARK}"`;

/** An encrypted binary file read with its `data` value left as a byte range of the source. */
export interface LocatedData {
  /** The envelope as the reference reader gives it, but with `data` as "" (a `str`). */
  readonly tree: Tree;
  /** Where the `data` value's text (printable ASCII, no escapes) is in the source. */
  readonly start: number;
  readonly end: number;
}

export class BinaryStore implements Store {
  readonly name = "binary" as const;
  readonly metadataLayout = "nested" as const;
  readonly #json: JsonStore;

  /** `options.indent` sets the JSON envelope's indent (sops `stores.json_binary.indent`; default tab). */
  constructor(options: StoreOptions = {}) {
    this.#json = new JsonStore(options);
  }

  /**
   * The whole file as one value: a `str` when it is valid UTF-8, else a `bytes` scalar, so the file comes
   * back byte for byte.
   */
  parsePlain(src: Uint8Array): Tree {
    let data: Scalar;
    try {
      data = { kind: "str", value: strictUtf8.decode(src) };
    } catch {
      data = { kind: "bytes", value: Uint8Array.from(src) };
    }
    return { branches: [{ kind: "map", items: [{ kind: "entry", key: "data", value: data }] }] };
  }

  /**
   * Parses the JSON envelope.
   * @throws SealError BAD_SYNTAX when it is not a JSON object.
   */
  parseEncrypted(src: Uint8Array): Tree {
    return this.#json.parseEncrypted(src);
  }

  /**
   * Fast path of {@link parseEncrypted} for a large file: finds the `data` string's bytes without making
   * them a string, and has the reference reader parse the rest (the file with `data` cut out). `undefined`
   * whenever that cannot be done exactly (the caller then uses parseEncrypted). Its tree, with `data` set to
   * the range's text, equals parseEncrypted's: test/formats/binary.test.ts checks this on generated input.
   */
  locateData(src: Uint8Array): LocatedData | undefined {
    const range = topLevelStringRange(src, "data");
    if (range === undefined) return undefined;
    const rest = Buffer.concat([src.subarray(0, range.start), Buffer.from(HOLE_MARK, "latin1"), src.subarray(range.end)]);
    let tree: Tree;
    try {
      tree = this.#json.parseEncrypted(rest);
    } catch {
      return undefined;
    }
    const branch = tree.branches.length === 1 ? tree.branches[0] : undefined;
    const found = branch?.items.filter((it) => it.kind === "entry" && it.key === "data") ?? [];
    const data = found[0];
    if (found.length !== 1 || data?.kind !== "entry" || data.value.kind !== "str" || data.value.value !== HOLE_MARK) return undefined;
    data.value = { kind: "str", value: "" };
    return { tree, start: range.start, end: range.end };
  }

  /**
   * The JSON envelope of {@link emitEncrypted} with `holeLength` bytes reserved for the `data` value (the
   * tree's own `data` value is not written), which the caller fills with text that needs no JSON escaping:
   * an encrypted value written straight into the file's bytes, never a string of its own.
   * @throws SealError CANNOT_EMIT unless `data` is the first entry of the one branch.
   */
  emitEncryptedAround(tree: Tree, holeLength: number): { out: Uint8Array; at: number } {
    const branch = tree.branches.length === 1 ? tree.branches[0] : undefined;
    const first = branch?.items[0];
    if (branch === undefined || first?.kind !== "entry" || first.key !== "data") {
      throw new SealError("CANNOT_EMIT", "internal: a binary envelope needs `data` as its first key", { hint: "please report this as a sealfile bug" });
    }
    const marked = { branches: [{ ...branch, items: [{ ...first, value: { kind: "str" as const, value: HOLE_MARK } }, ...branch.items.slice(1)] }] };
    const rest = Buffer.from(this.#json.emitEncrypted(marked));
    // `data` is the first key, so the first occurrence of the mark is its value.
    const mark = rest.indexOf(HOLE_TEXT);
    if (mark < 0) throw new SealError("CANNOT_EMIT", "internal: the binary envelope lost its data", { hint: "please report this as a sealfile bug" });
    const cut = mark + 1;
    const out = new Uint8Array(rest.length - HOLE_MARK.length + holeLength);
    out.set(rest.subarray(0, cut));
    out.set(rest.subarray(cut + HOLE_MARK.length), cut + holeLength);
    return { out, at: cut };
  }

  /**
   * The raw bytes of `data`, with nothing added: for a `bytes` value its own buffer, not a copy (a file may
   * be hundreds of MB), so wiping the result wipes the tree's value.
   * @throws SealError CANNOT_EMIT unless there is exactly one branch (a multi-document YAML file has
   * several: sops refuses too) holding a `data` string.
   */
  emitPlain(tree: Tree): Uint8Array {
    if (tree.branches.length !== 1) {
      throw new SealError("CANNOT_EMIT", `cannot write ${tree.branches.length} documents as one binary file: there must be exactly one`, {
        hint: "this is likely not an encrypted binary file; use --output-type to choose the output format",
      });
    }
    const branch = tree.branches[0];
    const data = branch?.items.find((it) => it.kind === "entry" && it.key === "data");
    if (data === undefined || data.kind !== "entry") {
      throw new SealError("CANNOT_EMIT", "no binary data found in tree (a binary file needs a top-level `data` key)", {
        hint: "use --output-type to write structured data in another format",
      });
    }
    const v = data.value;
    if (v.kind === "str") return encoder.encode(v.value);
    if (v.kind === "bytes") return v.value;
    throw new SealError("CANNOT_EMIT", "the `data` key of a binary file must hold a string", {
      hint: "this is likely not an encrypted binary file; use --output-type to choose the output format",
    });
  }

  /** The JSON envelope with its metadata. */
  emitEncrypted(tree: Tree): Uint8Array {
    return this.#json.emitEncrypted(tree);
  }

  /** @throws SealError CANNOT_EMIT always: a binary file has no structure to extract from (as sops). */
  emitValue(_node: Node): Uint8Array {
    throw new SealError("CANNOT_EMIT", "binary files are not structured; extracting a single value is not possible");
  }
}
