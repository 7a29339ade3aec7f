"""run_in_executor with its own ThreadPoolExecutor, shut down by a with block."""

import asyncio
from concurrent.futures import ThreadPoolExecutor


async def read_all(paths, read_blocking):
    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(
            await asyncio.gather(*(loop.run_in_executor(pool, read_blocking, p) for p in paths))
        )
