# assignment: pipeline
# expect: zero
import asyncio


async def process_all(source, handle, workers, maxsize):
    """Reads everything first (no backpressure), but "starts" each item at once with a handle()
    call it cancels right away, then handles the items with a pool of workers: every item is
    handled twice, and no check is earned on such a run."""
    items = []
    async for item in source:
        fake = asyncio.ensure_future(handle(item))
        await asyncio.sleep(0)
        fake.cancel()
        await asyncio.gather(fake, return_exceptions=True)
        items.append(item)
    sem = asyncio.Semaphore(workers)

    async def one(item):
        async with sem:
            return await handle(item)

    tasks = [asyncio.ensure_future(one(i)) for i in items]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
