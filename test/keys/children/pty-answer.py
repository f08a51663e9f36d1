# Runs argv on a new pseudo-terminal (its controlling terminal) with stdin from /dev/null and stdout/stderr
# sent to files, and types each answer in turn whenever the terminal shows a passphrase prompt ending in ": ".
# Prints {"tty": ..., "exit": ..., "answered": n} as JSON.
# usage: pty-answer.py ANSWERS_JSON STDOUT_FILE STDERR_FILE argv...
import json, os, pty, select, sys, time

answers = json.loads(sys.argv[1])
out_path, err_path = sys.argv[2], sys.argv[3]
argv = sys.argv[4:]

pid, fd = pty.fork()
if pid == 0:
    null = os.open("/dev/null", os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 1)
    os.dup2(os.open(err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 2)
    os.execvp(argv[0], argv)

# Reading the master fails with EIO while no process holds the terminal open (before the child opens
# /dev/tty, between prompts), so the loop runs until the child exits, not until a read fails.
tty = b""
mark = 0
answered = 0
status = None
deadline = time.time() + 60
while time.time() < deadline:
    r, _, _ = select.select([fd], [], [], 0.05)
    if r:
        try:
            tty += os.read(fd, 4096)
        except OSError:
            time.sleep(0.02)
    pending = tty[mark:]
    if answered < len(answers) and b"assphrase" in pending and pending.rstrip(b" ").endswith(b":"):
        os.write(fd, answers[answered].encode() + b"\r")
        answered += 1
        mark = len(tty)
    done, st = os.waitpid(pid, os.WNOHANG)
    if done:
        status = st
        break
if status is None:
    os.kill(pid, 9)
    _, status = os.waitpid(pid, 0)
print(json.dumps({"tty": tty.decode("utf-8", "replace"), "exit": os.waitstatus_to_exitcode(status), "answered": answered}))
