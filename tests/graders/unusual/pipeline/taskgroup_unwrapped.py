"""asyncio.TaskGroup (which cancels and awaits the rest on an error), with the handle's exception
taken out of the ExceptionGroup."""

import asyncio


async def process_all(source, handle, workers, maxsize):
    results = {}
    queue = asyncio.Queue()
    room = asyncio.Semaphore(maxsize)

    async def read():
        index = 0
        it = aiter(source)
        while True:
            await room.acquire()
            try:
                item = await anext(it)
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

    try:
        async with asyncio.TaskGroup() as group:
            group.create_task(read())
            for _ in range(workers):
                group.create_task(work())
    except* Exception as eg:
        raise eg.exceptions[0] from None
    return [results[i] for i in range(len(results))]
