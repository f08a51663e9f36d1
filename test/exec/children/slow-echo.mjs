// Writes argv[2] to stdout and argv[3] to stderr one byte at a time, pausing between bytes.
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
for (const [stream, text] of [[process.stdout, process.argv[2] ?? ""], [process.stderr, process.argv[3] ?? ""]]) {
  for (const b of Buffer.from(text, "utf8")) {
    stream.write(Buffer.from([b]));
    await sleep(1);
  }
}
