/**
 * Owns: handing out node:stream to src/exec (the --mask filter). The CLI bundles swap this module for one that
 * loads it on the first call (scripts/build.mjs), so `exec` without --mask never loads it.
 */
import * as nodeStream from "node:stream";

export const streams = (): typeof nodeStream => nodeStream;
