# Runs argv under a new pseudo-terminal and types ANSWER each time PROMPT appears in its output; prints
# {"output": ..., "exit": ...} as JSON. Usage: pty-answer.py PROMPT ANSWER argv...
import json, os, pty, select, sys, time

prompt, answer = sys.argv[1].encode(), sys.argv[2].encode().decode("unicode_escape").encode()
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[3], sys.argv[3:])
out = b""
answered = 0
deadline = time.time() + 30
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
    if out.count(prompt) > answered:
        os.write(fd, answer)
        answered += 1
else:
    os.kill(pid, 9)
_, status = os.waitpid(pid, 0)
print(json.dumps({"output": out.decode("utf-8", "replace"), "exit": os.waitstatus_to_exitcode(status), "answered": answered}))
