/**
 * Owns: handing out node:stream to the CLI's own streams and to exec's --mask filter. The CLI bundles swap this
 * module for one that loads it on the first call (scripts/build.mjs): a command that writes only document bytes,
 * or an exec without --mask, never needs it.
 */
import * as nodeStream from "node:stream";

export const streams = (): typeof nodeStream => nodeStream;
