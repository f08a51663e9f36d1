// The main job's demo: generate an age key in a temp folder, encrypt examples/secrets.yaml with it,
// show the sealed file, decrypt it, and run the example app with the secrets in its environment.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = join(root, "bin/secrets.js");
const work = mkdtempSync(join(tmpdir(), "sealfile-demo-"));
const keys = join(work, "keys.txt");
const env = { ...process.env, SOPS_AGE_KEY_FILE: keys };

function secrets(args, opts = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], { env, encoding: "utf8", ...opts });
  if (r.status !== 0) {
    process.stderr.write(r.stderr);
    throw new Error(`secrets ${args[0]} failed with exit ${r.status}`);
  }
  return r;
}

function step(title) {
  console.log(`\n\x1b[1m== ${title}\x1b[0m`);
}

try {
  step("1. secrets keygen (an age identity, in a temp folder)");
  const recipient = secrets(["keygen", "-o", keys]).stdout.trim();
  console.log(`recipient: ${recipient}`);

  step("2. secrets encrypt examples/secrets.yaml (only values are encrypted)");
  const sealedPath = join(work, "secrets.enc.yaml");
  const sealed = secrets(["encrypt", "--age", recipient, join(root, "examples/secrets.yaml")]).stdout;
  writeFileSync(sealedPath, sealed);
  console.log(sealed.split("\n").map((l) => (l.length > 100 ? `${l.slice(0, 97)}...` : l)).join("\n"));

  step("3. secrets decrypt (gives back the original text)");
  const plain = secrets(["decrypt", sealedPath]).stdout;
  console.log(plain);
  console.log(plain === readFileSync(join(root, "examples/secrets.yaml"), "utf8") ? "round trip: identical" : "round trip: DIFFERENT");

  step("4. secrets exec -- node examples/app/print-config.mjs (secrets only in the child's environment)");
  process.stdout.write(secrets(["exec", "-f", sealedPath, "--", process.execPath, join(root, "examples/app/print-config.mjs")]).stdout);
} finally {
  rmSync(work, { recursive: true, force: true });
}
