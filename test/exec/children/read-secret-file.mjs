// Reads the file named by $argv[2] twice; prints what it saw as JSON. With "hang", then waits forever,
// ignoring the signal named by "ignore:SIG…" in argv[4] (printing "child-ignored-SIG…" when it comes).
import { lstatSync, readFileSync, statSync } from "node:fs";
import { dirname } from "node:path";
const path = process.env[process.argv[2]];
const st = lstatSync(path);
const report = {
  path,
  fifo: st.isFIFO(),
  mode: (st.mode & 0o777).toString(8),
  dirMode: (statSync(dirname(path)).mode & 0o777).toString(8),
  first: readFileSync(path, "utf8"),
};
try {
  report.second = readFileSync(path, "utf8");
} catch (e) {
  report.second = `error:${e.code}`;
}
process.stdout.write(JSON.stringify(report) + "\n");
if (process.argv[3] === "hang") {
  const ignored = process.argv[4]?.startsWith("ignore:") ? process.argv[4].slice(7) : undefined;
  if (ignored) process.on(ignored, () => process.stdout.write(`child-ignored-${ignored}\n`));
  process.stdout.write(`ready ${process.pid}\n`);
  setInterval(() => {}, 1000);
}
