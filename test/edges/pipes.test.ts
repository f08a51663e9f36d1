// Issue 14, item 5: a reader that closes early (`| head -c 10`) ends `secrets` quietly — no Node stack
// trace — with status 141 (128 + SIGPIPE, as a shell shows for sops), or under `exec --mask` the child's own.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { BIN } from "../helpers/cli.js";
import { keyedDir, type KeyedDir } from "../helpers/exec-cli.js";
import { hasPython, noteMissing } from "../helpers/tools.js";

let k: KeyedDir;
beforeAll(() => {
  k = keyedDir();
  const line = "x".repeat(1000);
  const lines: string[] = [];
  for (let i = 0; i < 5000; i++) lines.push(`key${i}: ${line}`);
  k.seal("big.enc.yaml", `${lines.join("\n")}\n`); // ~5 MB of plaintext
  k.seal("small.enc.yaml", "TOKEN: pipe-secret-123\n");
}, 120_000);
afterAll(() => {
  k.cleanup();
  rmSync(k.dir, { recursive: true, force: true });
});

/** Runs `secrets ARGS`, reads `keep` bytes of its stdout, then closes that pipe (like `head -c`). */
function runAndCloseStdout(args: string[], keep: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; head: string; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [BIN, ...args], { env: k.env, cwd: k.dir, stdio: ["ignore", "pipe", "pipe"] });
    let head = Buffer.alloc(0);
    let stderr = "";
    proc.stdout.on("data", (c: Buffer) => {
      head = Buffer.concat([head, c]).subarray(0, keep);
      if (head.length >= keep) proc.stdout.destroy();
    });
    proc.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
    const hang = setTimeout(() => proc.kill("SIGKILL"), 60_000);
    proc.on("close", (code, signal) => {
      clearTimeout(hang);
      resolve({ code, signal, head: head.toString("utf8"), stderr });
    });
  });
}

describe("stack traces on closed pipes", () => {
  it("decrypt of a ~5 MB file into a reader that stops after 10 bytes: no stack, status 141", async () => {
    const r = await runAndCloseStdout(["decrypt", "big.enc.yaml"], 10);
    expect(r.head).toBe("key0: xxxx");
    expect(r.stderr).toBe("");
    expect(r.signal).toBeNull();
    expect(r.code).toBe(141);
  }, 90_000);

  it("exec --mask whose reader goes away: no stack and no hang; the child sees a failed write and its status comes back", async () => {
    // The child writes until a write fails, then exits 7 (Node ignores SIGPIPE, so it sees the error).
    const child = "const c=Buffer.alloc(65536,97);process.stdout.on('error',()=>process.exit(7));const p=()=>{while(process.stdout.write(c));process.stdout.once('drain',p)};p()";
    const r = await runAndCloseStdout(["exec", "-f", "small.enc.yaml", "--mask", "--", process.execPath, "-e", child], 10);
    expect(r.head).toBe("aaaaaaaaaa");
    expect(r.stderr).not.toMatch(/Error:|\n\s+at /);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(7);
  }, 90_000);

  it("exec --mask whose stderr reader goes away: no stack, and the child's status comes back", async () => {
    const child = "const c=Buffer.alloc(65536,98);process.stderr.on('error',()=>process.exit(8));const p=()=>{while(process.stderr.write(c));process.stderr.once('drain',p)};p()";
    const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const proc = spawn(process.execPath, [BIN, "exec", "-f", "small.enc.yaml", "--mask", "--", process.execPath, "-e", child], { env: k.env, cwd: k.dir, stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      proc.stdout.on("data", (c: Buffer) => (out += c.toString("utf8")));
      proc.stderr.once("data", () => proc.stderr.destroy());
      const hang = setTimeout(() => proc.kill("SIGKILL"), 60_000);
      proc.on("close", (code) => {
        clearTimeout(hang);
        resolve({ code, out });
      });
    });
    expect(r.out).toBe("");
    expect(r.code).toBe(8);
  }, 90_000);
});

// Issue 17: decrypt writes document bytes straight to descriptor 1 (src/cli/stdout-sink.ts), without building
// Node's stdout stream. These check that nothing is lost or misreported on the way.
describe("document bytes written to descriptor 1", () => {
  const expected = (): string => {
    const line = "x".repeat(1000);
    return Array.from({ length: 5000 }, (_, i) => `key${i}: ${line}\n`).join("");
  };

  it("a pipe read slowly gets every byte of a ~5 MB decrypt", async () => {
    const got = await new Promise<{ code: number | null; out: Buffer }>((resolve) => {
      const proc = spawn(process.execPath, [BIN, "decrypt", "big.enc.yaml"], { env: k.env, cwd: k.dir, stdio: ["ignore", "pipe", "inherit"] });
      const chunks: Buffer[] = [];
      proc.stdout.pause();
      setTimeout(() => {
        proc.stdout.on("data", (c: Buffer) => chunks.push(c));
        proc.stdout.resume();
      }, 300);
      proc.on("close", (code) => resolve({ code, out: Buffer.concat(chunks) }));
    });
    expect(got.code).toBe(0);
    expect(got.out.toString("utf8") === expected()).toBe(true);
  }, 90_000);

  noteMissing("python3", hasPython, "the non-blocking stdout test");
  it.skipIf(!hasPython)("a non-blocking pipe that fills up (EAGAIN) gets every byte, in order", () => {
    // Python makes the pipe's write end O_NONBLOCK before secrets inherits it, and reads only after a pause,
    // so the direct write meets a full pipe and the rest must go through Node's stream.
    const driver = [
      "import os, fcntl, subprocess, sys, time",
      "r, w = os.pipe()",
      "fcntl.fcntl(w, fcntl.F_SETFL, fcntl.fcntl(w, fcntl.F_GETFL) | os.O_NONBLOCK)",
      "p = subprocess.Popen(sys.argv[1:], stdout=w)",
      "os.close(w)",
      "time.sleep(0.3)",
      "chunks = []",
      "while True:",
      "    chunk = os.read(r, 1 << 16)",
      "    if not chunk: break",
      "    chunks.append(chunk)",
      "sys.stdout.buffer.write(b''.join(chunks))",
      "sys.exit(p.wait())",
    ].join("\n");
    const r = spawnSync("python3", ["-c", driver, process.execPath, BIN, "decrypt", "big.enc.yaml"], { env: k.env, cwd: k.dir, maxBuffer: 64 << 20, timeout: 90_000 });
    expect(r.stderr.toString("utf8")).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout.toString("utf8") === expected()).toBe(true);
  }, 90_000);

  it.skipIf(!existsSync("/dev/full"))("a full disk under stdout is CANNOT_WRITE_OUTPUT, not a stack trace", () => {
    const r = spawnSync("sh", ["-c", `"${process.execPath}" "${BIN}" decrypt small.enc.yaml > /dev/full`], { env: k.env, cwd: k.dir, encoding: "utf8", timeout: 60_000 });
    expect(r.stderr).toMatch(/^error\[CANNOT_WRITE_OUTPUT\]: could not write to stdout: ENOSPC\nhint: /);
    expect(r.stderr).not.toContain("pipe-secret-123");
    expect(r.status).not.toBe(0);
  }, 90_000);
});
