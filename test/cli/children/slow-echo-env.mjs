// Writes "<before>$NAME<after>" for each NAME in argv to stdout and stderr, one byte per write with a pause,
// so a masking filter sees every value split across 1-byte chunks.
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const text = process.argv.slice(2).map((n) => `[${process.env[n] ?? ""}]`).join(" ") + "\n";
for (const stream of [process.stdout, process.stderr]) {
  for (const b of Buffer.from(text, "utf8")) {
    await new Promise((r) => stream.write(Buffer.from([b]), r));
    await sleep(1);
  }
}
