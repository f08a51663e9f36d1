// The README's main job: the demo runs end to end on a fresh machine (temp key, encrypt, decrypt, exec).
import { expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ROOT, tempHome } from "../helpers/cli.js";

it("npm run demo's script encrypts, decrypts and runs the example app", () => {
  const home = tempHome();
  try {
    const r = spawnSync(process.execPath, [join(ROOT, "examples/demo.mjs")], { env: { PATH: process.env.PATH, HOME: home.dir }, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("round trip: identical");
    expect(r.stdout).toMatch(/password: ENC\[AES256_GCM,/);
    expect(r.stdout).toMatch(/DATABASE_PASSWORD\s+\*+ \(28 chars\)/);
    expect(r.stdout).not.toContain("(missing)");
  } finally {
    home.cleanup();
  }
});
