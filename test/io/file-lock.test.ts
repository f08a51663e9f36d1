// Unit tests for src/io/file-lock.ts and src/io/temp-files.ts: taking turns, giving up cleanly, recovering a
// dead holder's lock, noticing a lost lock before the rename, and removing only dead writers' temp files.
import { afterAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { acquireFileLock, withFileLock } from "../../src/io/file-lock.js";
import { writeFileAtomic } from "../../src/io/atomic-write.js";
import { isSealfileTempName, removeDeadTempFiles, tempPathFor } from "../../src/io/temp-files.js";
import { isSealError } from "../../src/errors.js";

const root = mkdtempSync(join(tmpdir(), "sealfile-lock-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = (): { dir: string; file: string; lock: string } => {
  const dir = join(root, `d${n++}`);
  mkdirSync(dir);
  const file = join(dir, "s.yaml");
  writeFileSync(file, "old\n");
  return { dir, file, lock: join(dir, ".s.yaml.sealfile-lock") };
};
const deadPid = (): number => spawnSync(process.execPath, ["-e", ""]).pid!;
const plant = (lock: string, holder: Record<string, unknown>): void => writeFileSync(lock, JSON.stringify({ token: "planted", ...holder }));

describe("acquireFileLock", () => {
  it("creates the lock beside the file with pid, host and start time, and release removes it", async () => {
    const { file, lock } = fresh();
    const l = await acquireFileLock(file);
    const rec = JSON.parse(readFileSync(lock, "utf8")) as Record<string, unknown>;
    expect(rec).toMatchObject({ pid: process.pid, host: hostname() });
    expect(typeof rec.started).toBe("number");
    l.release();
    expect(existsSync(lock)).toBe(false);
  });

  it("a second writer waits for the first and then gets the lock", async () => {
    const { file } = fresh();
    const order: string[] = [];
    const first = await acquireFileLock(file);
    const second = withFileLock(file, async () => void order.push("second"), { waitMs: 30_000 });
    await new Promise((r) => setTimeout(r, 100));
    order.push("first done");
    first.release();
    await second;
    expect(order).toEqual(["first done", "second"]);
  });

  it("gives up after its bound with FILE_LOCKED naming the lock and the holder's pid", async () => {
    const { file, lock } = fresh();
    plant(lock, { pid: process.pid, host: hostname(), started: Date.now() });
    const err = await acquireFileLock(file, { waitMs: 50 }).catch((e: unknown) => e);
    expect(isSealError(err, "FILE_LOCKED")).toBe(true);
    if (!isSealError(err)) return;
    expect(err.exitCode).toBe(75);
    expect(err.message).toContain(`pid ${process.pid} on ${hostname()}`);
    expect(err.hint).toContain(lock);
    expect(JSON.parse(readFileSync(lock, "utf8")).token).toBe("planted");
  });

  it("recovers a lock whose holder is dead on this host", async () => {
    const { file, lock } = fresh();
    plant(lock, { pid: deadPid(), host: hostname(), started: Date.now() });
    const l = await acquireFileLock(file, { waitMs: 0 });
    expect(l.stillHeld()).toBe(true);
    l.release();
  });

  it("does not judge a holder on another host by its pid, but recovers its lock past the age bound", async () => {
    const { file, lock } = fresh();
    plant(lock, { pid: deadPid(), host: "elsewhere.example", started: Date.now() });
    await expect(acquireFileLock(file, { waitMs: 0 })).rejects.toMatchObject({ code: "FILE_LOCKED" });
    plant(lock, { pid: deadPid(), host: "elsewhere.example", started: Date.now() - 10_000 });
    const l = await acquireFileLock(file, { waitMs: 0, staleMs: 5_000 });
    l.release();
  });

  it("a start time in the future does not keep a lock alive: the file's own time counts", async () => {
    const { file, lock } = fresh();
    plant(lock, { pid: 1, host: "elsewhere.example", started: Date.now() + 1e12 });
    const past = new Date(Date.now() - 60_000);
    utimesSync(lock, past, past);
    const l = await acquireFileLock(file, { waitMs: 0, staleMs: 30_000 });
    l.release();
  });

  it("an empty lock (its writer died between create and write) is recovered once it is a few seconds old", async () => {
    const { file, lock } = fresh();
    writeFileSync(lock, "");
    await expect(acquireFileLock(file, { waitMs: 0 })).rejects.toMatchObject({ code: "FILE_LOCKED" });
    const past = new Date(Date.now() - 60_000);
    utimesSync(lock, past, past);
    (await acquireFileLock(file, { waitMs: 0 })).release();
  });

  it("a writer whose lock was taken over fails before its rename and leaves the file and folder as they were", async () => {
    const { dir, file, lock } = fresh();
    const l = await acquireFileLock(file);
    plant(lock, { pid: process.pid, host: hostname(), started: Date.now() });
    expect(() => writeFileAtomic(file, Buffer.from("new\n"))).toThrow(expect.objectContaining({ code: "FILE_LOCKED" }) as Error);
    expect(readFileSync(file, "utf8")).toBe("old\n");
    expect(readdirSync(dir).sort()).toEqual([".s.yaml.sealfile-lock", "s.yaml"]);
    l.release();
    expect(JSON.parse(readFileSync(lock, "utf8")).token).toBe("planted");
  });
});

describe("temp files", () => {
  it("are named .NAME.sealfile-<pid>-<hex>.tmp, which the guard and the cleanup recognise", () => {
    const p = tempPathFor("/x/app.yaml");
    expect(p).toMatch(new RegExp(`^/x/\\.app\\.yaml\\.sealfile-${process.pid}-[0-9a-f]{12}\\.tmp$`));
    expect(isSealfileTempName(p.slice(3))).toBe(true);
    expect(isSealfileTempName(".app.yaml.0123456789ab.tmp")).toBe(true);
    expect(isSealfileTempName("app.tmp")).toBe(false);
    expect(isSealfileTempName(".app.yaml.sealfile-lock")).toBe(false);
  });

  it("removeDeadTempFiles removes a dead writer's and an old unnamed one, and keeps a live writer's and a young unnamed one", () => {
    const { dir } = fresh();
    const dead = `.s.yaml.sealfile-${deadPid()}-0123456789ab.tmp`;
    const live = `.s.yaml.sealfile-${process.pid}-0123456789ab.tmp`;
    const oldLegacy = ".s.yaml.aaaaaaaaaaaa.tmp";
    const youngLegacy = ".s.yaml.bbbbbbbbbbbb.tmp";
    for (const f of [dead, live, oldLegacy, youngLegacy, "notes.tmp"]) writeFileSync(join(dir, f), "x");
    const past = new Date(Date.now() - 3600_000);
    utimesSync(join(dir, oldLegacy), past, past);
    expect(removeDeadTempFiles(dir).sort()).toEqual([dead, oldLegacy].sort());
    expect(readdirSync(dir).sort()).toEqual([youngLegacy, live, "notes.tmp", "s.yaml"].sort());
  });
});
