"""offload-blocking, reference solution: each blocking call runs in the default thread pool."""

import asyncio


async def read_all(paths: list[str], read_blocking) -> list[bytes]:
    return list(await asyncio.gather(*(asyncio.to_thread(read_blocking, p) for p in paths)))
