import { benchStartup } from "./startup.mjs";
import { benchYamlRoundTrip } from "./yaml-roundtrip.mjs";
import { benchLargeYaml } from "./large-yaml.mjs";
import { rmSync } from "node:fs";
const ctx = await benchStartup();
try { await benchYamlRoundTrip(ctx); if (process.argv[2]) await benchLargeYaml(ctx); } finally { rmSync(ctx.dir, { recursive: true, force: true }); }
