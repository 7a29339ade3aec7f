# fails: off-loop
"""Overlaps the calls in a thread pool, but waits for the pool synchronously: the event loop
thread blocks until every read is done."""

from concurrent.futures import ThreadPoolExecutor


async def read_all(paths, read_blocking):
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(read_blocking, paths))
