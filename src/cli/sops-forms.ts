/**
 * Owns: sops's flag-style command lines — `sops -d FILE`, `sops -e [-i] FILE`, `sops --set 'PATH VALUE' FILE` —
 * rewritten as the commands they are here (`decrypt`, `encrypt`, `set FILE PATH VALUE`), before anything is
 * parsed. sops reads these in its app Action (cmd/sops/main.go) and extractSetArguments.
 */
import { SealError } from "../errors.js";

const MODES: Record<string, "decrypt" | "encrypt" | "set"> = { "-d": "decrypt", "--decrypt": "decrypt", "-e": "encrypt", "--encrypt": "encrypt", "--set": "set" };

/** `PATH VALUE` split where sops splits it: after the first `] ` (the value is JSON, as for `set`). */
function splitSet(text: string): [string, string] {
  const at = text.indexOf("] ");
  if (at < 0) {
    throw new SealError("BAD_SET_FORMAT", "invalid --set: expected 'PATH VALUE', e.g. '[\"db\"][\"port\"] 5432'", {
      hint: "secrets set FILE PATH --value-stdin takes the value on stdin, out of sight of other users",
    });
  }
  return [text.slice(0, at + 1).trimEnd(), text.slice(at + 2)];
}

/**
 * `argv` with a sops mode flag written before any command name turned into that command; other argv unchanged.
 * @throws SealError USAGE when two modes are given (sops keeps the last, with a warning), BAD_SET_FORMAT
 */
export function fromSopsForm(argv: readonly string[], commandNames: readonly string[]): string[] {
  const end = argv.indexOf("--");
  const own = end === -1 ? argv : argv.slice(0, end);
  const firstCommand = own.findIndex((w) => commandNames.includes(w));
  const found: Array<{ at: number; mode: "decrypt" | "encrypt" | "set"; value?: string; words: number }> = [];
  own.forEach((w, at) => {
    if (firstCommand !== -1 && at > firstCommand) return;
    const name = w.split("=", 1)[0]!;
    const mode = w.startsWith("--") ? MODES[name] : MODES[w];
    if (!mode) return;
    if (mode !== "set") found.push({ at, mode, words: 1 });
    else if (w.includes("=")) found.push({ at, mode, value: w.slice(w.indexOf("=") + 1), words: 1 });
    else found.push({ at, mode, value: own[at + 1] ?? "", words: 2 });
  });
  if (found.length === 0) return [...argv];
  if (firstCommand !== -1 && found[0]!.at > firstCommand) return [...argv];
  const modes = new Set(found.map((f) => f.mode));
  if (modes.size > 1 || found.length > 1) {
    throw new SealError("USAGE", `give one of -d, -e and --set, not ${found.map((f) => argv[f.at]).join(" and ")}`, { hint: "see 'secrets --help'." });
  }
  const f = found[0]!;
  const rest = [...argv.slice(0, f.at), ...argv.slice(f.at + f.words)];
  if (f.mode !== "set") return [f.mode, ...rest];
  const [path, value] = splitSet(f.value ?? "");
  // `set` always rewrites the file, so sops's -i with --set changes nothing.
  const flags = rest.filter((w) => w !== "-i" && w !== "--in-place");
  return ["set", ...flags, path, value];
}
