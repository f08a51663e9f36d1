// Acceptance: what `secrets encrypt` writes, an independent implementation reads — Debian's `age -d`
// opens the data key stanza, and a MAC re-derivation written here, apart from src/, agrees.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { createDecipheriv, createHash } from "node:crypto";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { baseEnv, runSecrets, tempHome } from "../helpers/cli.js";
import { hasAge, noteMissing } from "../helpers/tools.js";

noteMissing("age", hasAge, "the independent readers that open our stanzas with `age -d`");
const home = tempHome();
const dir = mkdtempSync(join(tmpdir(), "sealfile-interop-"));
const keys = join(dir, "keys.txt");
let recipient = "";
afterAll(() => {
  home.cleanup();
  rmSync(dir, { recursive: true, force: true });
});
beforeAll(() => {
  recipient = runSecrets(["keygen", "-o", keys], { env: baseEnv(home.dir) }).stdout.trim();
});

const ENC_RE = /^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]$/;

/** AES-256-GCM open with the 32-byte IV, written from the sops format notes only. */
function openValue(envelope: string, key: Buffer, aad: string): { bytes: Buffer; type: string } {
  const m = ENC_RE.exec(envelope);
  if (!m) throw new Error("not an envelope");
  const d = createDecipheriv("aes-256-gcm", key, Buffer.from(m[2]!, "base64"));
  d.setAAD(Buffer.from(aad, "utf8"));
  d.setAuthTag(Buffer.from(m[3]!, "base64"));
  return { bytes: Buffer.concat([d.update(Buffer.from(m[1]!, "base64")), d.final()]), type: m[4]! };
}

/** Walks a JSON document the way sops does: map keys form the path, list indices do not. */
function walk(v: unknown, path: string[], key: Buffer, hash: ReturnType<typeof createHash>): void {
  if (Array.isArray(v)) return v.forEach((x) => walk(x, path, key, hash));
  if (v && typeof v === "object") {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) walk(x, [...path, k], key, hash);
    return;
  }
  if (typeof v === "string" && ENC_RE.test(v)) hash.update(openValue(v, key, `${path.join(":")}:`).bytes);
  else if (typeof v === "string") hash.update(v);
}

describe.skipIf(!hasAge)("independent readers", () => {
  it("age -d opens the stanza to the 32-byte data key, and the MAC re-derives", () => {
    const env = baseEnv(home.dir, { SOPS_AGE_KEY_FILE: keys });
    const src = join(dir, "data.json");
    writeFileSync(src, JSON.stringify({ db: { user: "app", password: "hunter2" }, list: ["a", { inner: "b" }], n: 7, on: true, f: 1.5, "plain_unencrypted": "clear" }));
    const enc = runSecrets(["encrypt", "--age", recipient, src], { env });
    expect(enc.code).toBe(0);
    const doc = JSON.parse(enc.stdout) as Record<string, unknown> & { sops: { age: Array<{ enc: string; recipient: string }>; mac: string; lastmodified: string } };
    expect(doc.sops.age[0]!.recipient).toBe(recipient);
    const armored = join(dir, "stanza.age");
    writeFileSync(armored, doc.sops.age[0]!.enc);
    const age = spawnSync("age", ["-d", "-i", keys, armored]);
    expect(age.status).toBe(0);
    const dataKey = age.stdout;
    expect(dataKey.length).toBe(32);

    const { sops, ...data } = doc;
    const hash = createHash("sha512");
    walk(data, [], dataKey, hash);
    const computed = hash.digest("hex").toUpperCase();
    const stored = openValue(sops.mac, dataKey, sops.lastmodified).bytes.toString("utf8");
    expect(stored).toBe(computed);
    // Values decode as the format notes say: ints in decimal, booleans as True, floats shortest.
    const d = data as { n: string; on: string; f: string };
    expect(openValue(d.n, dataKey, "n:").bytes.toString()).toBe("7");
    expect(openValue(d.on, dataKey, "on:").bytes.toString()).toBe("True");
    expect(openValue(d.f, dataKey, "f:").bytes.toString()).toBe("1.5");
  });
});
