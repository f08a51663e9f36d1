/**
 * Owns: handing out noble's ChaCha20-Poly1305 to the SSH and passphrase-file age stanzas, which few files have.
 * The CLI bundles swap this module for one that loads it on the first call (scripts/build.mjs).
 */
import * as nobleChacha from "@noble/ciphers/chacha.js";

export const chacha = (): typeof nobleChacha => nobleChacha;
