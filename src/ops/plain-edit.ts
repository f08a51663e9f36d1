/**
 * Owns: the byte side of `secrets edit` — the plaintext shown to the editor (optionally with the `sops`
 * block for reference), turning the edited text back into the encrypted file with unchanged values keeping
 * their ciphertext, and the small template a new file starts from. No processes, no temp files.
 */
import { SealError } from "../errors.js";
import type { FormatName, Store } from "../formats/index.js";
import { encodeMetadata, extractMetadata, hasMetadata, insertMetadata } from "../metadata.js";
import type { OpenedDocument } from "../document/index.js";
import { cloneTree } from "../tree/index.js";
import { resealToBytes } from "./sealed-file.js";
import type { RuleCheck } from "./creation-rule.js";

const TEMPLATES: Record<FormatName, string> = {
  yaml: "# New file: keys stay readable, values are encrypted when you save.\nexample_key: example_value\nexample_list:\n    - one\n    - two\n",
  json: '{\n\t"example_key": "example_value"\n}\n',
  dotenv: "EXAMPLE_KEY=example_value\n",
  ini: "[example]\nkey = value\n",
  toml: "[example]\nkey = \"value\"\n",
  binary: "",
};

/** What a new file starts as in the editor. */
export function templateFor(format: FormatName): Uint8Array {
  return Buffer.from(TEMPLATES[format], "utf8");
}

/** The plaintext the editor gets; with `showMetadata` the `sops` block is included for reference. */
export function plainForEditing(doc: OpenedDocument, store: Store, showMetadata: boolean): Uint8Array {
  if (!showMetadata || store.name === "binary") return store.emitPlain(doc.plain);
  const withMd = cloneTree(doc.plain);
  insertMetadata(withMd, doc.metadata, store.metadataLayout);
  return store.emitPlain(withMd);
}

/**
 * Re-encrypts edited plaintext into the opened document: its data key and recipients, and the ciphertext of
 * every value whose path, type and plaintext did not change.
 * @returns the new file and warnings (e.g. ignored changes to the shown `sops` block).
 * @throws SealError BAD_SYNTAX with the line/column of the problem, or when a top-level `sops` key was added;
 *         WEAK_ENCRYPTION_RULE when `rule` holds the file to a creation rule its `sops` block falls short of.
 */
export function sealEdited(
  doc: OpenedDocument,
  store: Store,
  edited: Uint8Array,
  showMetadata: boolean,
  rule?: { readonly check: RuleCheck | undefined; readonly file?: string | undefined },
): { bytes: Uint8Array; warnings: string[] } {
  const plain = store.parsePlain(edited);
  const warnings: string[] = [];
  if (store.name !== "binary" && hasMetadata(plain, store.metadataLayout)) {
    if (!showMetadata) {
      throw new SealError("BAD_SYNTAX", "the top-level key `sops` is reserved for the metadata block", { hint: "rename that key" });
    }
    let shown;
    try {
      shown = extractMetadata(plain, store.metadataLayout);
    } catch {
      shown = null;
    }
    if (!shown || JSON.stringify(encodeMetadata(shown)) !== JSON.stringify(encodeMetadata(doc.metadata))) {
      warnings.push("changes to the sops block are ignored; use `secrets updatekeys` or `secrets rotate` to change recipients");
    }
  } else if (showMetadata && store.name !== "binary") {
    warnings.push("the sops block was removed in the editor; it is kept unchanged");
  }
  return { bytes: resealToBytes(doc, plain, store, rule), warnings };
}
