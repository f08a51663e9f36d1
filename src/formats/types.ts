/**
 * Owns: the contract every file format implements: bytes ⇄ tree, and where its `sops` metadata sits.
 * Stores translate only; encryption, the MAC and metadata decoding happen elsewhere.
 */
import type { Node, Tree } from "../tree/index.js";

export type FormatName = "yaml" | "json" | "dotenv" | "ini" | "binary" | "toml";

/**
 * How the `sops` metadata block is laid out in a format:
 * - `nested`: a `sops` key holding a map, appended after the data keys of every branch (YAML, JSON, binary);
 * - `prefixed`: flattened top-level keys starting `sops_` (dotenv);
 * - `section`: a `sops` section holding flattened keys without prefix (INI).
 */
export type MetadataLayout = "nested" | "prefixed" | "section";

export interface StoreOptions {
  /** Indent for YAML (default 4) and JSON (-1 = one tab, the default; 0 = newlines only; N = N spaces). */
  indent?: number;
  /** Grammar of plaintext `.env` files: the `dotenv` package's (default) or sops's raw lines. */
  dotenvGrammar?: "dotenv" | "sops";
}

export interface Store {
  readonly name: FormatName;
  readonly metadataLayout: MetadataLayout;
  /**
   * Parses a plaintext file (binary: the whole file becomes `{data: …}`).
   * @throws SealError BAD_SYNTAX with line and column where the text is malformed.
   */
  parsePlain(src: Uint8Array): Tree;
  /** Parses an encrypted file, metadata included (binary: its JSON envelope). */
  parseEncrypted(src: Uint8Array): Tree;
  /** Emits a decrypted tree (binary: the raw bytes of `data`). */
  emitPlain(tree: Tree): Uint8Array;
  /** Emits an encrypted tree whose metadata has already been put in place. */
  emitEncrypted(tree: Tree): Uint8Array;
  /** Emits one value for `decrypt --extract` (a map as a document; other values as the store writes them). */
  emitValue(node: Node): Uint8Array;
}
