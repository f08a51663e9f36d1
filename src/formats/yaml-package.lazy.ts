/**
 * Owns: handing out the `yaml` package to code outside the YAML store (`.sops.yaml` reading). The CLI
 * bundles swap this module for one that loads the package on the first call (scripts/build.mjs).
 */
import * as yaml from "yaml";

export const yamlPackage = (): typeof yaml => yaml;
