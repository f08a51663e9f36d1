// Test editor: replaces the text in $EDIT_FROM with $EDIT_TO in the file it is given.
import { readFileSync, writeFileSync } from "node:fs";
const file = process.argv[2];
writeFileSync(file, readFileSync(file, "utf8").replace(process.env.EDIT_FROM ?? "", process.env.EDIT_TO ?? ""));
