// Test editor: changes the file, then exits with status 3 (an editor that failed).
import { appendFileSync } from "node:fs";
appendFileSync(process.argv[2], "extra: 1\n");
process.exit(3);
