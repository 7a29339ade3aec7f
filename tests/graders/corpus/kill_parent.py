# assignment: gather-all
# expect: zero
"""Sends SIGKILL to its parent, its process group, every process it can see, and the grader's
likely PIDs: nothing outside its own PID namespace is visible or reachable."""

import os
import signal


async def fetch_all(urls, fetch):
    for target in (os.getppid(), 0, -1):
        try:
            os.kill(target, signal.SIGKILL)
        except OSError:
            pass
    for pid in range(2, 4096):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    raise RuntimeError("still here")
