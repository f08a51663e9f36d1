// Start-up: `secrets --version` and `secrets decrypt` of a small age file (alone, and in a folder with a
// .sops.yaml), against `node -e 0` run in turn with them, in time and in peak memory. The user's environment
// is passed through unchanged (only the age key file is added).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { BIN, STARTUP_ROUNDS, peakMemory, report, timeInterleaved } from "./lib.mjs";

export async function benchStartup() {
  const dir = mkdtempSync(join(tmpdir(), "sealfile-bench-"));
  try {
    const keys = join(dir, "keys.txt");
    const env = { ...process.env, SOPS_AGE_KEY_FILE: keys };
    const recipient = spawnSync(process.execPath, [BIN, "keygen", "-o", keys], { env, encoding: "utf8" }).stdout.trim();
    const plain = join(dir, "small.yaml");
    writeFileSync(plain, "db:\n    user: app\n    password: hunter2\n    port: 5432\napi_token: abc123\n");
    const sealed = spawnSync(process.execPath, [BIN, "encrypt", "--age", recipient, plain], { env, encoding: "utf8" }).stdout;
    const enc = join(dir, "small.enc.yaml");
    writeFileSync(enc, sealed);

    // As in a repository: a .sops.yaml with a creation rule next to the file.
    const repo = join(dir, "repo");
    mkdirSync(repo);
    writeFileSync(join(repo, ".sops.yaml"), `creation_rules:\n  - path_regex: \\.enc\\.yaml$\n    age: ${recipient}\n`);
    writeFileSync(join(repo, "small.enc.yaml"), sealed);

    const [floor, version, decrypt, inRepo] = timeInterleaved([
      { argv: [process.execPath, "-e", "0"] },
      { argv: [process.execPath, BIN, "--version"], env },
      { argv: [process.execPath, BIN, "decrypt", enc], env },
      { argv: [process.execPath, BIN, "decrypt", join(repo, "small.enc.yaml")], env, cwd: repo },
    ], { runs: STARTUP_ROUNDS });
    report("node -e 0", floor, "node -e 0", floor);
    report("secrets --version", version, "node -e 0", floor, 1.15);
    report("secrets decrypt (small age file)", decrypt, "node -e 0", floor, 1.3);
    report("secrets decrypt (same, with a .sops.yaml)", inRepo, "node -e 0", floor, 1.3);
    const floorMem = peakMemory(["-e", "0"], { env });
    report("peak memory: node -e 0", floorMem, "node -e 0", floorMem, undefined, "MiB");
    report("peak memory: secrets decrypt (small file)", peakMemory([BIN, "decrypt", enc], { env }), "node -e 0", floorMem, 1.3, "MiB");
    return { dir, env, enc, recipient, floor };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
