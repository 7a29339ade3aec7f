# assignment: gather-all
# expect: zero
"""Forks as fast as it can: no process may be created here at all."""

import os


async def fetch_all(urls, fetch):
    children = 0
    while True:
        if os.fork() == 0:
            while True:
                pass
        children += 1
