/**
 * Owns: running the GnuPG binary for the PGP key source — `SOPS_GPG_EXEC` or `gpg`, with the command's own
 * environment (so GNUPGHOME, GPG_TTY and the agent's socket are honoured), bytes in on stdin, bytes out.
 */
import { spawn } from "node:child_process";
import type { KeyContext } from "./types.js";

/** The GnuPG program sops would run: `SOPS_GPG_EXEC` when set, else `gpg` from PATH. */
export function gpgProgram(env: KeyContext["env"]): string {
  return env.SOPS_GPG_EXEC || "gpg";
}

/** The GnuPG home gpg will use: GNUPGHOME, else ~/.gnupg (for messages only; gpg decides itself). */
export function gnupgHome(ctx: KeyContext): string {
  return ctx.env.GNUPGHOME || `${ctx.homeDir}/.gnupg`;
}

export interface GpgRun {
  readonly code: number | null;
  readonly stdout: Buffer;
  readonly stderr: string;
  /** Set when the program could not be started (e.g. ENOENT). */
  readonly spawnError?: string;
}

/** Runs gpg with `args` (never secrets) and `input` on stdin; never throws. */
export function runGpg(ctx: KeyContext, args: readonly string[], input: Uint8Array | string): Promise<GpgRun> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(ctx.env)) if (v !== undefined) env[k] = v;
    const child = spawn(gpgProgram(ctx.env), [...args], { env, stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let settled = false;
    const done = (r: GpgRun): void => {
      if (settled) return;
      settled = true;
      resolve(r);
    };
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", (e: NodeJS.ErrnoException) => done({ code: null, stdout: Buffer.alloc(0), stderr: "", spawnError: e.code ?? e.message }));
    child.on("close", (code) => done({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString("utf8") }));
    child.stdin.on("error", () => undefined); // gpg may exit before reading everything
    child.stdin.end(input);
  });
}
