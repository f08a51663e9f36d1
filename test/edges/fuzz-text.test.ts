// Issue 14 acceptance 2: the fuzzer (fuzz-harness.ts) on yaml and json.
import { defineFuzz } from "./fuzz-harness.js";

defineFuzz(["yaml", "json"]);
