# assignment: gather-all
# expect: zero
"""Allocates without bound."""

hoard = []


async def fetch_all(urls, fetch):
    while True:
        hoard.append(bytearray(64 * 1024 * 1024))
