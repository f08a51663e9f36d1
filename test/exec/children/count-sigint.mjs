// Counts SIGINTs; 500 ms after the first one prints the count and exits 7.
let count = 0;
process.on("SIGINT", () => {
  count++;
  if (count === 1) setTimeout(() => { process.stdout.write(`sigint-count:${count}\n`); process.exit(7); }, 500);
});
setInterval(() => {}, 1000);
process.stdout.write("ready\n");
