// Issue 18 item 7 (the README's claim): `secrets doctor` reports every problem of .sops.yaml — schema errors,
// misspelled and unknown keys, bad regexes, invalid age recipients — each with its line and column, all in one run.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { baseEnv, tempHome } from "../helpers/cli.js";
import { runInProcess } from "../helpers/in-process.js";

/** A real age recipient (public; its identity was thrown away). */
const GOOD = "age1w79ltnw65tf8yev39wmdapwy62swlwhm2a4fqyd3tgtvl5vpcsvsg6ezaa";
/** GOOD with its last character changed: the bech32 checksum no longer holds. */
const BAD_CHECKSUM = `${GOOD.slice(0, -1)}q`;

const CONFIG = `recipients:
  alice: ${GOOD}
  bob: ${BAD_CHECKSUM}
creation_rule:
  - path_regex: x
stores:
  yaml:
    indent: four
  jsn:
    indent: 2
creation_rules:
  - path_regex: "(unclosed"
    agee: ${GOOD}
    age:
      - alice
      - alcie
      - age1tooshort
  - path_regex: 42
    shamir_threshold: two
    encrypted_regex: "[bad"
    unencrypted_suffix: _plain
    colour: blue
    age: bob
  - path_regex: \\.yaml$
    key_groups:
      - age:
          - ${GOOD}
          - ssh-dss AAAAB3NzaC1kc3M
`;

/** Line and column (1-based) of the `nth` occurrence of `marker` in CONFIG, found from the text itself. */
function at(marker: string, nth = 1): string {
  let i = -1;
  for (let n = 0; n < nth; n++) i = CONFIG.indexOf(marker, i + 1);
  if (i < 0) throw new Error(`marker ${marker} not in CONFIG`);
  const before = CONFIG.slice(0, i);
  return `line ${before.split("\n").length}, column ${i - before.lastIndexOf("\n")}`;
}

let home: { dir: string; cleanup: () => void };
beforeAll(() => {
  home = tempHome();
  writeFileSync(`${home.dir}/.sops.yaml`, CONFIG);
});
afterAll(() => home.cleanup());

const doctor = (args: string[] = []) => runInProcess(["doctor", ...args], { env: baseEnv(home.dir), cwd: home.dir });

describe("issue 18 item 7: doctor reports every problem of .sops.yaml with its line and column", () => {
  it("lists schema errors, bad regexes and invalid recipients as problems, and unknown keys as warnings, in one run", async () => {
    const r = await doctor();
    expect(r.code).toBe(1); // BAD_CONFIG
    const problems = r.stdout.split("\n").filter((l) => l.startsWith("    line ")).map((l) => l.trim());
    const warnings = r.stdout.split("\n").filter((l) => l.startsWith("  warning: ")).map((l) => l.slice("  warning: ".length));
    const expected = [
      `${at(BAD_CHECKSUM)}: recipients.bob is not a valid age recipient`,
      `${at("four")}: stores.yaml.indent must be integer`,
      `${at('"(unclosed"')}: creation_rules[0].path_regex is not a valid regular expression`,
      `${at("alcie")}: creation_rules[0].age[1] is neither a name from recipients: nor an age recipient`,
      `${at("age1tooshort")}: creation_rules[0].age[2] is not a valid age recipient`,
      `${at("42")}: creation_rules[1].path_regex must be string`,
      `${at("two")}: creation_rules[1].shamir_threshold must be integer`,
      `${at('"[bad"')}: creation_rules[1].encrypted_regex only one of unencrypted_suffix, encrypted_regex may be set`,
      `${at('"[bad"')}: creation_rules[1].encrypted_regex is not a valid regular expression`,
      `${at("ssh-dss")}: creation_rules[2].key_groups[0].age[1] is not an ssh-ed25519 or ssh-rsa public key`,
    ];
    for (const e of expected) expect(problems.filter((p) => p.startsWith(e)), `${e}\n${r.stdout}`).toHaveLength(1);
    expect(warnings).toEqual([
      `${at("creation_rule:")}: creation_rule is not a key sealfile or sops reads (ignored); did you mean creation_rules?`,
      `${at("jsn")}: stores.jsn is not a key sealfile or sops reads (ignored); did you mean json?`,
      `${at("agee")}: creation_rules[0].agee is not a key sealfile or sops reads (ignored); did you mean age?`,
      `${at("colour")}: creation_rules[1].colour is not a key sealfile or sops reads (ignored)`,
    ]);
    // bob is named in a rule too (creation_rules[1].age), but his key is reported once, where it is written.
    expect(problems.filter((p) => p.includes("is not a valid age recipient"))).toHaveLength(2);
    expect(r.stdout).not.toContain(BAD_CHECKSUM);
  });

  it("--json gives every problem its line and column", async () => {
    const r = await doctor(["--json"]);
    const config = (JSON.parse(r.stdout) as { config: { valid: boolean; problems: Array<{ at: string; line?: number; column?: number }> } }).config;
    expect(config.valid).toBe(false);
    expect(config.problems.length).toBeGreaterThanOrEqual(10);
    expect(config.problems.filter((p) => typeof p.line !== "number" || typeof p.column !== "number")).toEqual([]);
  });
});
