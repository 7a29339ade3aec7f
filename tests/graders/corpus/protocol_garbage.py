# assignment: gather-all
# expect: zero
"""Writes garbage on every descriptor it can find, then closes them."""

import os


async def fetch_all(urls, fetch):
    for fd in range(3, 64):
        try:
            os.write(fd, b"\xff" * 100 + b'{"op": "done"}')
        except OSError:
            pass
    for fd in range(3, 64):
        try:
            os.close(fd)
        except OSError:
            pass
    return []
