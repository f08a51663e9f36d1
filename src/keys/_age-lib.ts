/**
 * Owns: loading the age-encryption package on first use, and the small web-stream helpers the age key
 * source uses with it. Private to src/keys.
 */
type AgeModule = typeof import("age-encryption");
let agePromise: Promise<AgeModule> | undefined;

/** age-encryption is loaded on first use, so commands that never touch age keys do not pay for it. */
export function loadAge(): Promise<AgeModule> {
  return (agePromise ??= import("age-encryption"));
}

/** A one-chunk web stream. age-encryption turns byte arrays into streams anyway. */
export function streamOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(c) {
      c.enqueue(bytes);
      c.close();
    },
  });
}

/**
 * Reads a web stream to the end with its reader. age-encryption's own byte-array path goes through
 * `new Response(stream)`, which loads Node's fetch implementation: ~10 ms of start-up per command.
 */
export async function readStream(s: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const reader = s.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.length;
  }
  const out = new Uint8Array(size);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
    c.fill(0);
  }
  return out;
}
