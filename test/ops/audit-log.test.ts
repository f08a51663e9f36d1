// Unit tests for src/ops/audit-log.ts: where the log goes, what one line holds, and failing closed.
import { afterAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { appendAudit, auditLogPath, inertJson } from "../../src/ops/audit-log.js";
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

describe("appending only to a sealfile log", () => {
  const event = { file: "/x/s.enc.yaml", command: "exec", ok: true, recipient: "age" };
  const codeOf = (f: () => void): string | undefined => {
    try {
      f();
    } catch (e) {
      return isSealError(e) ? e.code : "not a SealError";
    }
    return undefined;
  };

  it("appends to a log larger than the checked windows when its first and last lines are sealfile lines", () => {
    const log = join(dir, "big.jsonl");
    for (let i = 0; i < 600; i++) appendAudit(log, { ...event, file: `/x/${"f".repeat(200)}-${i}.enc.yaml` });
    expect(statSync(log).size).toBeGreaterThan(128 * 1024);
    appendAudit(log, event);
    expect(readFileSync(log, "utf8").trimEnd().split("\n")).toHaveLength(601);
  });

  it("refuses (BAD_CONFIG, file unchanged) foreign lines at the start or the end, an unfinished last line, a long foreign line", () => {
    const good = `${inertJson({ time: "t", file: "f", command: "c", result: "success" })}\n`;
    const filler = good.repeat(2000);
    const cases = {
      "foreign-first": `echo hi\n${filler}`,
      "foreign-last": `${filler}echo hi\n`,
      "unfinished": good.slice(0, -1),
      "one-long-line": `${"#".repeat(200 * 1024)}\n`,
      "small-foreign": `${good}export X=1\n`,
    };
    for (const [name, text] of Object.entries(cases)) {
      const log = join(dir, `${name}.log`);
      writeFileSync(log, text);
      expect(codeOf(() => appendAudit(log, event)), name).toBe("BAD_CONFIG");
      expect(readFileSync(log, "utf8"), name).toBe(text);
    }
  });

  it("refuses a FIFO under the log's name without hanging", () => {
    const fifo = join(dir, "fifo.log");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    expect(codeOf(() => appendAudit(fifo, event))).toBe("BAD_CONFIG");
  });

  it("writes every line as printable ASCII, with $ and backquote escaped, that parses back to the same value", () => {
    const value = { file: "a$(b)`c`\n\u2028é😀\u0000\u007f" };
    const text = inertJson(value);
    expect(text).toMatch(/^[\x20-\x7e]*$/);
    expect(text).not.toMatch(/[$`]/);
    expect(JSON.parse(text)).toEqual(value);
  });
});
