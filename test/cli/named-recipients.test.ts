// Acceptance (issue 8, point 5) through the built CLI: names from `.sops.yaml` `recipients:` appear in
// `status`, `doctor`, `updatekeys` plans and the exit-128 error. Also: the sops-compatible anchor pattern
// (`alice: &alice age1…` + `*alice` in rules) resolves to the raw keys when we parse the config.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig, recipientNames, nameFor } from "../../src/config.js";
import { runSecrets } from "../helpers/cli.js";
import { makeRepo, type TestRepo } from "../helpers/git-repo.js";

let repo: TestRepo;
let k: string[];

const config = (withCarol: boolean): string =>
  `recipients:\n  alice: &alice ${k[0]}\n  bob: &bob ${k[1]}\n  carol: &carol ${k[2]}\ncreation_rules:\n  - path_regex: ^secrets/\n    age:\n      - *alice\n      - bob\n${withCarol ? "      - *carol\n" : ""}`;

beforeAll(() => {
  repo = makeRepo(4);
  k = repo.keys.map((x) => x.recipient);
  repo.write(".sops.yaml", config(false));
  repo.write("secrets/app.yaml", "token: named-recipients-value\n");
  expect(runSecrets(["encrypt", "-i", "secrets/app.yaml"], { env: repo.env(0), cwd: repo.dir }).code).toBe(0);
  // carol joins: the file is now out of date with its rule
  repo.write(".sops.yaml", config(true));
  repo.commit("init");
});
afterAll(() => repo.cleanup());

describe("named recipients (acceptance 5)", () => {
  it("the anchor pattern keeps names and gives sops plain keys: aliases resolve when the config is parsed", () => {
    const c = parseConfig(config(true), ".sops.yaml");
    expect(c.rules[0]!.keyGroups[0]!.map((s) => (s.kind === "age" ? s.recipient : ""))).toEqual([k[0], k[1], k[2]]);
    expect(c.recipients).toEqual({ alice: k[0], bob: k[1], carol: k[2] });
    const names = recipientNames(c);
    expect(nameFor(names, k[1]!)).toBe("bob");
    expect(nameFor(names, "age1unknown")).toBeUndefined();
    // SSH keys are named without their comment, KMS ARNs without +role
    const ssh = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDoctorNamedRecipientsTestKeyAAAAAAAAAAAAAAA";
    const n2 = recipientNames(parseConfig(`recipients:\n  deploy: ${ssh} deploy@host\n  kms-prod: arn:aws:kms:eu-west-1:1:key/x+arn:aws:iam::1:role/r\n`, "x"));
    expect(nameFor(n2, `${ssh} other-comment`)).toBe("deploy");
    expect(nameFor(n2, "arn:aws:kms:eu-west-1:1:key/x")).toBe("kms-prod");
  });

  it("status names the recipient the file lacks", () => {
    const r = runSecrets(["status"], { env: repo.env(3), cwd: repo.dir });
    expect(r.stdout).toContain(`secrets/app.yaml: encrypted, RECIPIENTS OUT OF DATE (+age carol (${k[2]}))`);
    const j = JSON.parse(runSecrets(["status", "--json"], { env: repo.env(3), cwd: repo.dir }).stdout) as { files: Array<{ added: Array<{ name?: string; id: string }> }> };
    expect(j.files[0]!.added).toEqual([expect.objectContaining({ name: "carol", id: k[2] })]);
  });

  it("updatekeys plans show names", () => {
    const r = runSecrets(["updatekeys", "secrets/app.yaml"], { env: repo.env(0), cwd: repo.dir });
    expect(r.code).toBe(2); // no terminal, no -y: shows the plan and refuses
    expect(r.stderr).toContain(`+ age carol (${k[2]})`);
  });

  it("doctor shows each recipient's name", () => {
    const r = runSecrets(["doctor", "secrets/app.yaml"], { env: repo.env(0), cwd: repo.dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`alice (age ${k[0]}): yes`);
    expect(r.stdout).toContain(`bob (age ${k[1]}): no`);
    expect(r.stdout).toContain(`missing carol (age ${k[2]})`);
  });

  it("the exit-128 error names every recipient it could not open", () => {
    for (const args of [["decrypt", "secrets/app.yaml"], ["updatekeys", "-y", "secrets/app.yaml"], ["exec", "-f", "secrets/app.yaml", "--", "true"]]) {
      const r = runSecrets(args, { env: repo.env(3), cwd: repo.dir });
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(128);
      expect(r.stderr).toContain(`alice (age ${k[0]})`);
      expect(r.stderr).toContain(`bob (age ${k[1]})`);
      expect(r.stderr).not.toContain("named-recipients-value");
    }
  });
});
