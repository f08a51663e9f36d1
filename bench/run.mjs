// `npm run bench`: every benchmark, each printed as a ratio to a floor measured in the same run.
import { rmSync } from "node:fs";
import { benchStartup } from "./startup.mjs";
import { benchLargeYaml } from "./large-yaml.mjs";
import { benchYamlRoundTrip } from "./yaml-roundtrip.mjs";
import { benchGuard } from "./guard.mjs";
import { benchGuardHistory } from "./guard-history.mjs";
import { benchExec } from "./exec.mjs";
import { benchGitOps } from "./git-ops.mjs";
import { benchGitLog } from "./git-log.mjs";
import { benchLeanInstall } from "./lean-install.mjs";
import { benchKmsStartup } from "./kms-startup.mjs";
import { benchLargeValues } from "./large-values.mjs";

console.log(`sealfile benchmarks — node ${process.version}, ${new Date().toISOString()}\n`);
const ctx = await benchStartup();
try {
  await benchLargeYaml(ctx);
  await benchYamlRoundTrip(ctx);
  await benchGuard(ctx);
  await benchGuardHistory(ctx);
  await benchExec(ctx);
  await benchGitOps(ctx);
  await benchGitLog(ctx);
  await benchKmsStartup(ctx);
  await benchLargeValues(ctx);
  await benchLeanInstall(ctx);
} finally {
  rmSync(ctx.dir, { recursive: true, force: true });
}
