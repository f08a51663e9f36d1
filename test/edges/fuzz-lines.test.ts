// Issue 14 acceptance 2: the fuzzer (fuzz-harness.ts) on dotenv and ini.
import { defineFuzz } from "./fuzz-harness.js";

defineFuzz(["dotenv", "ini"]);
