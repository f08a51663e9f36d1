/** Owns: `import "sealfile/config"` — fills process.env from encrypted files at start-up (filled in by the exec work). */
export {};
