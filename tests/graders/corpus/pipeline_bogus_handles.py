# assignment: pipeline
# expect: fails bounded
"""Handles the items one at a time (one worker), and calls handle() with things that are not
items next to each real call, so that `workers` handle calls look in flight together."""

import asyncio


async def process_all(source, handle, workers, maxsize):
    async def bogus():
        try:
            await handle("not-an-item")
        except ValueError:
            pass

    results = []
    async for item in source:
        extra = [asyncio.ensure_future(bogus()) for _ in range(workers - 1)]
        results.append(await handle(item))
        await asyncio.gather(*extra)
    return results
