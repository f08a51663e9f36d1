// Unit tests for src/ops/audit-log.ts: where the log goes, what one line holds, and failing closed.
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { appendAudit, auditLogPath } from "../../src/ops/audit-log.js";
import { parseConfig } from "../../src/config.js";
import { isSealError } from "../../src/errors.js";

const dir = mkdtempSync(join(tmpdir(), "sealfile-audit-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("auditLogPath", () => {
  const config = parseConfig("audit_log: logs/audit.jsonl\n", join(dir, "repo/.sops.yaml"));
  it("the environment wins, relative to cwd; else the config, relative to its folder; else off", () => {
    expect(auditLogPath({ SEALFILE_AUDIT_LOG: "a.log" }, "/w", config)).toBe("/w/a.log");
    expect(auditLogPath({}, "/w", config)).toBe(join(dir, "repo/logs/audit.jsonl"));
    expect(auditLogPath({}, "/w", undefined)).toBeUndefined();
  });
});

describe("appendAudit", () => {
  it("appends one JSON line per event with the documented fields, mode 0600", () => {
    const log = join(dir, "a.jsonl");
    const now = new Date("2026-01-02T03:04:05.000Z");
    appendAudit(log, { file: "/x/s.enc.yaml", command: "exec", ok: true, recipient: "age" }, now);
    appendAudit(log, { file: "/x/s.enc.yaml", command: "library", ok: false, error: "MAC_MISMATCH" }, now);
    const lines = readFileSync(log, "utf8").split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe("");
    const [a, b] = lines.slice(0, 2).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(a).toMatchObject({ time: "2026-01-02T03:04:05.000Z", file: "/x/s.enc.yaml", recipient: "age", command: "exec", result: "success" });
    expect(typeof a!.user).toBe("string");
    expect(typeof a!.host).toBe("string");
    expect(b).toMatchObject({ result: "failure", error: "MAC_MISMATCH", recipient: null, command: "library" });
    expect(statSync(log).mode & 0o777).toBe(0o600);
  });
  it("fails closed with CANNOT_WRITE_OUTPUT when the log cannot be written", () => {
    let err: unknown;
    try {
      appendAudit(join(dir, "no/such/dir/a.jsonl"), { file: "f", command: "exec", ok: true });
    } catch (e) {
      err = e;
    }
    expect(isSealError(err, "CANNOT_WRITE_OUTPUT")).toBe(true);
  });
});
