// Test editor: records its pid and the file it got in $EDIT_MARKER, then waits until it is killed.
import { writeFileSync } from "node:fs";
writeFileSync(process.env.EDIT_MARKER, `${process.pid}\n${process.argv[2]}`);
setInterval(() => {}, 1000);
