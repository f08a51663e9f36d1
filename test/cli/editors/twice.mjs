// Test editor: the first run writes invalid YAML, the next one a valid change (state kept in $EDIT_COUNTER).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
const file = process.argv[2];
const n = existsSync(process.env.EDIT_COUNTER) ? Number(readFileSync(process.env.EDIT_COUNTER, "utf8")) : 0;
writeFileSync(process.env.EDIT_COUNTER, String(n + 1));
writeFileSync(file, n === 0 ? "key0001: [broken\n" : readFileSync(file, "utf8").replace("[broken", "fixed-after-reopen"));
