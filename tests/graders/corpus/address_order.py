# assignment: gather-all
# expect: full
"""Correct, and prints what depends on object addresses: the iteration order of a set of
objects and a repr with `at 0x...`. Graded by another worker with the same seed, the output
(part of the result) must be the same: every worker's sandbox runs with one fixed layout."""

import asyncio


class Box:
    def __init__(self, i):
        self.i = i


async def fetch_all(urls, fetch):
    boxes = {Box(i) for i in range(8)}
    print([box.i for box in boxes], object())
    return list(await asyncio.gather(*map(fetch, urls)))
