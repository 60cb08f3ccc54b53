#!/usr/bin/env python3
"""Runs a command with a time limit and reports how much memory it used.

Usage: maxrss.py SECONDS OUTFILE COMMAND [ARGS...]
Writes "EXIT MAXRSS_MB" to OUTFILE (EXIT is 124 after a timeout, 128+N after
signal N), passes stdin/stdout/stderr through, and exits with EXIT.
"""
import os
import signal
import subprocess
import sys
import threading

limit, outfile, cmd = float(sys.argv[1]), sys.argv[2], sys.argv[3:]
proc = subprocess.Popen(cmd)
timed_out = threading.Event()


def kill():
    timed_out.set()
    proc.kill()


timer = threading.Timer(limit, kill)
timer.start()
_, status, usage = os.wait4(proc.pid, 0)
timer.cancel()
if timed_out.is_set():
    code = 124
elif os.WIFSIGNALED(status):
    code = 128 + os.WTERMSIG(status)
else:
    code = os.WEXITSTATUS(status)
with open(outfile, "w") as f:
    f.write("%d %d\n" % (code, usage.ru_maxrss // 1024))
sys.exit(code)
