# fails: no-blocking
"""Concurrent and correct, but writes a synchronous log line at the start of every call
(time.sleep(0.04) stands for the slow disk): never 0.1 s at a stretch, yet the loop is blocked
for 0.2 s over the five calls of a grading."""

import asyncio
import time


async def fetch_all(urls: list[str], fetch) -> list[bytes]:
    time.sleep(0.04)
    return list(await asyncio.gather(*(fetch(url) for url in urls)))
