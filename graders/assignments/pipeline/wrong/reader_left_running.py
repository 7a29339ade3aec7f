# fails: errors
"""Cancels the workers on an error but forgets the reader, which is still waiting for the next
item when the error is raised."""

import asyncio


async def process_all(source, handle, workers: int, maxsize: int) -> list:
    results = {}
    queue = asyncio.Queue()
    room = asyncio.Semaphore(maxsize)  # items taken but not started

    async def read():
        items = aiter(source)
        index = 0
        while True:
            await room.acquire()  # before taking: the item in hand counts
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
        for task in tasks[1:]:
            task.cancel()
        await asyncio.gather(*tasks[1:], return_exceptions=True)
        raise
    return [results[index] for index in range(len(results))]
