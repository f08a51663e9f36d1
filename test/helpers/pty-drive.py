# Runs argv on a new pseudo-terminal (its controlling terminal) and types scripted answers at it, like a
# person at a keyboard. Prints {"tty": everything the terminal showed, "exit": status, "answered": n} as JSON.
#
# usage: pty-drive.py SPEC_JSON argv...
# SPEC_JSON: {"answers": [{"after": TEXT, "endsWith": TEXT?, "send": TEXT}, ...],
#             "stdout": PATH?, "stderr": PATH?, "stdinNull": BOOL?, "timeout": SECONDS?}
# Answers are typed in order, each once: when what the terminal showed since the previous answer contains
# `after` (and, with `endsWith`, ends with it, trailing spaces ignored). With `stdout`/`stderr` those streams
# go to files and stdin to /dev/null (`stdinNull`), so only /dev/tty prompts reach the terminal.
import json, os, pty, select, sys, time

spec = json.loads(sys.argv[1])
argv = sys.argv[2:]
answers = spec.get("answers", [])

pid, fd = pty.fork()
if pid == 0:
    if spec.get("stdinNull"):
        os.dup2(os.open("/dev/null", os.O_RDONLY), 0)
    for target, key in ((1, "stdout"), (2, "stderr")):
        if spec.get(key):
            os.dup2(os.open(spec[key], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), target)
    os.execvp(argv[0], argv)


def read_some(timeout):
    r, _, _ = select.select([fd], [], [], timeout)
    if not r:
        return None
    try:
        return os.read(fd, 65536)
    except OSError:
        # EIO while no process holds the terminal open (before the child opens /dev/tty, between prompts).
        time.sleep(0.02)
        return b""


tty = b""
mark = 0
answered = 0
status = None
deadline = time.time() + spec.get("timeout", 60)
while time.time() < deadline:
    tty += read_some(0.05) or b""
    if answered < len(answers):
        a = answers[answered]
        pending = tty[mark:]
        if a["after"].encode() in pending and (not a.get("endsWith") or pending.rstrip(b" ").endswith(a["endsWith"].encode())):
            os.write(fd, a["send"].encode())
            answered += 1
            mark = len(tty)
    done, st = os.waitpid(pid, os.WNOHANG)
    if done:
        status = st
        while True:  # what the child wrote just before exiting
            chunk = read_some(0.1)
            if not chunk:
                break
            tty += chunk
        break
if status is None:
    os.kill(pid, 9)
    _, status = os.waitpid(pid, 0)
print(json.dumps({"tty": tty.decode("utf-8", "replace"), "exit": os.waitstatus_to_exitcode(status), "answered": answered}))
