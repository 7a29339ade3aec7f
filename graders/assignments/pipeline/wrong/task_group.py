# fails: errors
"""asyncio.TaskGroup cancels and awaits the others on an error, but raises an ExceptionGroup
instead of the handle's exception."""

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

    async with asyncio.TaskGroup() as group:
        group.create_task(read())
        for _ in range(workers):
            group.create_task(work())
    return [results[index] for index in range(len(results))]
