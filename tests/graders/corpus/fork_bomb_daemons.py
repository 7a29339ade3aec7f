# assignment: offload-blocking
# expect: zero
"""Where threads are allowed, forks daemons (setsid + double fork) that outlive the
submission, until the process limit stops it; all must be gone afterwards."""

import os
import time


def daemonize():
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            while True:
                time.sleep(1)
        os._exit(0)


async def read_all(paths, read_blocking):
    spawned = 0
    try:
        while spawned < 1000:
            daemonize()
            spawned += 1
    except OSError:
        pass
    raise RuntimeError(f"spawned {spawned} daemons")
