// Preloaded (node -r) into both sides of a memory comparison: on exit, writes the process's peak resident
// set size in KiB to file descriptor 3, which bench/lib.mjs's peakMemory opens as a pipe.
"use strict";
process.on("exit", () => {
  try {
    require("node:fs").writeSync(3, String(process.resourceUsage().maxRSS));
  } catch {
    // fd 3 not open: not run by the bench
  }
});
