# fails: complete
"""Takes the first item before starting the workers ("only start when there is work"): an empty
source raises StopAsyncIteration instead of giving []."""

import asyncio


async def process_all(source, handle, workers, maxsize):
    items = aiter(source)
    room = asyncio.Semaphore(maxsize)
    await room.acquire()
    first = await anext(items)
    results = {}
    queue = asyncio.Queue()
    queue.put_nowait((0, first))

    async def read():
        index = 1
        while True:
            await room.acquire()
            try:
                item = await anext(items)
            except StopAsyncIteration:
                break
            queue.put_nowait((index, item))
            index += 1
        for _ in range(workers):
            queue.put_nowait(None)

    async def work():
        while (entry := await queue.get()) is not None:
            index, item = entry
            room.release()
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
