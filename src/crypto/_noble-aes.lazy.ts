/**
 * Owns: handing out noble's AES to the `noble` GCM backend, which only tests and the portable mode select.
 * The CLI bundles swap this module for one that loads it on the first call (scripts/build.mjs).
 */
import * as nobleAes from "@noble/ciphers/aes.js";

export const aes = (): typeof nobleAes => nobleAes;
