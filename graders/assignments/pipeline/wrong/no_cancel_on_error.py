# fails: errors
"""Raises the first error, but leaves the reader and the other workers running."""

import asyncio


async def process_all(source, handle, workers, maxsize):
    results = {}
    queue = asyncio.Queue()
    room = asyncio.Semaphore(maxsize)

    async def read():
        items = aiter(source)
        index = 0
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
    await asyncio.gather(*tasks)
    return [results[index] for index in range(len(results))]
