/**
 * Owns: offering decrypted content at a temporary path for `--file-env` (sops exec-file): a FIFO that
 * can be read once, or a 0600 file, inside a private 0700 folder that is removed however we end.
 */
import { chmodSync, constants as fsConstants, mkdtempSync, openSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import type { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SealError } from "../errors.js";
import { childProcesses } from "./_child-process.lazy.js";
import { nets } from "./_net.lazy.js";

export interface SecretFileSpec {
  /** The environment variable that will hold the path (checked, and named in messages). */
  readonly name: string;
  /** The plaintext; zeroed once `withSecretFile` is done. */
  readonly content: Uint8Array;
  /** Offer a named pipe readable once (nothing on disk) instead of a 0600 regular file. */
  readonly fifo: boolean;
  /** The file's name inside the private folder (one path component; default `secret`). */
  readonly filename?: string;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DEFAULT_FILENAME = "secret";
/** How often to look for a reader on the FIFO (an open with O_NONBLOCK fails with ENXIO until one comes). */
const FIFO_POLL_MS = 5;

/**
 * Creates the secret file, calls `run` with its path, and removes the folder afterwards. The folder is
 * also removed when the process exits, and on SIGINT/SIGTERM/SIGHUP (see `onSignal`).
 *
 * @throws SealError `USAGE` for a bad variable name or file name, `GENERIC` when the FIFO or file cannot
 *   be created; anything `run` throws passes through.
 */
export async function withSecretFile<T>(spec: SecretFileSpec, run: (path: string) => Promise<T>): Promise<T> {
  const filename = spec.filename ?? DEFAULT_FILENAME;
  checkNames(spec.name, filename);
  const dir = mkdtempSync(join(tmpdir(), ".sealfile-"));
  let writer: FifoWriter | undefined;
  const cleanup = (): void => {
    writer?.cancel();
    rmSync(dir, { recursive: true, force: true });
  };
  register(cleanup);
  try {
    chmodSync(dir, 0o700);
    const path = join(dir, filename);
    if (spec.fifo) {
      makeFifo(path);
      writer = new FifoWriter(path, spec.content);
    } else {
      writeFileSync(path, spec.content, { mode: 0o600, flag: "wx" });
    }
    return await run(path);
  } finally {
    unregister(cleanup);
    cleanup();
    spec.content.fill(0);
  }
}

function checkNames(name: string, filename: string): void {
  if (!ENV_NAME.test(name)) {
    throw new SealError("USAGE", `${JSON.stringify(name)} is not a valid environment variable name`);
  }
  if (filename === "" || filename === "." || filename === ".." || /[/\\\0]/.test(filename)) {
    throw new SealError("USAGE", `file name ${JSON.stringify(filename)} for ${name} must be a single path component`);
  }
}

function makeFifo(path: string): void {
  const r = childProcesses().spawnSync("mkfifo", ["-m", "600", path], { stdio: "ignore" });
  if (r.error !== undefined || r.status !== 0) {
    const why = r.error !== undefined ? ((r.error as { code?: string }).code ?? "error") : `exit ${r.status ?? "signal"}`;
    throw new SealError("GENERIC", `could not create a named pipe for the secret file (mkfifo: ${why})`, {
      hint: "use --no-fifo to offer a regular 0600 file instead",
    });
  }
}

/**
 * Writes the content once, to the first reader of the FIFO, then unlinks it so it cannot be read again.
 * Polls a non-blocking open instead of a blocking one, so no thread waits forever when nobody reads.
 */
class FifoWriter {
  private readonly timer: NodeJS.Timeout;
  private socket: Socket | undefined;
  private readonly path: string;
  private readonly content: Uint8Array;

  constructor(path: string, content: Uint8Array) {
    this.path = path;
    this.content = content;
    this.timer = setInterval(() => this.tryOpen(), FIFO_POLL_MS);
    this.timer.unref();
  }

  private tryOpen(): void {
    let fd: number;
    try {
      fd = openSync(this.path, fsConstants.O_WRONLY | fsConstants.O_NONBLOCK);
    } catch (e) {
      if ((e as { code?: string }).code !== "ENXIO") clearInterval(this.timer);
      return;
    }
    clearInterval(this.timer);
    // A Socket over the pipe's fd writes through the event loop, waiting for the reader as needed.
    const socket = new (nets().Socket)({ fd, readable: false, writable: true });
    this.socket = socket;
    socket.on("error", () => socket.destroy()); // the reader went away early; the write callback still runs
    socket.write(this.content, () => {
      // Unlink before closing: the reader sees EOF only once the name is gone, so it cannot reopen it.
      try {
        unlinkSync(this.path);
      } catch {
        /* already removed by cleanup */
      }
      socket.destroy();
    });
  }

  cancel(): void {
    clearInterval(this.timer);
    this.socket?.destroy();
  }
}

// One set of process-wide handlers serves every secret file in use.
const active = new Set<() => void>();
const CLEANUP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

function runAll(): void {
  for (const c of [...active]) {
    try {
      c();
    } catch {
      /* keep removing the others */
    }
  }
}

/**
 * SIGTERM/SIGHUP ask us to end: remove the files at once, so a SIGKILL after a grace period (docker stop)
 * cannot leave plaintext behind. SIGINT is often an interactive interrupt the child survives (a shell,
 * a REPL), so while someone else handles it (runChild, waiting for the child) the files stay until
 * `finally`. When we are the only listener, nothing else will end the process: clean up and re-raise the
 * signal so we die of it as we would have without the handler.
 */
function onSignal(sig: NodeJS.Signals): void {
  const alone = process.listenerCount(sig) === 1;
  if (sig !== "SIGINT" || alone) runAll();
  if (alone) {
    active.clear();
    uninstall();
    process.kill(process.pid, sig);
  }
}

const signalHandlers = new Map<NodeJS.Signals, () => void>(CLEANUP_SIGNALS.map((s) => [s, () => onSignal(s)]));

function register(cleanup: () => void): void {
  if (active.size === 0) {
    for (const [sig, h] of signalHandlers) process.on(sig, h);
    process.on("exit", runAll);
  }
  active.add(cleanup);
}

function unregister(cleanup: () => void): void {
  active.delete(cleanup);
  if (active.size === 0) uninstall();
}

function uninstall(): void {
  for (const [sig, h] of signalHandlers) process.removeListener(sig, h);
  process.removeListener("exit", runAll);
}
