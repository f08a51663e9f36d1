/** Owns: a throw-away GnuPG home for tests (0700, optionally with sops's PGP test key imported) and running Debian's gpg in it. */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FIXTURES } from "./cli.js";
import { hasGpg } from "./tools.js";

/** sops's functional-test key pair (public on purpose); the PGP-only fixtures are wrapped for it. */
export const SOPS_TEST_KEY = join(FIXTURES, "pgp/sops_functional_tests_key.asc");
export const SOPS_TEST_FP = "FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4";

export interface GnupgHome {
  readonly dir: string;
  gpg(args: string[], input?: string | Uint8Array): { code: number; stdout: Buffer; stderr: string };
  cleanup(): void;
}

export function tempGnupgHome(importKeys: string[] = []): GnupgHome {
  const dir = mkdtempSync(join(tmpdir(), "sealfile-gnupg-"));
  chmodSync(dir, 0o700);
  const gpg = (args: string[], input: string | Uint8Array = ""): { code: number; stdout: Buffer; stderr: string } => {
    const r = spawnSync("gpg", ["--homedir", dir, "--batch", ...args], { input, env: { ...process.env, GNUPGHOME: dir } });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr.toString("utf8") };
  };
  // Without gpg the home stays empty; the tests that need gpg skip (test/helpers/tools.ts hasGpg).
  for (const k of hasGpg ? importKeys : []) {
    const r = gpg(["--import", k]);
    if (r.code !== 0) throw new Error(`gpg --import ${k}: ${r.stderr}`);
  }
  return {
    dir,
    gpg,
    cleanup: () => {
      spawnSync("gpgconf", ["--homedir", dir, "--kill", "all"], { env: { ...process.env, GNUPGHOME: dir } });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
