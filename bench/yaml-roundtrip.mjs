// YAML kept as written: encrypt then decrypt (two CLI processes) of a 10,000-key file written the way
// people write YAML (2-space indent, head and inline comments, blank lines, quoted and block values),
// against `yaml` parse + stringify of the same file in one process, measured in the same run. `--no-reuse`:
// the output file exists after the first run, and reusing it would add a decryption to every encrypt.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { BIN, report, timeProcess } from "./lib.mjs";

function generate(n) {
  const lines = ["# Generated service configuration", "# (10,000 keys, comments and blank lines)", ""];
  for (let g = 0; g < n / 100; g++) {
    lines.push(`# --- service ${g} ---`, `service_${g}:`);
    for (let i = 0; i < 100; i++) {
      if (i % 20 === 0) lines.push("", `  # settings ${i}-${i + 19}`);
      const v = `value-${g}-${i}-${(g * 7919 + i * 104729).toString(36)}`;
      if (i % 10 === 3) lines.push(`  key_${i}: '${v}'  # quoted`);
      else if (i % 10 === 7) lines.push(`  key_${i}: |`, `    ${v}`, `    second line`);
      else lines.push(`  key_${i}: ${v}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

const FLOOR = `
import { readFileSync } from "node:fs";
import { parseDocument } from "yaml";
const doc = parseDocument(readFileSync(process.argv[1], "utf8"), { uniqueKeys: false });
process.stdout.write(doc.toString({ lineWidth: 0 }));
`;

export async function benchYamlRoundTrip(ctx) {
  const plain = join(ctx.dir, "roundtrip-10k.yaml");
  const sealed = join(ctx.dir, "roundtrip-10k.enc.yaml");
  writeFileSync(plain, generate(10_000));
  const runs = 5;
  const floor = timeProcess([process.execPath, "--input-type=module", "-e", `process.argv[1] = ${JSON.stringify(plain)};\n${FLOOR}`], { runs });
  const encMs = timeProcess([process.execPath, BIN, "encrypt", "--no-reuse", "--age", ctx.recipient, "--output", sealed, plain], { runs, env: ctx.env });
  const decMs = timeProcess([process.execPath, BIN, "decrypt", sealed], { runs, env: ctx.env });
  const back = spawnSync(process.execPath, [BIN, "decrypt", sealed], { env: ctx.env, maxBuffer: 1 << 30 }).stdout;
  const same = Buffer.compare(back, readFileSync(plain)) === 0;
  report(`YAML round trip 10,000 keys (${same ? "byte-identical" : "NOT identical"})`, encMs + decMs, "yaml parse+stringify", floor);
  report("  of which encrypt", encMs, "yaml parse+stringify", floor);
  report("  of which decrypt", decMs, "yaml parse+stringify", floor);
}
