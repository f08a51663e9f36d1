/**
 * Owns: asking for a passphrase on the controlling terminal (/dev/tty, never stdin, which may carry the
 * document), without echo. Prompts are queued so parallel key groups never ask at the same time.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import { terminals } from "../io/terminal.lazy.js";
import { SealError } from "../errors.js";

const TTY = "/dev/tty";

/** True when this process has a controlling terminal it can open. */
export function hasTerminal(): boolean {
  try {
    closeSync(openSync(TTY, "r+"));
    return true;
  } catch {
    return false;
  }
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * Writes `prompt` to the terminal and reads one line with echo off.
 * @throws SealError KEY_FAILED when there is no terminal; INTERRUPTED on Ctrl-D at an empty prompt (Ctrl-C
 * also raises SIGINT, as it would without raw mode).
 */
export function promptOnTty(prompt: string): Promise<string> {
  const run = queue.then(() => readHidden(prompt));
  queue = run.catch(() => undefined);
  return run;
}

function readHidden(prompt: string): Promise<string> {
  let fd: number;
  try {
    fd = openSync(TTY, "r+");
  } catch {
    return Promise.reject(new SealError("KEY_FAILED", "there is no terminal to ask for a passphrase", { hint: "supply the key through SOPS_AGE_KEY_CMD" }));
  }
  const input = new (terminals().ReadStream)(fd);
  input.setRawMode(true);
  writeSync(fd, prompt);
  return new Promise<string>((resolve, reject) => {
    let buf: Buffer = Buffer.alloc(0);
    const done = (err: SealError | undefined): void => {
      input.removeListener("data", onData);
      input.setRawMode(false);
      try {
        writeSync(fd, "\n");
      } catch {
        // the terminal went away; nothing to tidy
      }
      input.destroy(); // closes fd
      if (err) {
        buf.fill(0);
        reject(err);
        return;
      }
      const text = buf.toString("utf8");
      buf.fill(0);
      resolve(text);
    };
    const onData = (chunk: Buffer): void => {
      try {
        for (const byte of chunk) {
          if (byte === 0x0d || byte === 0x0a) return done(undefined);
          if (byte === 0x03) {
            // Raw mode turned Ctrl-C into a byte: restore the terminal, then interrupt as the key would have.
            done(new SealError("INTERRUPTED", "interrupted at the passphrase prompt"));
            process.kill(process.pid, "SIGINT");
            return;
          }
          if (byte === 0x04) {
            if (buf.length === 0) return done(new SealError("INTERRUPTED", "no passphrase given (end of input at the prompt)"));
            return done(undefined);
          }
          if (byte === 0x7f || byte === 0x08) buf = dropLastChar(buf);
          else if (byte === 0x15) buf = wipeAll(buf);
          else buf = append(buf, byte);
        }
      } finally {
        chunk.fill(0);
      }
    };
    input.on("data", onData);
  });
}

function append(buf: Buffer, byte: number): Buffer {
  const next = Buffer.alloc(buf.length + 1);
  buf.copy(next);
  next[buf.length] = byte;
  buf.fill(0);
  return next;
}

/** Backspace removes one UTF-8 character, not one byte. */
function dropLastChar(buf: Buffer): Buffer {
  let end = buf.length - 1;
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--;
  const next = Buffer.from(buf.subarray(0, Math.max(end, 0)));
  buf.fill(0);
  return next;
}

function wipeAll(buf: Buffer): Buffer {
  buf.fill(0);
  return Buffer.alloc(0);
}
