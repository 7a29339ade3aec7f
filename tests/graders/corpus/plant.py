# assignment: gather-all
# expect: full
"""Plants state everywhere it can reach (a file in /tmp and /dev/shm, a shared memory block,
an environment variable, module globals, listening sockets, a daemon-ish background task), then solves the
assignment. isolation_probe.py, graded next on the same worker, must see none of it."""

import asyncio
import os
import socket
import sys
from multiprocessing import shared_memory

for directory in ("/tmp", "/dev/shm", os.getcwd()):
    try:
        with open(os.path.join(directory, "quizloop-planted"), "w") as f:
            f.write("planted")
    except OSError:
        pass
try:
    shared_memory.SharedMemory(name="quizloop-planted", create=True, size=64)
except OSError:
    pass
# Listening sockets in the sandbox's network namespace (shared by every child of a worker):
# an abstract Unix socket and a loopback TCP port. They die with the process.
LISTENERS = []
try:
    abstract = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    abstract.bind("\0quizloop-planted")
    abstract.listen()
    LISTENERS.append(abstract)
    tcp = socket.socket()
    tcp.bind(("127.0.0.1", 45678))
    tcp.listen()
    LISTENERS.append(tcp)
except OSError:
    pass
os.environ["QUIZLOOP_PLANTED"] = "1"
asyncio.quizloop_planted = True
sys.modules["quizloop_planted"] = sys
sys.path.insert(0, "/tmp/quizloop-planted-path")


async def linger():
    while True:
        await asyncio.sleep(3600)


# A large address space makes dying slow: the listeners above outlive the process by as long
# as the kernel takes to free it, unless the next submission waits for that.
BALLAST = bytearray(256 << 20)
for offset in range(0, len(BALLAST), 4096):
    BALLAST[offset] = 1


async def fetch_all(urls, fetch):
    asyncio.get_running_loop().create_task(linger())
    return list(await asyncio.gather(*map(fetch, urls)))
