/**
 * Owns: the editor side of `secrets edit` — a private temp folder (0700, `sealfile-edit-<pid>-XXXXXX`) holding
 * one 0600 file named like the original (so editors pick the syntax), running `$SOPS_EDITOR`/`$EDITOR`/`vi` on it, and removing the
 * folder on every way out: normal return, errors, and SIGINT/SIGQUIT/SIGTERM/SIGHUP (exit 128 + signal number).
 * While the editor runs, Ctrl-C and Ctrl-\ belong to the editor (as in git and sops): sealfile ignores them.
 * A folder whose edit was killed (kill -9: no handler runs) is removed by the next edit, once its pid is gone.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, fstatSync, lstatSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { SealError } from "../errors.js";
import { splitCommand } from "../keys/age-identities.js";
import { pidAlive } from "../io/temp-files.js";

const SIGNAL_EXIT: Record<string, number> = { SIGHUP: 129, SIGINT: 130, SIGQUIT: 131, SIGTERM: 143 };
/** The terminal sends these to the whole foreground group; the editor decides what they mean. */
const EDITOR_OWNED = new Set<string>(["SIGINT", "SIGQUIT"]);

/** How the editor ended: normally, or killed by `signal` (what it saved before is still in the file). */
export interface EditorExit {
  readonly signal: NodeJS.Signals | undefined;
}

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

const WORKSPACE = /^sealfile-edit-(\d{1,10})-[A-Za-z0-9]{6}$/;

/** Removes the workspaces of edits that were killed (their pid is gone); another user's are not ours to remove. */
export function removeDeadWorkspaces(parent = tmpdir()): void {
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return;
  }
  for (const name of names) {
    const m = WORKSPACE.exec(name);
    if (!m) continue;
    try {
      const st = lstatSync(join(parent, name));
      if (!st.isDirectory() || pidAlive(Number(m[1]))) continue;
      rmSync(join(parent, name), { recursive: true, force: true });
    } catch {
      // not ours to remove
    }
  }
}

export class EditorWorkspace {
  readonly dir: string;
  readonly file: string;
  private child: ChildProcess | undefined;
  /** From the editor's start until just after its exit has been handled (a signal that killed it may come later). */
  private editing = false;
  private removed = false;
  private readonly onSignal: (sig: NodeJS.Signals) => void;
  private readonly onExit: () => void;

  /** Creates the folder and file, and installs the signal handlers (removed again by `close`). */
  constructor(originalPath: string, content: Uint8Array, onInterrupt: (sig: NodeJS.Signals) => void) {
    removeDeadWorkspaces();
    this.dir = mkdtempSync(join(tmpdir(), `sealfile-edit-${process.pid}-`));
    this.file = join(this.dir, basename(originalPath));
    writeFileSync(this.file, content, { mode: 0o600, flag: "wx" });
    this.onSignal = (sig) => {
      if (this.editing && EDITOR_OWNED.has(sig)) return;
      this.child?.kill(EDITOR_OWNED.has(sig) ? "SIGTERM" : sig);
      this.close();
      onInterrupt(sig);
      // Only the CLI layer may end the process; this file lives in src/cli.
      process.exit(SIGNAL_EXIT[sig] ?? 1);
    };
    this.onExit = () => this.close();
    for (const sig of Object.keys(SIGNAL_EXIT)) process.on(sig, this.onSignal);
    process.on("exit", this.onExit);
  }

  /**
   * Runs the editor on the file and waits for it. An editor killed by a signal counts as done: the caller
   * decides from the file's content. @throws SealError NO_EDITOR when it cannot start, EDITOR_FAILED (201, as
   * sops edit.go:236) when it exits non-zero
   */
  run(argv: readonly string[]): Promise<EditorExit> {
    const [cmd, ...args] = argv as [string, ...string[]];
    return new Promise((resolve, reject) => {
      const child = spawn(cmd, [...args, this.file], { stdio: "inherit" });
      this.child = child;
      this.editing = true;
      // The Ctrl-C that killed the editor reached us first, but let any signal already queued be handled as ignored.
      const done = (settle: () => void): void => {
        this.child = undefined;
        setImmediate(() => {
          this.editing = false;
          settle();
        });
      };
      child.on("error", (e: NodeJS.ErrnoException) => {
        done(() => reject(
          e.code === "ENOENT"
            ? new SealError("NO_EDITOR", `editor "${cmd}" not found`, { hint: "set SOPS_EDITOR or EDITOR to an editor on PATH" })
            : new SealError("NO_EDITOR", `could not start the editor "${cmd}" (${e.code ?? "error"})`, { hint: "set SOPS_EDITOR or EDITOR to an editor you can run" }),
        ));
      });
      child.on("exit", (code, signal) => {
        if (signal !== null) done(() => resolve({ signal }));
        else if (code === 0) done(() => resolve({ signal: undefined }));
        else {
          const failed = new SealError("EDITOR_FAILED", `the editor exited with status ${code}; nothing was written`, { hint: "run the same command again; to discard your changes, quit the editor without saving" });
          done(() => reject(failed));
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
