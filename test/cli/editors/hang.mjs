// Test editor: records its pid and the file it got in $EDIT_MARKER, then waits until it is killed.
// The marker appears whole (written aside, then renamed), so a test polling for it never reads half of it.
import { renameSync, writeFileSync } from "node:fs";
writeFileSync(`${process.env.EDIT_MARKER}.part`, `${process.pid}\n${process.argv[2]}`);
renameSync(`${process.env.EDIT_MARKER}.part`, process.env.EDIT_MARKER);
setInterval(() => {}, 1000);
