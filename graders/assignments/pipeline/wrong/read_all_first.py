# fails: backpressure
"""Bounded workers and clean errors, but the whole source is read into a list first."""

import asyncio


async def process_all(source, handle, workers, maxsize):
    items = [item async for item in source]
    results = [None] * len(items)
    queue = asyncio.Queue()
    for entry in enumerate(items):
        queue.put_nowait(entry)

    async def work():
        while not queue.empty():
            index, item = queue.get_nowait()
            results[index] = await handle(item)

    tasks = [asyncio.ensure_future(work()) for _ in range(workers)]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    return results
