/**
 * Owns: telling whether a SIGINT/SIGQUIT we received was most likely sent by our controlling terminal,
 * and whether we have a terminal at all (which decides if the child gets a process group of its own).
 *
 * Ctrl-C and Ctrl-\ make the terminal signal its whole foreground process group. The child shares our
 * group (it must, or it could not read the TTY without SIGTTIN), so it has the signal already and
 * forwarding it would deliver it twice. Node exposes no siginfo, so the sender cannot be read; we look at
 * where we stand instead: when we are in the terminal's foreground group, treat the signal as the
 * terminal's. The cost: a `kill -INT <our pid>` from elsewhere while we sit in the foreground is not
 * passed on (SIGTERM, SIGHUP and SIGUSR1/2 always are). In the background, or with no terminal at all,
 * the terminal cannot have sent it, so it is forwarded.
 */
import { readFileSync } from "node:fs";
import { terminals } from "../io/terminal.lazy.js";

/**
 * True when this process has a controlling terminal (Linux: /proc/self/stat's tty_nr). Elsewhere, falls
 * back to "one of stdin/stdout/stderr is a terminal".
 */
export function hasControllingTerminal(): boolean {
  const fields = statFields();
  return fields === undefined ? anyStdioTerminal() : Number(fields[4]) !== 0;
}

/**
 * True when our process group is the foreground group of a controlling terminal (Linux: from
 * /proc/self/stat). Elsewhere, falls back to "one of stdin/stdout/stderr is a terminal".
 */
export function inTerminalForeground(): boolean {
  const fields = statFields();
  if (fields === undefined) return anyStdioTerminal();
  const pgrp = Number(fields[2]);
  const ttyNr = Number(fields[4]);
  const tpgid = Number(fields[5]);
  return ttyNr !== 0 && tpgid > 0 && tpgid === pgrp;
}

function anyStdioTerminal(): boolean {
  const { isatty } = terminals();
  return isatty(0) || isatty(1) || isatty(2);
}

/** Fields after the parenthesised command name: state ppid pgrp session tty_nr tpgid …; undefined off Linux. */
function statFields(): string[] | undefined {
  let stat: string;
  try {
    stat = readFileSync("/proc/self/stat", "latin1");
  } catch {
    return undefined;
  }
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}
