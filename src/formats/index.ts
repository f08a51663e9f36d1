/**
 * Owns: choosing a store for a file, exactly as sops does (explicit type, else the extension; anything
 * unknown is binary), and the public face of the formats folder.
 */
import { SealError } from "../errors.js";
import { BinaryStore } from "./binary.js";
import { DotenvStore } from "./dotenv.js";
import { IniStore } from "./ini.js";
import { JsonStore } from "./json.js";
import { TomlStore } from "./toml.js";
import type { FormatName, Store, StoreOptions } from "./types.js";
import { YamlStore } from "./yaml.js";

export type { FormatName, MetadataLayout, Store, StoreOptions } from "./types.js";
export { flattenMap, unflattenPairs } from "./flatten.js";
export { valueToString } from "./_value-to-string.js";

const FORMAT_NAMES: readonly FormatName[] = ["yaml", "json", "dotenv", "ini", "binary", "toml"];

/** Aliases users type for `--input-type`/`--output-type`. */
const ALIASES: Record<string, FormatName> = { yml: "yaml", env: "dotenv" };

/** The format of `path` by its extension: `.yaml`/`.yml`, `.json`, `.env`, `.ini`, `.toml`, else binary. */
export function formatFromPath(path: string): FormatName {
  const lower = path.toLowerCase();
  if (lower.endsWith(".yaml") || lower.endsWith(".yml")) return "yaml";
  if (lower.endsWith(".json")) return "json";
  if (lower.endsWith(".env")) return "dotenv";
  if (lower.endsWith(".ini")) return "ini";
  if (lower.endsWith(".toml")) return "toml";
  return "binary";
}

/**
 * Resolves a `--input-type`/`--output-type` value. sops silently falls back to the extension for unknown
 * names; we say so instead of guessing.
 * @throws SealError USAGE for an unknown name.
 */
export function parseFormatName(name: string): FormatName {
  const n = ALIASES[name] ?? name;
  if ((FORMAT_NAMES as readonly string[]).includes(n)) return n as FormatName;
  throw new SealError("USAGE", `unknown file type "${name}"`, { hint: `use one of ${FORMAT_NAMES.join(", ")}` });
}

/** The format to use: the explicit type when given, else the path's extension. */
export function chooseFormat(explicit: string | undefined, path: string | undefined): FormatName {
  if (explicit) return parseFormatName(explicit);
  return path === undefined ? "binary" : formatFromPath(path);
}

/** A store for `format`. */
export function storeFor(format: FormatName, options: StoreOptions = {}): Store {
  switch (format) {
    case "yaml":
      return new YamlStore(options);
    case "json":
      return new JsonStore(options);
    case "dotenv":
      return new DotenvStore(options);
    case "ini":
      return new IniStore();
    case "binary":
      return new BinaryStore(options);
    case "toml":
      return new TomlStore(options);
  }
}

/**
 * The format an encrypted file is really in: sops encrypts `.toml` files as binary (a JSON envelope, which
 * no TOML document can be, as TOML cannot start with `{`), so such a file still opens as binary.
 */
export function sealedFormatOf(format: FormatName, bytes: Uint8Array): FormatName {
  if (format !== "toml") return format;
  let i = 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
  return bytes[i] === 0x7b ? "binary" : format;
}
