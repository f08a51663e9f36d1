/**
 * Owns: handing out smol-toml to the TOML store. The CLI bundles swap this module for one that loads the
 * package on the first call (scripts/build.mjs), so commands on other formats never compile or run it.
 */
import * as smolToml from "smol-toml";

export const tomlPackage = (): typeof smolToml => smolToml;
