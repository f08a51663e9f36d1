// Dies of the signal named in argv[2] (default SIGKILL).
process.kill(process.pid, process.argv[2] ?? "SIGKILL");
setInterval(() => {}, 1000);
