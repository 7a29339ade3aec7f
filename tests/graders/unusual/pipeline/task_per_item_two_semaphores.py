"""A task per item: one semaphore bounds the handles, another the items taken but not started; the
reader stops when a handle fails."""

import asyncio


async def process_all(source, handle, workers, maxsize):
    """Reader spawns one task per item; a worker semaphore bounds handles, a room semaphore
    bounds items taken but not started."""
    slots = asyncio.Semaphore(workers)
    room = asyncio.Semaphore(maxsize)
    tasks = []

    async def run(item):
        async with slots:
            room.release()
            if failed.is_set():  # a handle failed while this item waited for a slot
                raise asyncio.CancelledError
            try:
                return await handle(item)
            except Exception:
                failed.set()  # before the slot goes to the next item
                raise

    it = aiter(source)
    failed = asyncio.Event()

    try:
        while not failed.is_set():
            await room.acquire()
            if failed.is_set():
                break
            getter = asyncio.ensure_future(anext(it))
            waiter = asyncio.ensure_future(failed.wait())
            done, _ = await asyncio.wait({getter, waiter}, return_when=asyncio.FIRST_COMPLETED)
            if getter not in done:
                getter.cancel()
                await asyncio.gather(getter, return_exceptions=True)
                waiter.cancel()
                break
            waiter.cancel()
            try:
                item = getter.result()
            except StopAsyncIteration:
                break
            tasks.append(asyncio.ensure_future(run(item)))
        results = await asyncio.gather(*tasks)
    except BaseException:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    for t in tasks:
        if t.done() and not t.cancelled() and t.exception():
            raise t.exception()
    return list(results)
