import { readFile } from "node:fs/promises";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { isSealError } from "../../src/errors.js";
import { withSecretFile } from "../../src/exec/file-env.js";
import { alive, bundleExec, child, startRunner } from "./_harness.js";

const node = process.execPath;
const SECRET = "sealfile-canary-7f3a9 ✓\nline two = \"x\"";

/** Every file under `dir` (recursively) whose bytes contain the secret's first line, plus all entries. */
function scan(dir: string): { entries: string[]; leaks: string[] } {
  const entries: string[] = [];
  const leaks: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      entries.push(p);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile() && readFileSync(p).includes("sealfile-canary-7f3a9")) leaks.push(p);
    }
  };
  walk(dir);
  return { entries, leaks };
}

describe("withSecretFile in process", () => {
  it("offers a 0600 file in a 0700 folder, removes both after, and zeroes the content", async () => {
    const content = Buffer.from(SECRET);
    let seen = "";
    const result = await withSecretFile({ name: "CFG", content, fifo: false, filename: "app.json" }, async (path) => {
      expect(path.endsWith("/app.json")).toBe(true);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(statSync(dirname(path)).mode & 0o777).toBe(0o700);
      seen = path;
      return readFileSync(path, "utf8");
    });
    expect(result).toBe(SECRET);
    expect(existsSync(seen)).toBe(false);
    expect(existsSync(dirname(seen))).toBe(false);
    expect(content.every((b) => b === 0)).toBe(true);
  });

  it("removes the folder when run throws", async () => {
    let seen = "";
    const err = await withSecretFile({ name: "CFG", content: Buffer.from("x"), fifo: true }, async (p) => {
      seen = p;
      throw new Error("boom");
    }).catch((e: unknown) => e);
    expect((err as Error).message).toBe("boom");
    expect(existsSync(dirname(seen))).toBe(false);
  });

  it("does not wait forever for a reader that never comes", async () => {
    const t0 = Date.now();
    const r = await withSecretFile({ name: "CFG", content: Buffer.from("x"), fifo: true }, async (p) => statSync(p).isFIFO());
    expect(r).toBe(true);
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it("streams content larger than a pipe buffer through the FIFO to a reader", async () => {
    const big = Buffer.alloc(1 << 20);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7919) & 0xff;
    const expected = Buffer.from(big);
    const got = await withSecretFile({ name: "BIG", content: big, fifo: true }, (p) => readFile(p));
    expect(got.equals(expected)).toBe(true);
    expect(big.every((b) => b === 0)).toBe(true);
  });

  it("rejects bad names", async () => {
    const exitListeners = process.listenerCount("exit");
    for (const spec of [
      { name: "1BAD", content: Buffer.from("x"), fifo: false },
      { name: "OK", content: Buffer.from("x"), fifo: false, filename: "../escape" },
      { name: "OK", content: Buffer.from("x"), fifo: false, filename: "a/b" },
    ]) {
      const e = await withSecretFile(spec, async () => 0).catch((x: unknown) => x);
      expect(isSealError(e, "USAGE")).toBe(true);
    }
    expect(process.listenerCount("exit")).toBe(exitListeners);
  });
});

describe("withSecretFile around a real child", () => {
  let bundle = "";
  let dispose = (): void => {};
  let tmp = "";
  beforeAll(async () => ({ bundle, dispose } = await bundleExec()));
  afterAll(() => dispose());
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), "sealfile-exec-tmp-"));
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  const env = (): Record<string, string | undefined> => ({ ...process.env, TMPDIR: tmp });
  const fileEnv = (fifo: boolean, extra: object = {}) => ({ name: "SECRET_FILE", content: SECRET, fifo, ...extra });

  it("serves a FIFO that can be read exactly once", async () => {
    const r = startRunner(bundle, { command: [node, child("read-secret-file.mjs"), "SECRET_FILE"], fileEnv: fileEnv(true) }, env());
    expect((await r.done).code).toBe(0);
    const report = JSON.parse(r.stdout()) as Record<string, unknown>;
    expect(report).toMatchObject({ fifo: true, mode: "600", dirMode: "700", first: SECRET, second: "error:ENOENT" });
    expect(String(report.path).startsWith(`${tmp}/`)).toBe(true);
    expect(scan(tmp)).toEqual({ entries: [], leaks: [] });
  });

  it("with fifo: false offers a 0600 file that is gone once the child exits", async () => {
    const r = startRunner(bundle, { command: [node, child("read-secret-file.mjs"), "SECRET_FILE"], fileEnv: fileEnv(false) }, env());
    expect((await r.done).code).toBe(0);
    const report = JSON.parse(r.stdout()) as Record<string, unknown>;
    expect(report).toMatchObject({ fifo: false, mode: "600", dirMode: "700", first: SECRET, second: SECRET });
    expect(existsSync(String(report.path))).toBe(false);
    expect(scan(tmp)).toEqual({ entries: [], leaks: [] });
  });

  it("leaves nothing behind when the runner gets SIGTERM mid-way (child ends on the forwarded signal)", async () => {
    const r = startRunner(bundle, { command: [node, child("read-secret-file.mjs"), "SECRET_FILE", "hang"], fileEnv: fileEnv(false) }, env());
    await r.waitFor("ready");
    expect(scan(tmp).leaks.length).toBe(1); // the test can see the file while the child runs
    r.proc.kill("SIGTERM");
    expect((await r.done).code).toBe(143);
    expect(scan(tmp)).toEqual({ entries: [], leaks: [] });
  });

  it("removes the file at once on SIGTERM even while a child that ignores it keeps running", async () => {
    const r = startRunner(
      bundle,
      { command: [node, child("read-secret-file.mjs"), "SECRET_FILE", "hang", "ignore:SIGTERM"], fileEnv: fileEnv(false) },
      env(),
    );
    await r.waitFor("ready");
    const pid = Number(/ready (\d+)/.exec(r.stdout())![1]);
    r.proc.kill("SIGTERM");
    await r.waitFor("child-ignored-SIGTERM");
    await new Promise((res) => setTimeout(res, 100));
    expect(alive(pid)).toBe(true);
    expect(scan(tmp)).toEqual({ entries: [], leaks: [] });
    process.kill(pid, "SIGKILL");
    expect((await r.done).code).toBe(137);
  });

  it("cleans up and dies of the signal when nothing else handles it", async () => {
    const r = startRunner(bundle, { command: ["unused"], fileEnv: fileEnv(false, { noChild: "wait" }) }, env());
    await r.waitFor("ready");
    expect(scan(tmp).leaks.length).toBe(1);
    r.proc.kill("SIGTERM");
    expect(await r.done).toEqual({ code: null, signal: "SIGTERM" });
    expect(scan(tmp)).toEqual({ entries: [], leaks: [] });
  });

  it("cleans up when the process exits from inside run", async () => {
    const r = startRunner(bundle, { command: ["unused"], fileEnv: fileEnv(false, { noChild: "exit" }) }, env());
    expect((await r.done).code).toBe(3);
    expect(scan(tmp)).toEqual({ entries: [], leaks: [] });
  });

  it("keeps the file through a SIGINT the child survives, and removes it when the child exits", async () => {
    const r = startRunner(
      bundle,
      { command: [node, child("read-secret-file.mjs"), "SECRET_FILE", "hang", "ignore:SIGINT"], fileEnv: fileEnv(false) },
      env(),
    );
    await r.waitFor("ready");
    const pid = Number(/ready (\d+)/.exec(r.stdout())![1]);
    r.proc.kill("SIGINT"); // not from a terminal, so runChild forwards it
    await r.waitFor("child-ignored-SIGINT");
    expect(scan(tmp).leaks.length).toBe(1);
    process.kill(pid, "SIGKILL");
    expect((await r.done).code).toBe(137);
    expect(scan(tmp)).toEqual({ entries: [], leaks: [] });
  });

  it("leaves nothing when a SIGINT kills the child", async () => {
    const r = startRunner(bundle, { command: [node, child("read-secret-file.mjs"), "SECRET_FILE", "hang"], fileEnv: fileEnv(true) }, env());
    await r.waitFor("ready");
    r.proc.kill("SIGINT");
    expect((await r.done).code).toBe(130);
    expect(scan(tmp)).toEqual({ entries: [], leaks: [] });
  });
});
