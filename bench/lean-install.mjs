// The lean install: the packed tarball installed into an empty project with `npm install --omit=optional
// --ignore-scripts` (no cloud SDKs, no lifecycle script). Prints the size of node_modules (target ≤ 25 MB) and
// checks that `npx secrets --version` and an age-only decrypt work there, and that a KMS file names the missing SDK.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync, lstatSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./lib.mjs";

const TARGET_MB = 25;

function sizeOf(path) {
  const st = lstatSync(path);
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((sum, e) => sum + sizeOf(join(path, e)), 0);
}

function line(name, value, verdict) {
  console.log(`${name.padEnd(46)} ${String(value).padStart(9)}     ${verdict}`);
}

export async function benchLeanInstall(ctx) {
  const dir = join(ctx.dir, "lean");
  const project = join(dir, "project");
  mkdirSync(project, { recursive: true });
  const npm = (args, cwd) => {
    const r = spawnSync("npm", args, { cwd, env: ctx.env, encoding: "utf8", maxBuffer: 1 << 26 });
    if (r.status !== 0) throw new Error(`npm ${args[0]} failed: ${r.stderr}`);
    return r.stdout;
  };
  const packed = JSON.parse(npm(["pack", "--ignore-scripts", "--json", "--pack-destination", dir], ROOT))[0];
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "lean-check", version: "1.0.0", private: true }));
  npm(["install", "--omit=optional", "--ignore-scripts", "--no-audit", "--no-fund", join(dir, packed.filename)], project);
  const mb = sizeOf(join(project, "node_modules")) / 1e6;
  line("lean install: node_modules (MB)", mb.toFixed(1), mb <= TARGET_MB ? `ok (target ≤ ${TARGET_MB} MB)` : `OVER target ${TARGET_MB} MB`);
  const sdkLeft = ["@aws-sdk", "@google-cloud", "@azure"].filter((d) => statSync(join(project, "node_modules", d), { throwIfNoEntry: false }));
  line("lean install: cloud SDK folders present", sdkLeft.length, sdkLeft.length === 0 ? "ok (target 0)" : `OVER: ${sdkLeft.join(", ")}`);

  const npx = (args) => {
    const r = spawnSync("npx", ["--no-install", "secrets", ...args], { cwd: project, env: ctx.env, encoding: "utf8" });
    return { status: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? String(r.error) };
  };
  const version = npx(["--version"]);
  const expected = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version;
  line("lean install: npx secrets --version", version.stdout.trim() || `exit ${version.status}: ${version.stderr.slice(0, 200)}`, version.stdout.trim() === expected ? "ok" : "FAILED");
  const dec = npx(["decrypt", ctx.enc]);
  line("lean install: age-only decrypt", `exit ${dec.status}`, dec.status === 0 && dec.stdout.includes("hunter2") ? "ok" : `FAILED: ${dec.stderr.slice(0, 200)}`);
  // The same file with its age entry swapped for an AWS KMS one: only the missing SDK could open it.
  const kmsOnly = readFileSync(ctx.enc, "utf8").replace(/^ {4}age:\n(?: {8}.*\n| {10}.*\n)+/m,
    "    kms:\n        - arn: arn:aws:kms:eu-west-1:111122223333:key/lean\n          created_at: \"2026-01-01T00:00:00Z\"\n          enc: AQICAHhfake\n          aws_profile: \"\"\n");
  const kmsFile = join(dir, "kms-only.enc.yaml");
  writeFileSync(kmsFile, kmsOnly);
  const kms = npx(["decrypt", kmsFile]);
  const named = kms.status !== 0 && kms.stderr.includes("@aws-sdk/client-kms");
  line("lean install: KMS decrypt names the SDK", `exit ${kms.status}`, named ? "ok" : `FAILED: ${kms.stderr.slice(0, 300)}`);
}
