/** Owns: what the whole test run needs once: the worker bundle that runs CLI command lines in-process. */
import { buildCliWorker } from "./helpers/cli-worker-build.js";

export default async function setup(): Promise<void> {
  await buildCliWorker();
}
