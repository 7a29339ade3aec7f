# assignment: gather-all
# expect: fails concurrent
"""Sequential, with the clocks and asyncio patched to look fast and concurrent from inside:
the grader measures from outside, so nothing changes."""

import asyncio
import time

asyncio.get_event_loop_policy()
time.time = lambda: 0.0
time.monotonic = lambda: 0.0
time.perf_counter = lambda: 0.0
asyncio.BaseEventLoop.time = lambda self: 0.0


async def _sequential_gather(*aws, return_exceptions=False):
    return [await aw for aw in aws]


asyncio.gather = _sequential_gather


async def fetch_all(urls, fetch):
    return list(await asyncio.gather(*(fetch(url) for url in urls)))
