/**
 * Owns: `secrets completion` (a bash or zsh script) and the completions that script asks for. The script
 * runs `secrets --get-yargs-completions WORDS…` — the request yargs-made scripts send, so a script installed
 * by an older sealfile keeps working — and offers the command names, a command's subcommands, or its options,
 * all read from the commands' recorded shapes.
 */
import type { CommandShape, FlagShape } from "./command-shape.js";

/** The request the script sends, first on the command line. */
export const COMPLETION_REQUEST = "--get-yargs-completions";

const BASH = `###-begin-secrets-completions-###
#
# secrets command completion script
#
# Installation: secrets completion >> ~/.bashrc
#
_secrets_completions()
{
    local cur_word args type_list
    cur_word="\${COMP_WORDS[COMP_CWORD]}"
    args=("\${COMP_WORDS[@]:0:COMP_CWORD+1}")
    type_list=$(secrets ${COMPLETION_REQUEST} "\${args[@]}")
    COMPREPLY=( $(compgen -W "\${type_list}" -- "\${cur_word}") )
    return 0
}
complete -o bashdefault -o default -F _secrets_completions secrets
###-end-secrets-completions-###
`;

const ZSH = `#compdef secrets
###-begin-secrets-completions-###
#
# secrets command completion script
#
# Installation: secrets completion >> ~/.zshrc
#
_secrets_completions()
{
  local reply
  local si=$IFS
  IFS=$'\\n' reply=($(secrets ${COMPLETION_REQUEST} "\${words[@]:0:CURRENT}"))
  IFS=$si
  if [[ \${#reply} -gt 0 ]]; then compadd -- $reply; else _files; fi
}
compdef _secrets_completions secrets
###-end-secrets-completions-###
`;

/** The completion script for the user's shell: zsh's when $SHELL is zsh, else bash's. */
export function completionScript(shell: string | undefined): string {
  return /(^|\/)zsh$/.test(shell ?? "") ? ZSH : BASH;
}

/** The words of a completion request, after the program's name: the last is the one under the cursor. */
export function completionWords(argv: readonly string[]): string[] {
  return argv.slice(2);
}

/** The command a completion request is about: its first plain word before the cursor. */
export function completedCommand(words: readonly string[]): string | undefined {
  return words.slice(0, -1).find((w) => !w.startsWith("-"));
}

/**
 * What may come next after `words`: command names (`names`) while none is given, else the subcommands or
 * options of `shape`, the command named (with `globalFlags`).
 */
export function completionsFor(words: readonly string[], names: readonly string[], shape: CommandShape | undefined, globalFlags: readonly FlagShape[]): string[] {
  const current = words.at(-1) ?? "";
  if (shape === undefined) return current.startsWith("-") ? [] : [...names];
  const before = words.slice(0, -1).filter((w) => !w.startsWith("-"));
  let at = shape;
  for (const word of before.slice(1)) at = at.subcommands.find((s) => s.names.includes(word)) ?? at;
  if (!current.startsWith("-")) return at.subcommands.map((s) => s.names[0]!);
  return [...at.flags, ...globalFlags].flatMap((f) => [f.name, ...f.aliases.filter((a) => a.length > 1)]).map((n) => `--${n}`);
}
