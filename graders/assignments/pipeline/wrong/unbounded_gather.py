# fails: bounded, backpressure, errors
"""Reads everything, then handles everything at once with gather: no bound, no backpressure,
and the other handles keep running after one fails."""

import asyncio


async def process_all(source, handle, workers, maxsize):
    items = [item async for item in source]
    return list(await asyncio.gather(*(handle(item) for item in items)))
