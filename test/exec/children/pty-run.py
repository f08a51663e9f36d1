# Runs argv under a new pseudo-terminal, types Ctrl-C once "ready" appears, and prints
# {"output": ..., "exit": ...} as JSON. Used to check that a terminal Ctrl-C reaches the child once.
import json, os, pty, select, sys, time

pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
out = b""
sent = False
deadline = time.time() + 20
while time.time() < deadline:
    r, _, _ = select.select([fd], [], [], 0.05)
    if r:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        out += data
    if not sent and b"ready" in out:
        os.write(fd, b"\x03")
        sent = True
else:
    os.kill(pid, 9)
_, status = os.waitpid(pid, 0)
print(json.dumps({"output": out.decode("utf-8", "replace"), "exit": os.waitstatus_to_exitcode(status), "sent": sent}))
