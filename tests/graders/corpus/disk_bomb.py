# assignment: gather-all
# expect: zero
"""Fills /tmp and /dev/shm: both are small private tmpfs that vanish with the process."""

import os


async def fetch_all(urls, fetch):
    block = b"x" * (1 << 20)
    for directory in ("/tmp", "/dev/shm"):
        try:
            for index in range(10_000):
                with open(os.path.join(directory, f"fill-{index}"), "wb") as f:
                    f.write(block)
        except OSError:
            pass
    raise RuntimeError("disk full")
