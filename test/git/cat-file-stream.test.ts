/**
 * Owns: checks of streamBlobs — blobs handed over one by one from a `git cat-file --batch` stream, whatever
 * the pipe's chunk boundaries, with missing objects, size limits and a throwing callback (issue 16 item 4,
 * the guard's speed: staged files are scanned as they arrive).
 */
import { execFileSync } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { streamBlobs } from "../../src/git/cat-file-stream.js";
import { makeRepo, type TempRepo } from "./_repo.js";

let repo: TempRepo | undefined;
afterEach(() => repo?.cleanup());

function blob(r: TempRepo, content: Buffer): string {
  return execFileSync("git", ["hash-object", "-w", "--stdin"], { cwd: r.dir, input: content }).toString().trim();
}

describe("issue 16 item 4: streamBlobs reads each blob whole, in order, however the output is cut", () => {
  it("returns the same bytes as git for empty, tiny, chunk-sized and large blobs, repeated ids included", async () => {
    repo = makeRepo();
    const sizes = [0, 1, 7, 65535, 65536, 65537, 200_000, 3, 1_000_000, 12];
    const contents = sizes.map((n, i) => Buffer.from(Array.from({ length: n }, (_, j) => (j * 31 + i * 7) % 251)));
    const ids = contents.map((c) => blob(repo!, c));
    const order = [...ids, ids[3]!, ids[0]!];
    const got: Buffer[] = [];
    await streamBlobs(repo.dir, order, (i, content) => {
      expect(i).toBe(got.length);
      got.push(Buffer.from(content ?? Buffer.alloc(0)));
    });
    expect(got.map((b) => b.length)).toEqual([...sizes, sizes[3], sizes[0]]);
    got.forEach((b, i) => expect(b.equals(i < contents.length ? contents[i]! : i === contents.length ? contents[3]! : contents[0]!)).toBe(true));
  });

  it("gives null for a missing object and for one over the size limit", async () => {
    repo = makeRepo();
    const small = blob(repo, Buffer.from("small\n"));
    const big = blob(repo, Buffer.alloc(5000, 0x61));
    const seen: Array<string | null> = [];
    await streamBlobs(repo.dir, [small, "0".repeat(40), big], (_i, c) => seen.push(c === null ? null : c.toString()), 1000);
    expect(seen).toEqual(["small\n", null, null]);
  });

  it("rejects with what the callback throws, and stops git", async () => {
    repo = makeRepo();
    const ids = Array.from({ length: 50 }, (_, i) => blob(repo!, Buffer.alloc(20_000, 65 + (i % 26))));
    let calls = 0;
    await expect(
      streamBlobs(repo.dir, ids, () => {
        calls++;
        if (calls === 2) throw new Error("stop here");
      }),
    ).rejects.toThrow("stop here");
    expect(calls).toBe(2);
  });
});
