/**
 * Owns: handing out node:child_process to src/exec. The CLI bundles swap this module for one that loads it
 * on the first call (scripts/build.mjs): a child with inherited stdio starts without it (_process-handle.ts).
 */
import * as childProcess from "node:child_process";

export const childProcesses = (): typeof childProcess => childProcess;
