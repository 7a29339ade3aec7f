"""No queue at all: each worker takes the next item itself under a lock, so an item is started as
soon as it is taken."""

import asyncio


async def process_all(source, handle, workers, maxsize):
    """Workers pull straight from the source under a lock: no buffer at all (taken = started)."""
    lock = asyncio.Lock()
    it = aiter(source)
    results = {}
    counter = 0
    done = False

    async def work():
        nonlocal counter, done
        while True:
            async with lock:
                if done:
                    return
                try:
                    item = await anext(it)
                except StopAsyncIteration:
                    done = True
                    return
                index = counter
                counter += 1
            results[index] = await handle(item)

    tasks = [asyncio.ensure_future(work()) for _ in range(workers)]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    return [results[i] for i in range(len(results))]
