/** Owns: building the KeyContext that key sources get, from an environment snapshot. */
import { homedir } from "node:os";
import type { KeyContext } from "../keys/types.js";
import { hasTerminal, promptOnTty } from "../keys/tty-prompt.js";

const DEFAULT_TIMEOUT_MS = 10_000;

export function makeKeyContext(
  env: Readonly<Record<string, string | undefined>>,
  opts: { timeoutMs?: number; attempts?: number; promptPassphrase?: ((p: string) => Promise<string>) | false } = {},
): KeyContext {
  // Passphrases are asked for on /dev/tty when this process has a terminal; `false` turns prompting off.
  const prompt = opts.promptPassphrase === false ? undefined : (opts.promptPassphrase ?? (hasTerminal() ? promptOnTty : undefined));
  const fromEnv = Number(env.SEALFILE_KEY_TIMEOUT_MS);
  return {
    env: { ...env },
    homeDir: env.HOME || homedir(),
    timeoutMs: opts.timeoutMs ?? (Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : DEFAULT_TIMEOUT_MS),
    attempts: opts.attempts ?? 2,
    cache: new Map(),
    ...(prompt ? { promptPassphrase: prompt } : {}),
  };
}
