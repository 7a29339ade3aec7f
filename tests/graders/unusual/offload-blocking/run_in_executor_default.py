"""loop.run_in_executor(None, ...): the default executor."""

import asyncio


async def read_all(paths, read_blocking):
    loop = asyncio.get_running_loop()
    return list(
        await asyncio.gather(*(loop.run_in_executor(None, read_blocking, p) for p in paths))
    )
