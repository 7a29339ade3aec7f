# assignment: gather-all
# expect: zero
"""Prints without bound: the output is capped and the printing eventually fails."""

import sys


async def fetch_all(urls, fetch):
    line = "spam " * 200 + "\n"
    while True:
        sys.stdout.write(line)
