// `npm run bench`: every benchmark, each printed as a ratio to a floor measured in the same run.
import { rmSync } from "node:fs";
import { benchStartup } from "./startup.mjs";
import { benchLargeYaml } from "./large-yaml.mjs";

console.log(`sealfile benchmarks — node ${process.version}, ${new Date().toISOString()}\n`);
const ctx = await benchStartup();
try {
  await benchLargeYaml(ctx);
} finally {
  rmSync(ctx.dir, { recursive: true, force: true });
}
