# fails: backpressure
"""A bounded asyncio.Queue(maxsize) between reader and workers: the reader holds one more item
while it waits for room, so maxsize + 1 items are taken but not started."""

import asyncio


async def process_all(source, handle, workers, maxsize):
    results = {}
    queue = asyncio.Queue(maxsize)

    async def read():
        index = 0
        async for item in source:
            await queue.put((index, item))
            index += 1
        for _ in range(workers):
            await queue.put(None)

    async def work():
        while (entry := await queue.get()) is not None:
            index, item = entry
            results[index] = await handle(item)

    tasks = [asyncio.ensure_future(read())]
    tasks += [asyncio.ensure_future(work()) for _ in range(workers)]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    return [results[index] for index in range(len(results))]
