// Records forwarded signals; exits 42 on SIGTERM, printing what it received.
const got = [];
for (const s of ["SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2"]) process.on(s, () => got.push(s));
process.on("SIGTERM", () => {
  process.stdout.write(`got:${got.join(",")}\n`);
  process.exit(42);
});
setInterval(() => {}, 1000);
process.stdout.write(`ready ${process.pid}\n`);
