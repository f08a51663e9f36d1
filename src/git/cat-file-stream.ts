/**
 * Owns: streaming blobs out of one `git cat-file --batch`, each handed over as soon as it is complete, so the
 * caller's work overlaps git's output. A blob lying within one pipe chunk is passed as a view of that chunk
 * (no copy); only a blob spanning chunks is copied, once. The whole output is never gathered into one buffer:
 * touching tens of fresh megabytes costs more than the scan on some machines.
 */
import { spawn } from "node:child_process";
import { SealError } from "../errors.js";

/**
 * Reads `ids` (in that order; repeat ids are read again) and calls `each(index, content)` for each, in order:
 * content is null for a missing object or one larger than `maxBytes`. The content buffer is valid only during
 * the call (it may be a view of a pipe chunk): copy it to keep it.
 * @throws SealError GENERIC (exit 2) when git cannot run, fails, or its output is malformed; whatever `each` throws.
 */
export async function streamBlobs(cwd: string, ids: readonly string[], each: (index: number, content: Buffer | null) => void, maxBytes = Infinity): Promise<void> {
  if (ids.length === 0) return;
  const child = spawn("git", ["cat-file", "--batch"], { cwd, stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, LC_ALL: "C" } });
  child.stdin.on("error", () => {}); // git exits early on a bad object name: reported by `close`
  child.stdin.end(`${ids.join("\n")}\n`);
  const header: Buffer[] = []; // a header line cut by a chunk boundary
  const parts: Buffer[] = []; // pieces of a blob that spans chunks
  let partsLength = 0;
  let need = -1; // bytes of the current blob still to come, its trailing newline included; -1: a header is next
  let index = 0;
  let failure: unknown; // a malformed stream, or what `each` threw: git is stopped and the promise rejects with it
  const malformed = () => new SealError("GENERIC", "malformed output from git cat-file", { exitCode: 2 });

  const deliver = (content: Buffer): void => {
    if (index >= ids.length) throw malformed();
    const i = index++;
    each(i, content.length > maxBytes ? null : content);
  };

  const read = (chunk: Buffer): void => {
    let pos = 0;
    while (pos < chunk.length) {
      if (need < 0) {
        const nl = chunk.indexOf(10, pos);
        if (nl < 0) {
          header.push(chunk.subarray(pos));
          return;
        }
        const line = (header.length === 0 ? chunk.subarray(pos, nl) : Buffer.concat([...header, chunk.subarray(pos, nl)])).toString("latin1");
        header.length = 0;
        pos = nl + 1;
        const m = /^\S+ (?:blob|tree|commit|tag) (\d+)$/.exec(line);
        if (m === null) {
          if (!/^\S+ (?:missing|ambiguous)$/.test(line) || index >= ids.length) throw malformed();
          index++;
          each(index - 1, null);
          continue;
        }
        need = Number(m[1]) + 1;
        continue;
      }
      const available = chunk.length - pos;
      if (partsLength === 0 && available >= need) {
        const content = chunk.subarray(pos, pos + need - 1);
        pos += need;
        need = -1;
        deliver(content);
        continue;
      }
      if (partsLength + available < need) {
        parts.push(chunk.subarray(pos));
        partsLength += available;
        return;
      }
      const take = need - partsLength;
      const whole = Buffer.concat([...parts, chunk.subarray(pos, pos + take)]);
      parts.length = 0;
      partsLength = 0;
      pos += take;
      need = -1;
      deliver(whole.subarray(0, whole.length - 1));
    }
  };
  child.stdout.on("data", (chunk: Buffer) => {
    if (failure !== undefined) return;
    try {
      read(chunk);
    } catch (e) {
      failure = e;
      child.kill();
    }
  });

  await new Promise<void>((resolve, reject) => {
    child.on("error", (e) => reject(new SealError("GENERIC", "could not run git cat-file", { exitCode: 2, cause: e })));
    child.on("close", (code) => {
      if (failure !== undefined) reject(failure);
      else if (code === 0 && index === ids.length && need < 0) resolve();
      else reject(new SealError("GENERIC", `git cat-file failed (status ${code ?? "?"})`, { exitCode: 2 }));
    });
  });
}
