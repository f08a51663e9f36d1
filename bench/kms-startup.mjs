// Issue 3, acceptance 6: `secrets decrypt` of an age-only file must not get slower because the cloud SDKs are
// installed. Two copies of the built package (bin/, dist/, package.json) are made side by side in a temp folder:
// one whose node_modules links every installed package, one without @aws-sdk, @smithy, @google-cloud, google-gax,
// google-auth-library, @grpc and @azure (the state before this change). Their runs are interleaved, with `node -e 0`,
// so machine load hits all three alike. A module trace also checks that the installed CLI resolves no SDK module at all.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { BIN, ROOT, report, timeInterleaved } from "./lib.mjs";

const SDK_DIRS = new Set(["@aws-sdk", "@smithy", "@google-cloud", "google-gax", "google-auth-library", "@grpc", "@azure"]);
const SDK_PATH = /node_modules\/(@aws-sdk|@smithy|@google-cloud|google-gax|google-auth-library|@grpc|@azure)\//;
const RUNS = 31;

/** A copy of the package whose node_modules links every installed package, or all but the cloud SDKs. */
function packageCopy(dir, name, withSdks) {
  const pkg = join(dir, name);
  rmSync(pkg, { recursive: true, force: true });
  mkdirSync(join(pkg, "node_modules"), { recursive: true });
  cpSync(join(ROOT, "bin"), join(pkg, "bin"), { recursive: true });
  cpSync(join(ROOT, "dist"), join(pkg, "dist"), { recursive: true });
  cpSync(join(ROOT, "package.json"), join(pkg, "package.json"));
  for (const entry of readdirSync(join(ROOT, "node_modules"))) {
    if ((!withSdks && SDK_DIRS.has(entry)) || entry === ".bin") continue;
    symlinkSync(join(ROOT, "node_modules", entry), join(pkg, "node_modules", entry));
  }
  return { pkg, bin: join(pkg, "bin", "secrets.js") };
}

/** True when `node` started in `cwd` can resolve the AWS SDK. */
function resolvesSdk(cwd) {
  return spawnSync(process.execPath, ["-e", "require.resolve('@aws-sdk/client-kms')"], { cwd, stdio: "ignore" }).status === 0;
}

/** The SDK modules an age-only decrypt resolves (should be none). */
function sdkModulesLoaded(dir, enc, env) {
  const out = join(dir, "kms-startup-trace.txt");
  const r = spawnSync(process.execPath, [BIN, "decrypt", enc], {
    env: { ...env, NODE_OPTIONS: `--import=${join(ROOT, "test/helpers/module-trace.mjs")}`, SEALFILE_MODULE_TRACE: out },
    stdio: ["ignore", "ignore", "pipe"],
  });
  if (r.status !== 0 || !existsSync(out)) throw new Error(`traced decrypt failed (${r.status}): ${r.stderr}`);
  return readFileSync(out, "utf8").split("\n").filter((m) => SDK_PATH.test(m));
}

export async function benchKmsStartup(ctx) {
  const { dir, env, enc } = ctx;
  const installed = packageCopy(dir, "with-sdks", true);
  const absent = packageCopy(dir, "without-sdks", false);
  try {
    if (!resolvesSdk(join(installed.pkg, "dist")) || resolvesSdk(join(absent.pkg, "dist"))) {
      throw new Error("the package copies do not differ in whether the AWS SDK can be found");
    }
    // node -e 0 runs in the same rounds: the start-up section's floor was measured minutes earlier.
    const [floor, before, after] = timeInterleaved(
      [{ argv: [process.execPath, "-e", "0"] }, ...[absent, installed].map(({ bin }) => ({ argv: [process.execPath, bin, "decrypt", enc], env }))],
      { runs: RUNS },
    );
    report("secrets decrypt (age), cloud SDKs absent", before, "node -e 0", floor);
    report("secrets decrypt (age), cloud SDKs installed", after, "SDKs absent", before, 1.05);
    const loaded = sdkModulesLoaded(dir, enc, env);
    const verdict = loaded.length === 0 ? "ok (target 0)" : `OVER: ${loaded.slice(0, 3).join(", ")}`;
    console.log(`${"SDK modules resolved by an age-only decrypt".padEnd(46)} ${String(loaded.length).padStart(9)}     ${verdict}`);
  } finally {
    rmSync(installed.pkg, { recursive: true, force: true });
    rmSync(absent.pkg, { recursive: true, force: true });
  }
}
