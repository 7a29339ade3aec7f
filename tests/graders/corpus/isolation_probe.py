# assignment: gather-all
# expect: full
"""Looks for everything plant.py left behind; raises if it finds any of it."""

import asyncio
import os
import socket
import sys
from multiprocessing import shared_memory

SEEN = []
for directory in ("/tmp", "/dev/shm", os.getcwd()):
    if os.path.exists(os.path.join(directory, "quizloop-planted")):
        SEEN.append(f"file in {directory}")
try:
    shared_memory.SharedMemory(name="quizloop-planted").close()
    SEEN.append("shared memory")
except OSError:
    pass
if "QUIZLOOP_PLANTED" in os.environ:
    SEEN.append("environment variable")
if getattr(asyncio, "quizloop_planted", False):
    SEEN.append("module global")
if "quizloop_planted" in sys.modules:
    SEEN.append("sys.modules entry")
if any("planted" in p for p in sys.path):
    SEEN.append("sys.path entry")
for family, address in (
    (socket.AF_UNIX, "\0quizloop-planted"),
    (socket.AF_INET, ("127.0.0.1", 45678)),
):
    try:
        probe = socket.socket(family, socket.SOCK_STREAM)
    except OSError:
        continue  # no such sockets here at all
    try:
        probe.connect(address)
        SEEN.append(f"listening socket {address!r}")
    except OSError:
        pass
    finally:
        probe.close()


async def fetch_all(urls, fetch):
    if SEEN:
        raise RuntimeError("saw: " + ", ".join(SEEN))
    return list(await asyncio.gather(*map(fetch, urls)))
