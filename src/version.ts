/** Owns: the package version, inlined at build time so `--version` reads no file. */
declare const __SEALFILE_VERSION__: string | undefined;
export const VERSION: string = typeof __SEALFILE_VERSION__ === "string" ? __SEALFILE_VERSION__ : "0.0.0-dev";
