/**
 * Owns: the binary store — any other file is one value, `{data: <the whole file>}`, kept in a JSON envelope
 * when encrypted (sops stores/json/store.go BinaryStore). Decrypting gives back the exact bytes.
 */
import { SealError } from "../errors.js";
import type { Node, Scalar, Tree } from "../tree/index.js";
import { JsonStore } from "./json.js";
import type { Store, StoreOptions } from "./types.js";

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

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
   * The raw bytes of `data`, with nothing added.
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
    if (v.kind === "bytes") return Uint8Array.from(v.value);
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
