/**
 * Owns: making sealfile's own messages safe to show on a terminal. File names, keys and lines quoted in a
 * message can come from a stranger's repository; written raw, their control characters would act on the
 * reader's terminal (erase the line that reports them, set the title, write the clipboard through OSC 52)
 * and bidirectional overrides would reorder what the line seems to say. Each such character is shown as a
 * `\uXXXX` escape instead (`\u001b`, `\u202e`): the one form that is also valid inside a JSON string, so
 * `--json` output still parses, to the same text. Tabs and newlines stay. It is for display only: a name that
 * already holds the text `\u001b` reads the same.
 */

/** C0 controls but tab and newline, DEL, C1 controls, and the bidirectional embedding, override and isolate marks. */
const UNSAFE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

/** The one terminal sequence sealfile writes itself (src/cli/progress.ts): back to the start of the line, erase it. */
export const CLEAR_LINE = "\r\x1b[2K";

function escaped(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/** `text` with every character that would act on a terminal written as an escape; `CLEAR_LINE` alone passes. */
export function visibleText(text: string): string {
  if (text === CLEAR_LINE) return text;
  UNSAFE.lastIndex = 0;
  return UNSAFE.test(text) ? text.replace(UNSAFE, escaped) : text;
}
