// A `.sops.yaml` is the one file of a stranger's repository that every command reads. Mutated configs (a
// seeded PRNG from realistic ones; FUZZ_SEED=N replays, FUZZ_N sets how many) through `encrypt`, `doctor`,
// `status` and `updatekeys`: each run gives a clean `error[CODE]` with a hint or succeeds — never a stack
// trace, error[INTERNAL], a hang, a write outside the folder, or exit 0 with an error printed.
import { afterAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { baseEnv, runSecrets, tempHome } from "../helpers/cli.js";
import { runInProcess } from "../helpers/in-process.js";
import { mulberry32 } from "../helpers/seeded.js";

const N = process.env.FUZZ_N ? Number(process.env.FUZZ_N) : 300;
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 20_261_204;
const HANG_MS = 10_000;

const home = tempHome();
const keys = join(home.dir, "keys.txt");
const recipient = runSecrets(["keygen", "-o", keys], { env: baseEnv(home.dir) }).stdout.trim();
const env = baseEnv(home.dir, { SOPS_AGE_KEY_FILE: keys, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" });
const root = mkdtempSync(join(tmpdir(), "sealfile-fuzz-config-"));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  home.cleanup();
});

const OTHER = "age1xq3ypj0ful9m3usyjkm9vswddrljwdz8xzpvx225dhersl5wpfhszyky9l";
const SEEDS = [
  `creation_rules:\n  - path_regex: \\.enc\\.yaml$\n    age: ${recipient}\n`,
  `creation_rules:\n  - path_regex: secrets/.*\\.yaml$\n    encrypted_regex: ^(data|stringData)$\n    age: >-\n      ${recipient},\n      ${OTHER}\n  - path_regex: .*\n    age: ${recipient}\n    unencrypted_suffix: _plain\n`,
  `creation_rules:\n  - path_regex: .*\n    shamir_threshold: 2\n    key_groups:\n      - age:\n          - ${recipient}\n      - age:\n          - ${OTHER}\n          - ${recipient}\n`,
  `stores:\n  yaml:\n    indent: 4\ncreation_rules:\n  - path_glob: "**/*.yaml"\n    age: [${recipient}]\n    mac_only_encrypted: true\n    unencrypted_comment_regex: "^ keep"\n`,
  `destination_rules:\n  - s3_bucket: "b"\n    path_regex: x\ncreation_rules:\n  - filename_regex: \\.yaml$\n    kms: arn:aws:kms:us-east-1:111122223333:key/abc\n    aws_profile: p\n    age: ${recipient}\n    encryption_context:\n      team: a\n`,
  `recipients:\n  alice: ${recipient}\ncreation_rules:\n  - path_regex: ""\n    age: alice\n    hc_vault_transit_uri: http://127.0.0.1:1/v1/transit/keys/k\n    pgp: FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4\n`,
];
/** Found by this fuzzer (seed 20261204, #299) or next to what it found: each ran into error[INTERNAL]. */
const FOUND = [
  `creation_rules:\n  - path_regex: ""\n    age: *a\n`,
  `${Array.from({ length: 12 }, (_, i) => `l${i}: &l${i} [${i === 0 ? "x,x,x,x,x,x,x,x,x" : Array(9).fill(`*l${i - 1}`).join(",")}]`).join("\n")}\ncreation_rules:\n  - path_regex: x\n    age: ${OTHER}\n`,
];
const SPECIALS = ["*a", "&a", "", "null", "~", "[]", "{}", "[[[", "- x", "*a", "&a x", "!!binary aGk=", "1e999", "-1", "99999999999999999999", "true", "'", '"', "\\", "(", "(?<!x)", "\u0000", "\ud800", "\t", "\r", ": :", "? x", "|", ">-", "#", "%YAML 1.1", "---", "...", "age1", "AGE-SECRET-KEY-1X", "arn:", "x".repeat(5000), "../../x", "/etc/passwd"];

function mutate(text: string, r: () => number): string {
  const int = (n: number): number => Math.floor(r() * n);
  let s = text;
  for (let k = 1 + int(3); k > 0; k--) {
    const lines = s.split("\n");
    const i = int(lines.length);
    const line = lines[i] ?? "";
    switch (int(8)) {
      case 0: // replace a value
        lines[i] = line.includes(":") ? `${line.slice(0, line.indexOf(":") + 1)} ${SPECIALS[int(SPECIALS.length)]}` : `${line}${SPECIALS[int(SPECIALS.length)]}`;
        break;
      case 1: // change indentation
        lines[i] = int(2) ? `  ${line}` : line.replace(/^ {1,2}/, "");
        break;
      case 2:
        lines.splice(i, 0, line);
        break;
      case 3:
        lines.splice(i, 1);
        break;
      case 4: {
        const at = int(line.length + 1);
        lines[i] = line.slice(0, at) + SPECIALS[int(SPECIALS.length)] + line.slice(at);
        break;
      }
      case 5: {
        const j = int(lines.length);
        [lines[i], lines[j]] = [lines[j]!, line];
        break;
      }
      case 6: // a known key in the wrong place
        lines.splice(i, 0, `${" ".repeat(int(3) * 2)}${["creation_rules", "age", "key_groups", "path_regex", "shamir_threshold", "stores", "recipients", "- age"][int(8)]}: ${SPECIALS[int(SPECIALS.length)]}`);
        break;
      default:
        lines[i] = line.replace(/[a-z]/, (c) => String.fromCharCode(c.charCodeAt(0) + 1));
    }
    s = lines.join("\n");
  }
  return s;
}

/** What must never be seen, whatever the config. */
function problemsOf(args: string[], r: { code: number; stdout: string; stderr: string; ms: number }): string[] {
  const out: string[] = [];
  if (/error\[INTERNAL\]/.test(r.stderr)) out.push("error[INTERNAL]");
  if (/\n\s+at .+:\d+:\d+\)?\n/.test(r.stderr) || /(TypeError|RangeError|ReferenceError|SyntaxError):/.test(r.stderr)) out.push("a stack trace or a raw JS error");
  // doctor reports problems on stdout and exits 1, by design.
  const report = args[0] === "doctor" && r.code === 1 && r.stdout.trim() !== "";
  if (r.code !== 0 && !report && !/^error\[[A-Z_]+\]: /m.test(r.stderr)) out.push(`exit ${r.code} without error[CODE]`);
  if (r.code !== 0 && /^error\[/m.test(r.stderr) && !/^hint: /m.test(r.stderr)) out.push("an error without a hint");
  if (r.code === 0 && /^error\[/m.test(r.stderr)) out.push("exit 0 with an error printed");
  if (r.ms > HANG_MS) out.push(`took ${Math.round(r.ms)} ms`);
  return out.map((p) => `${args.join(" ")}: ${p}`);
}

describe(".sops.yaml fuzzing", () => {
  it("what the fuzzer found: an alias without its anchor, and aliases expanding into a huge tree, are BAD_CONFIG", async () => {
    for (const [n, config] of FOUND.entries()) {
      const dir = join(root, `found${n}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, ".sops.yaml"), config);
      writeFileSync(join(dir, "app.yaml"), "a: 1\n");
      for (const args of [["encrypt", "app.yaml"], ["status"], ["doctor"]]) {
        const r = await runInProcess(args, { env, cwd: dir });
        expect(problemsOf(args, r)).toEqual([]);
        expect(r.code).toBe(1);
        expect(r.stdout + r.stderr).toMatch(/Unresolved alias|Excessive alias count/);
      }
    }
  });

  it(`${N} mutated configs through encrypt, doctor, status and updatekeys (seed ${SEED})`, async () => {
    const r = mulberry32(SEED);
    const findings: string[] = [];
    for (let n = 0; n < N; n++) {
      const dir = join(root, `c${n}`);
      mkdirSync(join(dir, "secrets"), { recursive: true });
      const config = mutate(SEEDS[Math.floor(r() * SEEDS.length)]!, r);
      writeFileSync(join(dir, ".sops.yaml"), config);
      writeFileSync(join(dir, "secrets", "app.enc.yaml"), "password: hunter2\nport: 5432\n");
      const runs: string[][] = [["encrypt", "-i", "secrets/app.enc.yaml"], ["doctor"], ["status"], ["updatekeys", "-y", "secrets/app.enc.yaml"]];
      for (const args of runs) {
        const res = await runInProcess(args, { env, cwd: dir });
        for (const p of problemsOf(args, res)) findings.push(`#${n} ${p}\n--- .sops.yaml ---\n${config.slice(0, 600)}\n--- stderr ---\n${res.stderr.slice(0, 600)}`);
      }
      // Nothing but the file worked on changes, and nothing new appears in the folder.
      expect(readdirSync(dir).sort()).toEqual([".sops.yaml", "secrets"]);
      expect(readdirSync(join(dir, "secrets"))).toEqual(["app.enc.yaml"]);
      rmSync(dir, { recursive: true, force: true });
    }
    if (process.env.FUZZ_FINDINGS) writeFileSync(process.env.FUZZ_FINDINGS, findings.join("\n\n"));
    expect(findings.slice(0, 5).join("\n\n"), `${findings.length} findings (seed ${SEED})`).toBe("");
  });
});
