/**
 * Owns: handing out node:net to src/exec (a socket over a named pipe for --file-env). The CLI bundles swap this
 * module for one that loads it on the first call (scripts/build.mjs), so plain `exec` never loads it.
 */
import * as net from "node:net";

export const nets = (): typeof net => net;
