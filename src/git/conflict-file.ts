/**
 * Owns: the file the merge driver leaves in the work tree on a real conflict — the three encrypted versions
 * (ours, base, theirs) between git-style conflict markers. It is not a valid encrypted file, so nothing can
 * read or commit it as one by accident (`git diff` shows the markers, the guard refuses it), and it holds
 * everything `secrets merge --resolve` needs. It holds ciphertext only, like the versions git already has.
 */

const OURS_MARK = "<<<<<<< ours (sealfile conflict";
const BASE_MARK = "||||||| base";
const SPLIT_MARK = "=======";
const THEIRS_MARK = ">>>>>>> theirs";

export interface ConflictVersions {
  readonly ours: Uint8Array;
  /** Empty when the file was added on both branches. */
  readonly base: Uint8Array;
  readonly theirs: Uint8Array;
}

function withNewline(b: Uint8Array): string {
  const s = Buffer.from(b).toString("utf8");
  return s === "" || s.endsWith("\n") ? s : `${s}\n`;
}

/** The conflict file for `name`, naming the conflicting key paths (never values) in its first line. */
export function writeConflictFile(name: string, paths: readonly string[], v: ConflictVersions): Uint8Array {
  const head = `${OURS_MARK} in ${paths.join(", ")}; resolve with: secrets merge --resolve ${name})`;
  return Buffer.from(`${head}\n${withNewline(v.ours)}${BASE_MARK}\n${withNewline(v.base)}${SPLIT_MARK}\n${withNewline(v.theirs)}${THEIRS_MARK}\n`, "utf8");
}

/** True when `bytes` is a conflict file left by the merge driver. */
export function isConflictFile(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.subarray(0, OURS_MARK.length)).toString("utf8") === OURS_MARK;
}

/**
 * The three versions held in a conflict file, or undefined when `bytes` is not one (or was edited so its
 * markers no longer frame three parts).
 */
export function readConflictFile(bytes: Uint8Array): ConflictVersions | undefined {
  if (!isConflictFile(bytes)) return undefined;
  const lines = Buffer.from(bytes).toString("utf8").split("\n");
  if (lines.at(-1) === "") lines.pop();
  const baseAt = lines.indexOf(BASE_MARK);
  const splitAt = lines.indexOf(SPLIT_MARK, baseAt + 1);
  const endAt = lines.length - 1;
  if (baseAt < 1 || splitAt < 0 || lines[endAt] !== THEIRS_MARK) return undefined;
  const part = (from: number, to: number): Uint8Array => {
    const text = lines.slice(from, to).join("\n");
    return Buffer.from(text === "" ? "" : `${text}\n`, "utf8");
  };
  return { ours: part(1, baseAt), base: part(baseAt + 1, splitAt), theirs: part(splitAt + 1, endAt) };
}
