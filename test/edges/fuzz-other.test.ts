// Issue 14 acceptance 2: the fuzzer (fuzz-harness.ts) on binary and toml, with its findings and the real-process sample.
import { defineFuzz } from "./fuzz-harness.js";

defineFuzz(["binary", "toml"], true);
