/**
 * Owns: handing out the library YAML reader (_yaml-parse.ts, and through it the `yaml` package). The CLI
 * bundles swap this module for one that loads the reader on the first call (scripts/build.mjs): most files
 * are read by the fast reader, and a command that never needs the library never compiles or runs it.
 */
import * as yamlParse from "./_yaml-parse.js";

export const libraryReader = (): typeof yamlParse => yamlParse;
