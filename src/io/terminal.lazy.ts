/**
 * Owns: handing out node:tty, which loads Node's socket code with it. The CLI bundles swap this module for
 * one that loads it on the first call (scripts/build.mjs): only prompts, progress bars and help pages need it.
 */
import * as tty from "node:tty";

export const terminals = (): typeof tty => tty;
