# Runs argv with stdin, stdout and stderr all on a new pseudo-terminal and answers each "[y/N]" question
# with ANSWER. Prints {"tty": everything the terminal showed, "exit": status} as JSON.
# usage: pty-confirm.py ANSWER argv...
import json, os, pty, select, sys, time

answer = sys.argv[1]
argv = sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)

tty = b""
mark = 0
status = None
deadline = time.time() + 120
while time.time() < deadline:
    r, _, _ = select.select([fd], [], [], 0.05)
    if r:
        try:
            tty += os.read(fd, 65536)
        except OSError:
            time.sleep(0.02)
    if tty[mark:].rstrip(b" ").endswith(b"[y/N]"):
        os.write(fd, answer.encode() + b"\r")
        mark = len(tty)
    done, st = os.waitpid(pid, os.WNOHANG)
    if done:
        status = st
        # drain what is left
        while True:
            r, _, _ = select.select([fd], [], [], 0.1)
            if not r:
                break
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            tty += chunk
        break
if status is None:
    os.kill(pid, 9)
    _, status = os.waitpid(pid, 0)
print(json.dumps({"tty": tty.decode("utf-8", "replace"), "exit": os.waitstatus_to_exitcode(status)}))
