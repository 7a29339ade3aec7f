# fails: order
"""Appends each result when its handle finishes: completion order, not source order."""

import asyncio


async def process_all(source, handle, workers, maxsize):
    results = []
    queue = asyncio.Queue()
    room = asyncio.Semaphore(maxsize)

    async def read():
        items = aiter(source)
        while True:
            await room.acquire()
            try:
                item = await anext(items)
            except StopAsyncIteration:
                break
            queue.put_nowait(item)
        for _ in range(workers):
            queue.put_nowait(None)

    async def work():
        while (item := await queue.get()) is not None:
            room.release()
            results.append(await handle(item))

    tasks = [asyncio.ensure_future(read())]
    tasks += [asyncio.ensure_future(work()) for _ in range(workers)]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    return results
