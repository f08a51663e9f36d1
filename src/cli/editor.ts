/**
 * Owns: the editor side of `secrets edit` — a private temp folder (0700) holding one 0600 file named like
 * the original (so editors pick the syntax), running `$SOPS_EDITOR`/`$EDITOR`/`vi` on it, and removing the
 * folder on every way out: normal return, errors, and SIGINT/SIGTERM/SIGHUP (exit 128 + signal number).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, fstatSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { SealError } from "../errors.js";
import { splitCommand } from "../keys/age-identities.js";

const SIGNAL_EXIT: Record<string, number> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

/** The editor command line: `$SOPS_EDITOR`, else `$EDITOR` (split like a shell), else `vi`. */
export function editorArgv(env: Readonly<Record<string, string | undefined>>): string[] {
  const raw = env.SOPS_EDITOR || env.EDITOR;
  if (!raw) return ["vi"];
  let argv: string[];
  try {
    argv = splitCommand(raw);
  } catch {
    throw new SealError("NO_EDITOR", `${env.SOPS_EDITOR ? "SOPS_EDITOR" : "EDITOR"} has an unterminated quote`);
  }
  if (argv.length === 0) return ["vi"];
  return argv;
}

export class EditorWorkspace {
  readonly dir: string;
  readonly file: string;
  private child: ChildProcess | undefined;
  private removed = false;
  private readonly onSignal: (sig: NodeJS.Signals) => void;
  private readonly onExit: () => void;

  /** Creates the folder and file, and installs the signal handlers (removed again by `close`). */
  constructor(originalPath: string, content: Uint8Array, onInterrupt: (sig: NodeJS.Signals) => void) {
    this.dir = mkdtempSync(join(tmpdir(), "sealfile-edit-"));
    this.file = join(this.dir, basename(originalPath));
    writeFileSync(this.file, content, { mode: 0o600, flag: "wx" });
    this.onSignal = (sig) => {
      this.child?.kill(sig === "SIGINT" ? "SIGTERM" : sig);
      this.close();
      onInterrupt(sig);
      // Only the CLI layer may end the process; this file lives in src/cli.
      process.exit(SIGNAL_EXIT[sig] ?? 1);
    };
    this.onExit = () => this.close();
    for (const sig of Object.keys(SIGNAL_EXIT)) process.on(sig, this.onSignal);
    process.on("exit", this.onExit);
  }

  /** Runs the editor on the file and waits for it. @throws SealError NO_EDITOR when it cannot start, EDITOR_FAILED (201, as sops edit.go:236) when it fails */
  run(argv: readonly string[]): Promise<void> {
    const [cmd, ...args] = argv as [string, ...string[]];
    return new Promise((resolve, reject) => {
      const child = spawn(cmd, [...args, this.file], { stdio: "inherit" });
      this.child = child;
      child.on("error", (e: NodeJS.ErrnoException) => {
        this.child = undefined;
        reject(
          e.code === "ENOENT"
            ? new SealError("NO_EDITOR", `editor "${cmd}" not found`, { hint: "set SOPS_EDITOR or EDITOR to an editor on PATH" })
            : new SealError("NO_EDITOR", `could not start the editor "${cmd}" (${e.code ?? "error"})`, { hint: "set SOPS_EDITOR or EDITOR to an editor you can run" }),
        );
      });
      child.on("exit", (code, signal) => {
        this.child = undefined;
        if (code === 0) resolve();
        else {
          reject(new SealError("EDITOR_FAILED", `the editor exited with ${signal ? `signal ${signal}` : `status ${code}`}; nothing was written`, { hint: "run the same command again; to discard your changes, quit the editor without saving" }));
        }
      });
    });
  }

  read(): Uint8Array {
    return readFileSync(this.file);
  }

  /** Overwrites the file with zeros (best effort), removes the folder and the signal handlers. Idempotent. */
  close(): void {
    if (this.removed) return;
    this.removed = true;
    for (const sig of Object.keys(SIGNAL_EXIT)) process.off(sig, this.onSignal);
    process.off("exit", this.onExit);
    try {
      const fd = openSync(this.file, "r+");
      try {
        const size = fstatSync(fd).size;
        if (size > 0) writeSync(fd, Buffer.alloc(size), 0, size, 0);
      } finally {
        closeSync(fd);
      }
    } catch {
      // the editor may have replaced or removed it
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
