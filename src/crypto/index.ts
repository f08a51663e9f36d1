/** Owns: the public face of src/crypto (value cipher, scalar codec, MAC, IV stash, Shamir, randomness, wiping). */
export { randomBytes, setRandomSource } from "./random.js";
export type { RandomSource } from "./random.js";
export {
  decodeComment,
  decodeScalar,
  encodeScalar,
  formatGoFloat,
  formatGoFloatG,
  parseGoFloat,
  utf8,
} from "./scalar-codec.js";
export type { ValueType } from "./scalar-codec.js";
export {
  getCipherBackend,
  isEnvelope,
  openEnvelope,
  parseEnvelope,
  sealBytes,
  sealScalar,
  setCipherBackend,
} from "./value-cipher.js";
export type { CipherBackendName, EnvelopeParts } from "./value-cipher.js";
export { IvStash } from "./iv-stash.js";
export {
  MAC_ONLY_ENCRYPTED_SEED,
  MacHasher,
  formatLastModified,
  macAad,
  macsEqual,
  openMac,
  sealMac,
} from "./mac.js";
export { combineShares, splitSecret } from "./shamir.js";
export { wipe } from "./wipe.js";
