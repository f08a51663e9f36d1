// Issue 14, item 5: a reader that closes early (`| head -c 10`) ends `secrets` quietly — no Node stack
// trace — with status 141 (128 + SIGPIPE, as a shell shows for sops), or under `exec --mask` the child's own.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { BIN } from "../helpers/cli.js";
import { keyedDir, type KeyedDir } from "../helpers/exec-cli.js";

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
