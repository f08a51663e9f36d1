/** Owns: the public face of the format-neutral tree. */
export * from "./node.js";
export * from "./walk.js";
export * from "./plain.js";
export * from "./path.js";
