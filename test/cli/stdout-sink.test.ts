// Issue 17: document bytes go straight to descriptor 1 (src/cli/stdout-sink.ts); once Node's stdout stream
// exists, they go through it, so nothing overtakes what was already written there; a failed write is reported.
import { describe, expect, it } from "vitest";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { stdoutSink } from "../../src/cli/stdout-sink.js";

function collector(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(Buffer.from(chunk));
      cb();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString("utf8") };
}

const write = (sink: ReturnType<typeof stdoutSink>, text: string): Promise<Error | null | undefined> =>
  new Promise((done) => sink.write(Buffer.from(text), (e) => done(e)));

describe("stdout sink", () => {
  it("writes to the descriptor while no stream exists, and through the stream once one does", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sealfile-sink-"));
    try {
      const fd = openSync(join(dir, "out"), "w");
      const c = collector();
      let built = false;
      const failures: string[] = [];
      const sink = stdoutSink({ fd, stream: () => c.stream, streamBuilt: () => built, failed: (code) => failures.push(code) });
      expect(await write(sink, "direct\n")).toBeNull();
      built = true;
      expect(await write(sink, "streamed\n")).toBeFalsy();
      built = false; // once through the stream, always through it
      expect(await write(sink, "still streamed\n")).toBeFalsy();
      closeSync(fd);
      expect(readFileSync(join(dir, "out"), "utf8")).toBe("direct\n");
      expect(c.text()).toBe("streamed\nstill streamed\n");
      expect(failures).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a failed write is reported with its code and handed to the writer", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sealfile-sink-"));
    try {
      closeSync(openSync(join(dir, "in"), "w"));
      const fd = openSync(join(dir, "in"), "r"); // writing to a read-only descriptor: EBADF
      const failures: string[] = [];
      const sink = stdoutSink({ fd, stream: () => collector().stream, streamBuilt: () => false, failed: (code) => failures.push(code) });
      const e = await write(sink, "lost\n");
      closeSync(fd);
      expect((e as NodeJS.ErrnoException | null)?.code).toBe("EBADF");
      expect(failures).toEqual(["EBADF"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
