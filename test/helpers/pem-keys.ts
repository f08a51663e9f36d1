/**
 * Owns: fresh private keys as PEM text for tests. The key-generation job encodes the key itself: on Node 20,
 * exporting a KeyObject that generateKeyPairSync returned can deadlock the thread when a garbage collection
 * finalizes the generation job during the export (see src/keys/_age-x25519.ts).
 */
import { generateKeyPairSync } from "node:crypto";

export function rsaPem(encoding: "pkcs1" | "pkcs8", modulusLength = 2048): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", {
    modulusLength,
    privateKeyEncoding: { type: encoding, format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  return { privatePem: privateKey, publicPem: publicKey };
}

export function ed25519Pem(): string {
  return generateKeyPairSync("ed25519", {
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  }).privateKey;
}
