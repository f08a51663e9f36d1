// Encrypt + decrypt of generated 10,000- and 100,000-key YAML files, against a floor that does the same
// essential work with no sops logic: yaml parse + node:crypto AES-256-GCM of every value + yaml stringify.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { BIN, report, timeProcess } from "./lib.mjs";

function generate(n) {
  const lines = [];
  const groups = Math.ceil(n / 100);
  for (let g = 0; g < groups; g++) {
    lines.push(`service_${g}:`);
    for (let i = 0; i < 100 && g * 100 + i < n; i++) lines.push(`    key_${i}: value-${g}-${i}-${(g * 7919 + i * 104729).toString(36)}`);
  }
  return `${lines.join("\n")}\n`;
}

const FLOOR_SCRIPT = `
import { readFileSync } from "node:fs";
import { createCipheriv, randomBytes } from "node:crypto";
import { parseDocument, isMap, isScalar } from "yaml";
const doc = parseDocument(readFileSync(process.argv[1], "utf8"), { uniqueKeys: false });
const key = randomBytes(32);
const walk = (n, path) => {
  if (isMap(n)) for (const p of n.items) { const k = String(p.key.value); if (isScalar(p.value)) { const iv = randomBytes(32); const c = createCipheriv("aes-256-gcm", key, iv); c.setAAD(Buffer.from(path + k + ":")); const d = Buffer.concat([c.update(String(p.value.value)), c.final()]); p.value.value = "ENC[AES256_GCM,data:" + d.toString("base64") + ",iv:" + iv.toString("base64") + ",tag:" + c.getAuthTag().toString("base64") + ",type:str]"; } else walk(p.value, path + k + ":"); }
};
walk(doc.contents, "");
process.stdout.write(doc.toString({ lineWidth: 0 }));
`;

export async function benchLargeYaml(ctx) {
  const floorScript = join(ctx.dir, "floor.mjs");
  // The floor script resolves `yaml` from the project's node_modules.
  writeFileSync(floorScript, FLOOR_SCRIPT);
  for (const n of [10_000, 100_000]) {
    const plain = join(ctx.dir, `big-${n}.yaml`);
    writeFileSync(plain, generate(n));
    const runs = n >= 100_000 ? 3 : 5;
    const floor = timeProcess([process.execPath, "--input-type=module", "-e", `process.argv[1] = ${JSON.stringify(plain)};\n${FLOOR_SCRIPT}`], { runs });
    const enc = join(ctx.dir, `big-${n}.enc.yaml`);
    const encTime = timeProcess([process.execPath, BIN, "encrypt", "--age", ctx.recipient, "--output", enc, plain], { runs, env: ctx.env });
    const decTime = timeProcess([process.execPath, BIN, "decrypt", enc], { runs, env: ctx.env });
    report(`encrypt ${n.toLocaleString("en")}-key YAML`, encTime, "floor", floor, n >= 100_000 ? 2 : undefined);
    report(`decrypt ${n.toLocaleString("en")}-key YAML`, decTime, "floor", floor);
  }
}
